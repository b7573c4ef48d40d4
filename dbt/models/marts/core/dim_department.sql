-- One row per department (canonical name): its stable id, region parsed from the
-- name, every name it was printed with, and the fiscal years its documents cover
-- (all documents, superseded versions included).
-- Incremental per department (macros/incremental_departments.sql).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail', pre_hook="{{ delete_changed('department_id') }}") }}

with departments as (
    select * from {{ ref('int_department') }}
    where {{ in_changed('department_id') }}
),

names as (
    select * from {{ ref('int_department_name') }}
    where {{ in_changed('department_id') }}
),

documents as (
    select * from {{ ref('int_document_version') }}
    where {{ in_changed('department_id') }}
),

printed as (
    select
        department_id,
        list(name_as_printed order by name_as_printed) as names_as_printed
    from names
    group by department_id
),

years as (
    select
        department_id,
        min(fiscal_year) as first_year,
        max(fiscal_year) as last_year
    from documents
    group by department_id
)

select
    departments.department_id,
    departments.canonical_name as department_name,
    departments.province,
    departments.city,
    departments.district,
    printed.names_as_printed,
    years.first_year,
    years.last_year
from departments
left join printed
    on printed.department_id = departments.department_id
left join years
    on years.department_id = departments.department_id
