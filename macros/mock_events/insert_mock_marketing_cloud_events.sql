{#-
    dbt run-operation insert_mock_marketing_cloud_events
        --args '{run_date: "2026-11-26", n_events: 400, seed: 42}'

    The daily job's landing, mocked: what Marketing Cloud's export holds when the job runs on
    run_date at var('mock_event_profile').landed_by_hour_utc (06:00 UTC, production's schedule in
    ci/dbt_cloud_jobs.yml). That is yesterday's sends (macro mock_events_select, n_events rows
    drawn for the day) and every event of them that has arrived by then, plus the events of
    earlier days' sends that arrived since the last mock batch of this seed: opens landing days
    late and re-delivered duplicates reach later batches, as they do in production. Rows that
    have not arrived yet are not landed: nothing is loaded after the run's moment (now, for a
    run dated today whose hour has not come; landed_by overrides it), and no event is dated
    after run_date. Everything lands as the batch `mock:<run_date>:<seed>`.

    Deterministic on every engine (md5-derived draws) and idempotent: each row is a pure
    function of (send date, seed), and a run lands only the rows that arrived after the
    newest one this seed has landed, so a second run for a date adds nothing (or, for today,
    only what arrived since). Earlier days' late rows are carried only for days whose own
    sends have landed, so a fresh warehouse's first day holds no stray late events.
    bad_rate (0 to 1, default 0) corrupts that share of rows, every kind of bad input (macro
    mock_events_corrupt).

    Mock data never reaches production by accident: in the prod environment the macro
    refuses unless allow_in_production is true (a demo in a production-like account), and a
    CI or developer run that reads production's sources (DBT_MART_SOURCES=production, the
    default on Snowflake) refuses too: mock events go only to an environment's own.
-#}
{% macro insert_mock_marketing_cloud_events(
    run_date=none, n_events=400, seed=42, bad_rate=0, landed_by=none, allow_in_production=false
) %}
    {%- if mart_environment() == 'prod' and allow_in_production | string | lower != 'true' -%}
        {{ exceptions.raise_compiler_error(
            "insert_mock_marketing_cloud_events refuses to add mock events to production "
            ~ events_landing_relation() ~ " (DBT_MART_ENVIRONMENT=prod); run it in a dev, ci or "
            ~ "local environment, or pass allow_in_production: true if you really mean it."
        ) }}
    {%- endif -%}
    {%- if mart_environment() != 'prod' and mart_sources() != 'own' -%}
        {{ exceptions.raise_compiler_error(
            "insert_mock_marketing_cloud_events writes only an environment's own events, and "
            ~ "this one reads production's " ~ events_landing_relation() ~ " (DBT_MART_SOURCES="
            ~ "production); set DBT_MART_SOURCES=own to fill the environment's own sources."
        ) }}
    {%- endif -%}
    {%- set run_date = mock_events_run_date(run_date) -%}
    {%- set n_events = bounded_integer('n_events', n_events, 1, 10000000) -%}
    {%- set seed = bounded_integer('seed', seed, 0, 2147483647) -%}
    {%- set bad_per_million = bounded_share('bad_rate', bad_rate) -%}
    {%- set cutoff = mock_events_cutoff(run_date, landed_by) -%}
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

    {#- The mock batches of this seed already landed, by run date. -#}
    {%- set day = modules.datetime.date.fromisoformat(run_date) -%}
    {%- set landed_batches = run_query(
        "select distinct _load_id from " ~ landing ~ " where _load_id like 'mock:%:" ~ seed ~ "'"
    ).columns[0].values() -%}
    {%- set landed_days = [] -%}
    {%- for batch in landed_batches -%}
        {%- do landed_days.append(batch.split(':')[1]) -%}
    {%- endfor -%}
    {#- Yesterday's sends, and the sends of earlier days whose own batch has landed (the
        batch of the day after them), as long as their rows can still arrive. -#}
    {%- set send_dates = [(day - modules.datetime.timedelta(days=1)).isoformat()] -%}
    {%- for back in range(2, mock_events_max_lateness_days() + 2) -%}
        {%- set sent = day - modules.datetime.timedelta(days=back) -%}
        {%- if (sent + modules.datetime.timedelta(days=1)).isoformat() in landed_days -%}
            {%- do send_dates.append(sent.isoformat()) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- What this seed's batches up to run_date landed last: rows up to then are there. -#}
    {%- set earlier = [] -%}
    {%- for batch in landed_batches -%}
        {%- if batch.split(':')[1] <= run_date -%}{%- do earlier.append("'" ~ batch ~ "'") -%}{%- endif -%}
    {%- endfor -%}
    {%- set since = none -%}
    {%- if earlier -%}
        {%- set since = run_query(
            "select " ~ timestamp_text('max(_loaded_at)') ~ " from " ~ landing
            ~ " where _load_id in (" ~ earlier | join(', ') ~ ")"
        ).columns[0].values()[0] -%}
    {%- endif -%}

    {%- set timestamp = dbt.type_timestamp() -%}
    {%- set rows_sql -%}
        select
            arrived.*,
            row_number() over (order by send_date, row_number_in_batch) as row_number_in_run
        from (
            {%- for send_date in send_dates %}
            select
                '{{ send_date }}' as send_date,
                day_rows.*
            from ({{ mock_events_select(send_date, n_events, seed, load_id) }}) as day_rows
            {%- if not loop.first %}
            -- An earlier day's rows only for sends that landed: that day may have been drawn
            -- with another n_events, so with fewer sends.
            where day_rows.send_event_id in (
                select event_id from {{ landing }}
                where _load_id like 'mock:%:{{ seed }}' and event_type = 'Sent'
            )
            {%- endif %}
            {{ 'union all' if not loop.last }}
            {%- endfor %}
        ) as arrived
        where
            arrived._loaded_at <= cast('{{ cutoff }}' as {{ timestamp }})
            {%- if since %}
            and arrived._loaded_at > cast('{{ since }}' as {{ timestamp }})
            {%- endif %}
    {%- endset -%}
    {%- set columns = events_landing_columns() + ['_loaded_at', '_load_id'] -%}
    {%- do run_query(
        "insert into " ~ landing ~ " (" ~ columns | join(', ') ~ ") select "
        ~ columns | join(', ') ~ " from ("
        ~ mock_events_corrupt(rows_sql, seed, run_date, bad_per_million)
        ~ ") as mock_events"
    ) -%}
    {%- set added = run_query(
        "select count(*) from " ~ landing ~ " where _load_id = '" ~ load_id ~ "'"
        ~ (" and _loaded_at > cast('" ~ since ~ "' as " ~ timestamp ~ ")" if since else "")
    ).columns[0].values()[0] -%}
    {{ log("insert_mock_marketing_cloud_events: " ~ (
        "added " ~ added ~ " events that arrived by " ~ cutoff ~ " UTC"
        if added else "nothing new arrived by " ~ cutoff ~ " UTC"
    ) ~ " (batch " ~ load_id ~ ").", info=true) }}
    {{ return(added) }}
{% endmacro %}


{#- The moment the daily job for run_date lands its export: landed_by ('YYYY-MM-DD
    HH:MM:SS', UTC) if given, else run_date at var('mock_event_profile').landed_by_hour_utc,
    or now when that is still to come. As 'YYYY-MM-DD HH:MM:SS' text. -#}
{% macro mock_events_cutoff(run_date, landed_by=none) -%}
    {%- set datetime = modules.datetime -%}
    {%- if landed_by is not none and landed_by | string | trim != '' -%}
        {%- set text = landed_by | string | trim -%}
        {%- if not modules.re.match('^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$', text) -%}
            {{ exceptions.raise_compiler_error(
                "insert_mock_marketing_cloud_events: landed_by '" ~ text
                ~ "' is not a UTC time; pass it as 'YYYY-MM-DD HH:MM:SS'."
            ) }}
        {%- endif -%}
        {{ return(text) }}
    {%- endif -%}
    {%- set hour = var('mock_event_profile').landed_by_hour_utc | int -%}
    {%- set scheduled = datetime.datetime.combine(
        datetime.date.fromisoformat(run_date), datetime.time(hour)) -%}
    {%- set now = run_started_at.replace(tzinfo=none, microsecond=0) -%}
    {{ return((now if now < scheduled else scheduled).strftime('%Y-%m-%d %H:%M:%S')) }}
{%- endmacro %}


{#- Days after its send that a mock row can still arrive: an open up to a day and a half
    after delivery, landing up to six days late, its duplicate up to three days after that. -#}
{% macro mock_events_max_lateness_days() -%}
    {{ return(11) }}
{%- endmacro %}
