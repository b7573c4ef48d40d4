-- Which documents the warehouse holds: every department × every fiscal year from the
-- earliest to the latest year of any document × each document kind, with `present`
-- and the current document. When a department publishes both a department-level
-- and a unit-level document for the year, document_id is the department-level one
-- (document_scope says which) and document_count counts both.
-- Incremental per department (macros/incremental_departments.sql).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail', pre_hook="{{ delete_changed('department_id') }}") }}

with departments as (
    select department_id, department_name from {{ ref('dim_department') }}
    where {{ in_changed('department_id') }}
),

documents as (
    select * from {{ ref('int_current_document') }}
),

years as (
    select unnest(range(min(fiscal_year), max(fiscal_year) + 1)) as fiscal_year
    from documents
),

kinds as (
    select * from (values ('budget'), ('final_accounts')) as kinds (document_kind)
),

grid as (
    select
        departments.department_id,
        departments.department_name,
        cast(years.fiscal_year as integer) as fiscal_year,
        kinds.document_kind
    from departments
    cross join years
    cross join kinds
),

per_cell as (
    select
        department_id,
        fiscal_year,
        document_kind,
        arg_min(document_id, case scope when 'department' then 0 else 1 end) as document_id,
        arg_min(scope, case scope when 'department' then 0 else 1 end) as document_scope,
        count(*) as document_count
    from documents
    group by department_id, fiscal_year, document_kind
)

select
    grid.department_id,
    grid.department_name as department,
    grid.fiscal_year,
    grid.document_kind,
    per_cell.document_id is not null as present,
    per_cell.document_id,
    per_cell.document_scope,
    cast(coalesce(per_cell.document_count, 0) as integer) as document_count
from grid
left join per_cell
    on per_cell.department_id = grid.department_id
    and per_cell.fiscal_year = grid.fiscal_year
    and per_cell.document_kind = grid.document_kind
