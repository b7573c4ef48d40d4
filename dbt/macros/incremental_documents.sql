{#
  Per-document marts are built incrementally on document_id (see
  models/intermediate/int_document_change.sql): a run deletes the rows of the
  documents whose state changed since the last build and inserts what their
  current rows are now, so a superseded or removed document's rows go and a new
  version's come in.  `yusuan run --full-refresh` (or a changed dbt project)
  rebuilds them whole.
#}

{# The columns of int_document_version that decide a document's rows in a per-document mart. #}
{% macro document_build_signature() -%}
    document_id, department_id, department_name, fiscal_year, document_kind, scope, is_current, loaded_at
{%- endmacro %}

{# The model listing what this run changed, by the key an incremental mart is rebuilt on:
   documents (int_document_change) or departments (int_department_change). #}
{% macro change_set(key) -%}
    {{ return({'document_id': 'int_document_change', 'department_id': 'int_department_change'}[key]) }}
{%- endmacro %}

{# In a model incremental on `key` (document_id or department_id): a condition true of the
   changed rows, `column` holding the key (the key's own name by default); of every row on a
   full build.  The ref is taken unconditionally so dbt records the dependency at parse time. #}
{% macro in_changed(key, column=none) -%}
    {%- set changes = ref(change_set(key)) -%}
    {%- if is_incremental() -%}
        {{ column or key }} in (select {{ key }} from {{ changes }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{# Pre-hook of a model incremental on `key`: the changed rows go. #}
{% macro delete_changed(key) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key }} in (select {{ key }} from {{ ref(change_set(key)) }})
    {%- endif -%}
{%- endmacro %}

{# The marts whose rows a run rebuilds per document: built after int_document_change. #}
{% macro per_document_marts() -%}
    {{ return(['fct_budget_line', 'document_headline', 'reconciliation', 'fiscal_data_package_line']) }}
{%- endmacro %}

{# The staging models whose rows are a loaded document version's own, immutable once loaded. #}
{% macro per_document_staging() -%}
    {{ return(['stg_document', 'stg_budget_line', 'stg_extracted_cell', 'stg_headline', 'stg_statement',
               'stg_reconciliation', 'stg_narrative_claim']) }}
{%- endmacro %}

{#
  dbt's get_where_subquery (what a generic test reads), with one more filter: a test
  reads the rows this run builds, not every row again.  The other rows were tested when
  they were built and have not changed.
  - A per-document mart: the documents int_document_change lists (every one on a full build).
  - A per-department mart (macros/incremental_departments.sql): the departments
    int_department_change lists (every one on a full build).  A rank or a class name its
    post-hook updates in another department's row is not tested again: no rule reads a
    class name, and the rank's rules hold of any rank the shared expression gives.
  - A per-document staging model: the document versions loaded since the last build, i.e.
    not in state.document_build_state with the same loaded_at.  Its tests run before any
    model downstream of it (dbt build waits for a model's tests), so before this build
    rewrites that state.  A full build (a changed project, --full-refresh) tests every row,
    and so does a `dbt test` the pipeline runs after one (YUSUAN_DBT_TEST_ALL_ROWS=1: the
    failing rows it stores must name the old documents a changed test fails on).  The
    variable is read only when tests run (`execute`), so it never invalidates dbt's parse.
  - A row_rules test with a unique key that leaves out document_id (department_id in a
    per-department mart; row_rules.sql) also reads the other rows that share such a key with
    a changed row: the window that counts a key's rows must see every row of it.  A key with
    that column has all its rows in the changed set or none.  (`model` is the test node here.)
#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set changed = [] -%}
    {%- set changed_by = none -%}
    {%- if relation.identifier in per_document_marts() -%}
        {%- set changed_by = 'document_id' -%}
    {%- elif relation.identifier in per_department_marts() -%}
        {%- set changed_by = 'department_id' -%}
    {%- endif -%}
    {%- if changed_by -%}
        {%- set changes = api.Relation.create(
            database=relation.database, schema='intermediate', identifier=change_set(changed_by)) -%}
        {%- do changed.append(changed_by ~ ' in (select ' ~ changed_by ~ ' from ' ~ changes ~ ')') -%}
    {%- elif relation.identifier in per_document_staging() and not flags.FULL_REFRESH
            and execute and env_var('YUSUAN_DBT_TEST_ALL_ROWS', '0') != '1' -%}
        {%- set changed_by = 'document_id' -%}
        {%- set built = adapter.get_relation(
            database=relation.database, schema='state', identifier='document_build_state') -%}
        {%- if built is not none -%}
            {%- set loaded = api.Relation.create(database=relation.database, schema='raw', identifier='document') -%}
            {%- do changed.append(
                'document_id in (select document_id from ' ~ loaded ~ ' as loaded where not exists ('
                ~ 'select 1 from ' ~ built ~ ' as built where built.document_id = loaded.document_id '
                ~ 'and built.loaded_at = loaded.loaded_at))') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if changed -%}
        {%- set keys = ((model.get('test_metadata') or {}).get('kwargs') or {}).get('unique') or [] -%}
        {%- set keyed_rows = [] -%}
        {%- for key in keys if changed_by not in key -%}
            {#- The same key equality as row_rules: NULLs equal in a key of several columns. -#}
            {%- set equal = ' = ' if key | length == 1 else ' is not distinct from ' -%}
            {%- set matches = [] -%}
            {%- for column in key -%}
                {%- do matches.append('keyed.' ~ adapter.quote(column) ~ equal ~ 'tested.' ~ adapter.quote(column)) -%}
            {%- endfor -%}
            {%- do keyed_rows.append('exists (select 1 from ' ~ relation ~ ' as keyed where ' ~ changed[0]
                                     ~ (' and (' ~ where ~ ')' if where else '') ~ ' and '
                                     ~ matches | join(' and ') ~ ')') -%}
        {%- endfor -%}
        {%- do conditions.append('(' ~ (changed + keyed_rows) | join(' or ') ~ ')') -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' as tested where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
