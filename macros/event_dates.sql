{#-
    SFMC's EventDate, parsed the same way on every engine. try_cast(text as timestamp) follows
    each engine's own rules (Snowflake's TIMESTAMP_INPUT_FORMAT AUTO guesses many formats and
    reads integers as epoch seconds, docs.snowflake.com/en/sql-reference/date-time-input-output;
    DuckDB accepts 'infinity' and 24:00:00), so the same row would be an event on one engine
    and quarantined on the other. Instead exactly two formats are accepted:
    - ISO:       YYYY-MM-DD HH:MM:SS with an optional .fraction (1 to 9 digits, kept to
                 microseconds);
    - SFMC's US: M/D/YYYY h:mm:ss AM|PM (the default of a US-locale export).
    The text's shape is checked by an anchored regular expression (REGEXP_LIKE on Snowflake,
    regexp_full_match on DuckDB), its parts are cut with split_part/substr and checked as
    numbers (months 1-12, days of that month with leap years, hours, minutes, seconds
    0-59), and only then built into a timestamp without a time zone. Anything else is NULL
    (UNPARSEABLE_TIMESTAMP in staging).
-#}
{% macro parse_sfmc_event_date(text_sql) -%}
    {%- set iso = "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?$" -%}
    {%- set us = "^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{1,2}:[0-9]{2}:[0-9]{2} [AaPp][Mm]$" -%}
    {#- Past the last part, split_part is '' on Snowflake and NULL on DuckDB: coalesced. -#}
    {%- set date_part = dbt.split_part(text_sql, "' '", 1) -%}
    {%- set time_part = dbt.split_part(text_sql, "' '", 2) -%}
    {%- set parts = {
        'iso': {
            'year': 'substr(' ~ text_sql ~ ', 1, 4)',
            'month': 'substr(' ~ text_sql ~ ', 6, 2)',
            'day': 'substr(' ~ text_sql ~ ', 9, 2)',
            'hour': 'substr(' ~ text_sql ~ ', 12, 2)',
            'minute': 'substr(' ~ text_sql ~ ', 15, 2)',
            'second': 'substr(' ~ text_sql ~ ', 18, 2)',
            'micro': "substr(rpad(coalesce(" ~ dbt.split_part(text_sql, "'.'", 2)
                ~ ", ''), 6, '0'), 1, 6)",
        },
        'us': {
            'year': dbt.split_part(date_part, "'/'", 3),
            'month': dbt.split_part(date_part, "'/'", 1),
            'day': dbt.split_part(date_part, "'/'", 2),
            'hour': dbt.split_part(time_part, "':'", 1),
            'minute': dbt.split_part(time_part, "':'", 2),
            'second': dbt.split_part(time_part, "':'", 3),
            'micro': "'0'",
        },
    } -%}
    case
        when {{ matches_whole(text_sql, iso) }}
            then {{ checked_timestamp(parts.iso, 0, 23) }}
        when {{ matches_whole(text_sql, us) }}
            then {{ checked_timestamp(parts.us, 1, 12,
                pm='upper(' ~ dbt.split_part(text_sql, "' '", 3) ~ ") = 'PM'") }}
    end
{%- endmacro %}


{#- A timestamp from text parts, or NULL when any part is out of its range. With `pm`, the
    hour is a 12-hour clock hour (12 AM is 0, 12 PM is 12). -#}
{% macro checked_timestamp(parts, first_hour, last_hour, pm=none) -%}
    {%- set number = {} -%}
    {%- for name, text in parts.items() -%}
        {%- do number.update({name: 'try_cast(' ~ text ~ ' as integer)'}) -%}
    {%- endfor -%}
    {%- set hour = number.hour if pm is none else
        'mod(' ~ number.hour ~ ', 12) + case when ' ~ pm ~ ' then 12 else 0 end' -%}
    {%- set leap = '(mod(' ~ number.year ~ ', 4) = 0 and (mod(' ~ number.year
        ~ ', 100) != 0 or mod(' ~ number.year ~ ', 400) = 0))' -%}
    case
        when
            {{ number.month }} between 1 and 12
            and {{ number.day }} between 1 and case
                when {{ number.month }} = 2 then case when {{ leap }} then 29 else 28 end
                when {{ number.month }} in (4, 6, 9, 11) then 30
                else 31
            end
            and {{ number.hour }} between {{ first_hour }} and {{ last_hour }}
            and {{ number.minute }} between 0 and 59
            and {{ number.second }} between 0 and 59
            then {{ timestamp_from_parts(number.year, number.month, number.day, hour,
                number.minute, number.second, number.micro) }}
    end
{%- endmacro %}


{#- True when the whole text matches the (anchored) regular expression. -#}
{% macro matches_whole(text_sql, pattern) -%}
    {{ return(adapter.dispatch('matches_whole', 'email_mart')(text_sql, pattern)) }}
{%- endmacro %}

{% macro default__matches_whole(text_sql, pattern) -%}
    {{ exceptions.raise_compiler_error(
        "matches_whole has no version for adapter " ~ adapter.type() ~ "; add one."
    ) }}
{%- endmacro %}

{% macro snowflake__matches_whole(text_sql, pattern) -%}
    regexp_like({{ text_sql }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__matches_whole(text_sql, pattern) -%}
    regexp_full_match({{ text_sql }}, '{{ pattern }}')
{%- endmacro %}


{#- A timestamp without a time zone from integer parts (valid ones: checked_timestamp). -#}
{% macro timestamp_from_parts(year, month, day, hour, minute, second, microsecond) -%}
    {{ return(adapter.dispatch('timestamp_from_parts', 'email_mart')(
        year, month, day, hour, minute, second, microsecond)) }}
{%- endmacro %}

{% macro default__timestamp_from_parts(year, month, day, hour, minute, second, microsecond) -%}
    {{ exceptions.raise_compiler_error(
        "timestamp_from_parts has no version for adapter " ~ adapter.type() ~ "; add one."
    ) }}
{%- endmacro %}

{% macro snowflake__timestamp_from_parts(year, month, day, hour, minute, second, microsecond) -%}
    timestamp_ntz_from_parts({{ year }}, {{ month }}, {{ day }}, {{ hour }}, {{ minute }},
        {{ second }}, {{ microsecond }} * 1000)
{%- endmacro %}

{% macro duckdb__timestamp_from_parts(year, month, day, hour, minute, second, microsecond) -%}
    make_timestamp({{ year }}, {{ month }}, {{ day }}, {{ hour }}, {{ minute }},
        {{ second }} + {{ microsecond }} / 1000000.0)
{%- endmacro %}


{#-
    dbt's type_timestamp() is plain TIMESTAMP, which on Snowflake means whatever the
    account's TIMESTAMP_TYPE_MAPPING says (LTZ would make dateadd and datediff follow the
    session's time zone and its daylight saving). Every timestamp here is UTC without a
    zone: TIMESTAMP_NTZ, explicitly (dispatch order in dbt_project.yml).
-#}
{% macro snowflake__type_timestamp() -%}
    timestamp_ntz
{%- endmacro %}
