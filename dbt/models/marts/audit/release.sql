-- A view over the release log the publisher writes into each published copy (see stg_release).
{{ config(materialized='view') }}

select
    release_id,
    published_at,
    previous_release_id,
    documents_added,
    documents_superseded,
    documents_removed,
    cast(cast(mart_rows as json) as map(varchar, bigint)) as mart_rows,
    package_version,
    parser_version
from {{ ref('stg_release') }}
