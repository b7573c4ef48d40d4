-- The current name of every code in the two classification seeds:
--   function_class: the row flagged is_current;
--   economic_class: the name still in use (last_year NULL), else the one used
--   last; ties broken by the latest first_year, then the name.

with function_names as (
    select
        'function' as classification,
        code,
        current_name as name
    from {{ ref('function_class') }}
    where is_current
),

economic_ranked as (
    select
        code,
        name,
        row_number() over (
            partition by code
            order by coalesce(last_year, 9999) desc, coalesce(first_year, 0) desc, name
        ) as name_rank
    from {{ ref('economic_class') }}
),

economic_names as (
    select
        'economic' as classification,
        code,
        name
    from economic_ranked
    where name_rank = 1
)

select * from function_names
union all
select * from economic_names
