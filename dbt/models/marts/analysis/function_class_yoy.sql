-- Spending by function class (类 and 款) per department / fiscal year / kind /
-- scope, from the general-public-budget table by function (一般公共预算支出功能分类),
-- with the change against the previous fiscal year. See macros/classification_yoy.sql.
-- Incremental per department; a class's name, which any document can change, is kept
-- the dimension's by the post-hook (macros/incremental_departments.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed('department_id') }}",
    post_hook="{{ refresh_class_names('dim_function_class') }}",
) }}
{{ classification_yoy('function', 'general_budget_expenditure_by_function', 'dim_function_class') }}
