{#
  Every row-level rule of a model in one test: one dbt node instead of one per rule.
  Each node costs a run tens of milliseconds in dbt and Dagster whatever the rows, and
  the row-level rules were most of the project's nodes.  A failing row comes back whole
  (so the document it belongs to is known) with broken_rules naming each rule it
  breaks, "; " apart (a rule's expression may hold commas), e.g.
  "not_null(fiscal_year); relationships(statement -> statement.statement)".
  Keys are rules here too (a window over the model, in the same select); the
  singular tests stay tests of their own.

  Each rule keeps the semantics of the test it replaces:
    not_null         [column, ...]                  the column is NULL
    accepted_values  {column: [value, ...]}          a non-NULL value not listed (dbt's accepted_values)
    relationships    {column: {to: ref(), field:}}   a non-NULL value absent from to.field (dbt's relationships)
    vocabularies     {column: {to: ref(), field:, qualified: bool}}
                     like relationships; with qualified, 'total:其中…' is checked as 'total'
    patterns         {column: regex}                 a non-NULL value that does not fully match
                                                     (DuckDB regexp_full_match / RE2 syntax)
    expressions      [sql, ...]                      the expression is not true (NULL fails unless
                                                     the expression handles it)
    unique           [[column, ...], ...]            the row's key occurs more than once; named
                                                     unique(column, ...).  A one-column key is dbt's
                                                     unique: a NULL is no duplicate.  A key of several
                                                     columns counts as a group by does (the project's
                                                     unique_combination_of_columns did): NULLs compare
                                                     equal, so two rows alike but for NULLs in the
                                                     same columns are duplicates.
                     A duplicated key fails every row that holds it (dbt's tests returned the
                     key once); the rows name their documents like any other rule's.
                     The count is over the rows the test reads, as dbt's was: a `where`
                     config applies first.  An incremental build tests the rows of the
                     documents it builds (get_where_subquery in macros/incremental_documents.sql),
                     which hold every row of a key that includes document_id.  A key without
                     document_id could collide with another document's rows: a test holding
                     one also reads the rows that share such a key with a changed document's.
  A rule with a test config of its own (severity: warn, a where) goes in a second
  row_rules test with that config.
  Usage (model level):
    data_tests:
      - row_rules:
          arguments:
            not_null: [document_id, fiscal_year]
            accepted_values:
              scope: ['department', 'unit']
            relationships:
              department_id: {to: ref('dim_department'), field: department_id}
            expressions:
              - "amount_yuan >= 0"
            unique: [[document_id], [document_id, metric]]
#}
{% test row_rules(model, not_null=[], accepted_values={}, relationships={}, vocabularies={}, patterns={},
                  expressions=[], unique=[]) %}

{%- set rules = [] %}
{%- for column in not_null %}
    {%- do rules.append(('not_null(' ~ column ~ ')', adapter.quote(column) ~ ' is null')) %}
{%- endfor %}
{%- for column, values in accepted_values.items() %}
    {%- set listed = [] %}
    {%- for value in values %}
        {%- do listed.append("'" ~ (value | string).replace("'", "''") ~ "'") %}
    {%- endfor %}
    {%- do rules.append(('accepted_values(' ~ column ~ ')',
                         adapter.quote(column) ~ ' not in (' ~ listed | join(', ') ~ ')')) %}
{%- endfor %}
{#- A NULL in the referenced column must not hide a missing value (NOT IN would be NULL). #}
{%- for column, reference in relationships.items() %}
    {%- do rules.append(('relationships(' ~ column ~ ' -> ' ~ reference.to.identifier ~ '.' ~ reference.field ~ ')',
                         adapter.quote(column) ~ ' not in (select ' ~ reference.field ~ ' from ' ~ reference.to
                         ~ ' where ' ~ reference.field ~ ' is not null)')) %}
{%- endfor %}
{%- for column, vocabulary in vocabularies.items() %}
    {%- set value = "split_part(" ~ adapter.quote(column) ~ ", ':', 1)" if vocabulary.qualified else adapter.quote(column) %}
    {%- do rules.append(('in_vocabulary(' ~ column ~ ' -> ' ~ vocabulary.to.identifier ~ '.' ~ vocabulary.field ~ ')',
                         value ~ ' not in (select ' ~ vocabulary.field ~ ' from ' ~ vocabulary.to
                         ~ ' where ' ~ vocabulary.field ~ ' is not null)')) %}
{%- endfor %}
{%- for column, pattern in patterns.items() %}
    {%- do rules.append(('matches_pattern(' ~ column ~ ')',
                         'not regexp_full_match(' ~ adapter.quote(column) ~ ", '" ~ pattern ~ "')")) %}
{%- endfor %}
{%- for expression in expressions %}
    {%- do rules.append(('expression(' ~ expression.split() | join(' ') ~ ')',
                         'not coalesce((' ~ expression ~ '), false)')) %}
{%- endfor %}

{%- for key in unique %}
    {%- set columns = [] %}
    {%- for column in key %}
        {%- do columns.append(adapter.quote(column)) %}
    {%- endfor %}
    {%- set repeated = 'count(*) over (partition by ' ~ columns | join(', ') ~ ') > 1' %}
    {%- do rules.append(('unique(' ~ key | join(', ') ~ ')',
                         columns[0] ~ ' is not null and ' ~ repeated if key | length == 1 else repeated)) %}
{%- endfor %}

{#- A rule whose condition is NULL (a NULL value for accepted_values, relationships,
    patterns) is not broken: concat_ws skips it. #}
select *
from (
    select
        *,
        concat_ws('; '
        {%- for label, condition in rules %}
            , case when {{ condition }} then '{{ label | replace("'", "''") }}' end
        {%- endfor %}
        ) as broken_rules
    from {{ model }}
) as checked
where broken_rules <> ''

{% endtest %}
