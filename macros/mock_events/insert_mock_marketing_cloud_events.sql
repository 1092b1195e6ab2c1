{#-
    dbt run-operation insert_mock_marketing_cloud_events
        --args '{run_date: "2026-11-26", n_events: 2000, seed: 42}'

    Appends one day's realistic Marketing Cloud events (macro mock_events_select) to the
    landing table, as the batch `mock:<run_date>:<seed>`. Deterministic on every engine and
    idempotent: a batch that is already there is not added again. bad_rate (0 to 1, default
    0) corrupts that share of rows, every kind of bad input (macro mock_events_corrupt).

    Mock data never reaches production by accident: in the prod environment the macro
    refuses unless allow_in_production is true (a demo in a production-like account).
-#}
{% macro insert_mock_marketing_cloud_events(
    run_date=none, n_events=2000, seed=42, bad_rate=0, allow_in_production=false
) %}
    {%- if mart_environment() == 'prod' and allow_in_production | string | lower != 'true' -%}
        {{ exceptions.raise_compiler_error(
            "insert_mock_marketing_cloud_events refuses to add mock events to production "
            ~ events_landing_relation() ~ " (DBT_MART_ENVIRONMENT=prod); run it in a dev, ci or "
            ~ "local environment, or pass allow_in_production: true if you really mean it."
        ) }}
    {%- endif -%}
    {%- set run_date = mock_events_run_date(run_date) -%}
    {%- set n_events = bounded_integer('n_events', n_events, 1, 10000000) -%}
    {%- set seed = bounded_integer('seed', seed, 0, 2147483647) -%}
    {%- set bad_per_million = bounded_share('bad_rate', bad_rate) -%}
    {%- set load_id = 'mock:' ~ run_date ~ ':' ~ seed -%}
    {%- set landing = events_landing_relation() -%}

    {%- for table in ['campaign', 'contact', 'lead'] -%}
        {%- if load_relation(source('salesforce', table)) is none -%}
            {{ exceptions.raise_compiler_error(
                "insert_mock_marketing_cloud_events: the CRM table " ~ source('salesforce', table)
                ~ " does not exist; load the seeds (`dbt seed`, or `mart daily`) or point vars "
                ~ "salesforce_database and salesforce_schema at your CRM."
            ) }}
        {%- endif -%}
    {%- endfor -%}

    {%- do ensure_events_landing_table() -%}
    {%- set existing = run_query(
        "select count(*) from " ~ landing ~ " where _load_id = '" ~ load_id ~ "'"
    ).columns[0].values()[0] -%}
    {%- if existing > 0 -%}
        {{ log("insert_mock_marketing_cloud_events: batch " ~ load_id ~ " is already loaded ("
               ~ existing ~ " rows); nothing added.", info=true) }}
        {{ return(0) }}
    {%- endif -%}

    {%- set columns = events_landing_columns() + ['_loaded_at', '_load_id'] -%}
    {%- do run_query(
        "insert into " ~ landing ~ " (" ~ columns | join(', ') ~ ") select "
        ~ columns | join(', ') ~ " from ("
        ~ mock_events_corrupt(
            mock_events_select(run_date, n_events, seed, load_id), seed, run_date, bad_per_million
        )
        ~ ") as mock_events"
    ) -%}
    {%- set added = run_query(
        "select count(*) from " ~ landing ~ " where _load_id = '" ~ load_id ~ "'"
    ).columns[0].values()[0] -%}
    {{ log("insert_mock_marketing_cloud_events: added " ~ added ~ " events for " ~ run_date
           ~ " (batch " ~ load_id ~ ").", info=true) }}
    {{ return(added) }}
{% endmacro %}
