{#
  Per budget and claim subject, the previous year's figure the prose implies (stated amount
  - stated change, marts.narrative_claim) and what it compared against (basis), from the
  first such claim whose stated amount agrees with the document's own tables
  (narrative_check): prose that disagrees with its own tables gives no previous year. Only
  claims about the year just before: 比2020年预算 in a 2026 budget is not last year.
  Final accounts' prose is never checked (narrative_check), so it gives none.
  Serves the year-over-year marts where the previous year's document is not loaded.
#}
{% macro narrative_previous_year() -%}
    select
        claims.document_id,
        claims.subject,
        claims.implied_previous_yuan,
        claims.basis
    from {{ ref('narrative_claim') }} as claims
    inner join {{ ref('narrative_check') }} as checks
        on checks.document_id = claims.document_id
        and checks.claim_index = claims.claim_index
        and checks.check_name = 'amount'
        and checks.status = 'agree'
    where claims.implied_previous_yuan is not null
      and claims.compared_year = claims.fiscal_year - 1
    qualify row_number() over (partition by claims.document_id, claims.subject order by claims.claim_index) = 1
{%- endmacro %}
