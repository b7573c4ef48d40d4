-- One row per document with its headline expenditure figures pivoted into columns.
-- Amounts stay DECIMAL(18,2); a metric missing from the document gives NULL.

with headlines as (
    select * from {{ ref('stg_headline') }}
),

documents as (
    select document_id from {{ ref('stg_document') }}
),

pivoted as (
    select
        document_id,
        max(case when metric = 'total_expenditure' then value_yuan end) as total_expenditure_yuan,
        max(case when metric = 'basic_expenditure' then value_yuan end) as basic_expenditure_yuan,
        max(case when metric = 'project_expenditure' then value_yuan end) as project_expenditure_yuan
    from headlines
    group by document_id
)

select
    documents.document_id,
    cast(pivoted.total_expenditure_yuan as decimal(18, 2)) as total_expenditure_yuan,
    cast(pivoted.basic_expenditure_yuan as decimal(18, 2)) as basic_expenditure_yuan,
    cast(pivoted.project_expenditure_yuan as decimal(18, 2)) as project_expenditure_yuan
from documents
left join pivoted
    on documents.document_id = pivoted.document_id
