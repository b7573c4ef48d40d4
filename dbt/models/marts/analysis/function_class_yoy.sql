-- Spending by function class (类 and 款) per department / fiscal year / kind /
-- scope, from the general-public-budget table by function (一般公共预算支出功能分类),
-- with the change against the previous fiscal year. See macros/classification_yoy.sql.
{{ classification_yoy('function', 'general_budget_expenditure_by_function', 'dim_function_class') }}
