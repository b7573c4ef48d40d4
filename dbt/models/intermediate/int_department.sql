-- One row per department (canonical name), with its region parsed from the name:
--   * a leading 中国共产党 / 中共 is skipped (中共江苏省委办公厅 → 江苏省…);
--   * province: a municipality (北京市 / 上海市 / 天津市 / 重庆市, which is both
--     province and city), an N省 (2–3 characters + 省) or an autonomous region;
--   * city: right after the province (or at the start when there is no province),
--     2–6 characters + 市 (深圳市, 呼和浩特市);
--   * district: right after the city, 1–4 characters + 区 or 县 (普陀区, 浦东新区).
-- A part that is not printed at the start of the name is NULL
-- (江苏省人民检察院 → 江苏省 / NULL / NULL).

with names as (
    select distinct canonical_name, department_id
    from {{ ref('int_department_name') }}
),

body as (
    select
        department_id,
        canonical_name,
        regexp_replace(canonical_name, '^(中国共产党|中共)', '') as body
    from names
),

with_province as (
    select
        *,
        case
            when regexp_matches(body, '^(北京市|上海市|天津市|重庆市)')
                then regexp_extract(body, '^(北京市|上海市|天津市|重庆市)')
            else nullif(regexp_extract(
                body,
                '^([^省市区县]{2,3}省|内蒙古自治区|广西壮族自治区|西藏自治区|宁夏回族自治区|新疆维吾尔自治区)'
            ), '')
        end as province
    from body
),

with_city as (
    select
        *,
        case
            when province in ('北京市', '上海市', '天津市', '重庆市') then province
            else nullif(regexp_extract(
                substr(body, coalesce(length(province), 0) + 1),
                '^([^省市区县]{2,6}?市)'
            ), '')
        end as city
    from with_province
),

with_district as (
    select
        *,
        case
            when city is not null then nullif(regexp_extract(
                -- the text after the city (a municipality's city is its province)
                substr(body, length(coalesce(province, '')) + case when city = province then 0 else length(city) end + 1),
                '^([^省市区县]{1,4}?(区|县))'
            ), '')
        end as district
    from with_city
)

select
    department_id,
    canonical_name,
    province,
    city,
    district
from with_district
