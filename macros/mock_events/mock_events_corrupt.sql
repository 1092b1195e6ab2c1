{#-
    bad_rate: a share of the mock rows (parts per million) corrupted, one kind of bad input
    each, the kinds of var('mock_event_profile').bad_row_kinds (harness/generate.py injects
    the same): nine quarantined with that rejection reason, three valid and kept (SQL-looking
    text stored as data, an unknown person, an event id repeated with another payload).
    `rows_sql` selects landing rows numbered by row_number_in_run, their order in the run.
-#}
{% macro mock_events_corrupt(rows_sql, seed, run_date, bad_per_million) -%}
{%- set kinds = var('mock_event_profile').bad_row_kinds -%}
{%- set day = "cast('" ~ run_date ~ "' as date)" -%}
{%- set string = dbt.type_string() -%}
{%- set code = {} -%}
{%- for kind in kinds -%}{%- do code.update({kind: loop.index0}) -%}{%- endfor -%}
with

landed as (
    {{ rows_sql }}
),

marked as (
    select
        landed.*,
        case
            when mod({{ mock_hash(seed, day, 'row_number_in_run', 'bad') }}, 1000000)
                < {{ bad_per_million }}
                then mod({{ mock_hash(seed, day, 'row_number_in_run', 'kind') }},
                    {{ kinds | length }})
        end as bad_kind
    from landed
),

corrupted as (
    select
        case
            when bad_kind = {{ code.MISSING_EVENT_ID }} then ''
            when bad_kind = {{ code.CONFLICTING_DUPLICATE }}
                then lag(event_id) over (order by row_number_in_run)
            else event_id
        end as event_id,
        case when bad_kind = {{ code.UNKNOWN_EVENT_TYPE }} then 'Forwarded' else event_type end
            as event_type,
        account_id,
        case when bad_kind = {{ code.MISSING_JOB_ID }} then ' ' else job_id end as job_id,
        list_id,
        batch_id,
        subscriber_id,
        case
            when bad_kind = {{ code.UNKNOWN_PERSON }}
                then {{ dbt.concat(["'0035g000NOBODY'",
                    "cast(mod(row_number_in_run, 1000) as " ~ string ~ ")"]) }}
            when bad_kind = {{ code.MISSING_SUBSCRIBER_KEY }} then ''
            else subscriber_key
        end as subscriber_key,
        campaign_id,
        case
            when bad_kind = {{ code.UNPARSEABLE_TIMESTAMP }} then 'not a timestamp'
            when bad_kind = {{ code.TIMESTAMP_IN_FUTURE }} then '2099-01-01 00:00:00'
            -- Before var('event_time_floor') (2000-01-01) in UTC too: CST is UTC-6.
            when bad_kind = {{ code.TIMESTAMP_BEFORE_FLOOR }} then '1999-06-30 12:00:00'
            else event_date
        end as event_date,
        email_domain,
        case
            when bad_kind = {{ code.INVALID_TEXT }}
                then {{ dbt.concat(["'https://x.example/'", "chr(65533)"]) }}
            else url
        end as url,
        case
            when bad_kind = {{ code.SQL_LOOKING_TEXT }} then 'x''); drop table raw.events; --'
            else link_name
        end as link_name,
        bounce_category,
        bounce_subcategory,
        smtp_code,
        ip_address,
        case when bad_kind = {{ code.OVERSIZED_TEXT }} then repeat('x', 3000) else user_agent end
            as user_agent,
        -- SFMC's IsUnique comes only with its data views (harness/exports.py).
        cast(null as {{ string }}) as is_unique,
        _loaded_at,
        _load_id
    from marked
)

select * from corrupted
{%- endmacro %}
