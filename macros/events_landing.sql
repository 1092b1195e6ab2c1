{#-
    The raw events landing table, source('marketing_cloud', 'events').

    It is created once and never replaced by dbt: loaders, the mock-events macro and users
    append to it, and no dbt command wipes what they appended. Outside production the seed
    `marketing_cloud_events` is its initial content, kept in sync as the batch
    `_load_id = 'seed'` (that batch, and only that batch, is rewritten from the seed).
    vars events_database, events_schema and events_identifier move it (read by the source);
    by default it is <schema_prefix()>raw.events in the target's database.
-#}

{% macro events_landing_relation() -%}
    {#- The source's own location (one definition: _marketing_cloud__sources.yml). -#}
    {{ return(source('marketing_cloud', 'events')) }}
{%- endmacro %}


{% macro events_landing_columns() -%}
    {#- Every column lands as text, as exported; staging types and validates it. One list,
        var('landing_columns'), shared with the harness (harness/settings.py). -#}
    {{ return(var('landing_columns')) }}
{%- endmacro %}


{% macro event_payload_hash() -%}
    {#-
        md5 of a staged event row's payload: its exported fields as staged (trimmed, blanks
        as NULL), so copies of one event id can be compared. Computed only where copies are
        compared: hashing every row in staging cost a third of staging's time.
    -#}
    {{ canonical_hash([
        'event_id', 'source_event_type', 'business_unit_id', 'job_id', 'list_id', 'batch_id',
        'subscriber_id', 'subscriber_key', 'campaign_id', 'source_event_date', 'email_domain',
        'url', 'link_name', 'bounce_category', 'bounce_subcategory', 'smtp_code',
        'ip_address', 'user_agent',
    ]) }}
{%- endmacro %}


{% macro create_events_landing_table() -%}
    {%- if not writes_sources() -%}{{ return('select 1') }}{%- endif -%}
    {%- set landing = events_landing_relation() -%}
    {%- do adapter.create_schema(landing) -%}
    create table if not exists {{ landing }} (
    {%- for column in events_landing_columns() %}
        {{ column }} {{ dbt.type_string() }},
    {%- endfor %}
        _loaded_at {{ dbt.type_timestamp() }},
        _load_id {{ dbt.type_string() }}
    )
{%- endmacro %}


{#- Pre-hooks of stg_marketing_cloud_events, the same in every environment (one DAG, one
    config): where the events are the environment's own, the seed batch follows the seed;
    elsewhere they do nothing. -#}
{% macro seed_events_batch_hooks() -%}
    {{ return(["{{ delete_seed_events_batch() }}", "{{ insert_seed_events_batch() }}"]) }}
{%- endmacro %}


{% macro delete_seed_events_batch() -%}
    {%- if mart_environment() == 'prod' or mart_sources() != 'own' -%}
        {{ return('select 1') }}
    {%- endif -%}
    delete from {{ events_landing_relation() }} where _load_id = 'seed'
{%- endmacro %}


{% macro insert_seed_events_batch() -%}
    {%- if mart_environment() == 'prod' or mart_sources() != 'own' -%}
        {#- The ref() stays: one DAG in every environment. -#}
        {%- do ref('marketing_cloud_events') -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set columns = events_landing_columns() -%}
    insert into {{ events_landing_relation() }} (
        {{ columns | join(', ') }}, _loaded_at, _load_id
    )
    select
        {{ columns | join(', ') }},
        cast(_loaded_at as {{ dbt.type_timestamp() }}),
        'seed'
    from {{ ref('marketing_cloud_events') }}
{%- endmacro %}


{#-
    A landing table from an earlier release gets the columns added since (empty: what was
    appended to it stays). on-run-start, after create_events_landing_table.
-#}
{% macro add_missing_landing_columns() -%}
    {%- set statements = [] -%}
    {%- if writes_sources() -%}
        {%- set landing = events_landing_relation() -%}
        {#- The columns as a query sees them (adapter introspection would end the
            transaction a run-operation commits at its end). -#}
        {%- set present = run_query('select * from ' ~ landing ~ ' where 1 = 0').column_names
            | map('lower') | list -%}
        {%- for column in events_landing_columns() if column not in present -%}
            {%- do statements.append('alter table ' ~ landing ~ ' add column ' ~ column ~ ' '
                ~ dbt.type_string()) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(statements | join(';\n') if statements else 'select 1') }}
{%- endmacro %}


{#- run-operation: create the landing table (and the raw schema) if missing. -#}
{% macro ensure_events_landing_table() -%}
    {%- do run_query(create_events_landing_table()) -%}
    {%- for statement in add_missing_landing_columns().split(';\n') -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
{%- endmacro %}


{#- The UTC date a row landed; 1900-01-01 when it landed without a _loaded_at. -#}
{% macro landed_date(column) -%}
    coalesce(cast({{ column }} as date), cast('1900-01-01' as date))
{%- endmacro %}


{#- True when the predicate holds for any exported landing column ({field} is replaced). -#}
{% macro any_landing_field(predicate) -%}
    ({% for column in events_landing_columns() -%}
        {{ ' or ' if not loop.first }}{{ predicate | replace('{field}', column) }}
    {%- endfor %})
{%- endmacro %}
