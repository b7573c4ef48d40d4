-- Basic expenditure by economic class (类 and 款) per department / fiscal year /
-- kind / scope, from the general-public-budget basic-expenditure table by economic
-- class, with the change against the previous fiscal year. See macros/classification_yoy.sql.
{{ classification_yoy('economic', 'general_budget_basic_expenditure_by_economic_class', 'dim_economic_class') }}
