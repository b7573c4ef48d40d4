-- The department identity: one row per department name as printed, with its
-- canonical name and the stable department_id. Every model that needs a
-- department joins here, so the mapping lives in one place.
--
-- Rules, in order:
--   1. normalise: remove all whitespace (the extractor already applied NFKC, so
--      full-width spaces and brackets are already folded);
--   2. alias: if the normalised name is listed in seeds/department_alias.csv
--      (also compared whitespace-free), take its canonical_name;
--   3. department_id = left(md5(canonical name), 16).

with printed as (
    select distinct department_name as name_as_printed
    from {{ ref('stg_document') }}
    where department_name is not null
),

normalised as (
    select
        name_as_printed,
        regexp_replace(name_as_printed, '\s+', '', 'g') as normalised_name
    from printed
),

aliases as (
    select
        regexp_replace(alias, '\s+', '', 'g') as alias,
        regexp_replace(canonical_name, '\s+', '', 'g') as canonical_name
    from {{ ref('department_alias') }}
),

resolved as (
    select
        normalised.name_as_printed,
        normalised.normalised_name,
        coalesce(aliases.canonical_name, normalised.normalised_name) as canonical_name,
        aliases.alias is not null as matched_alias
    from normalised
    left join aliases
        on aliases.alias = normalised.normalised_name
)

select
    name_as_printed,
    normalised_name,
    canonical_name,
    left(md5(canonical_name), 16) as department_id,
    matched_alias
from resolved
