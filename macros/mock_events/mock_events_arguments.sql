{#- Arguments of insert_mock_marketing_cloud_events, validated: one sentence naming the fix. -#}

{% macro mock_events_run_date(run_date) -%}
    {%- if run_date is none or run_date == '' -%}
        {{ return(run_started_at.strftime('%Y-%m-%d')) }}
    {%- endif -%}
    {%- set text = run_date | string | trim -%}
    {%- set match = modules.re.match('^(\\d{4})-(\\d{2})-(\\d{2})$', text) -%}
    {%- set ns = namespace(valid=false) -%}
    {%- if match -%}
        {%- set year, month, day = match.group(1) | int, match.group(2) | int,
            match.group(3) | int -%}
        {%- if 1900 <= year <= 2999 and 1 <= month <= 12 and day >= 1 -%}
            {%- set next_month = modules.datetime.date(
                year + (month // 12), (month % 12) + 1, 1) -%}
            {%- set last_day = (next_month - modules.datetime.timedelta(days=1)).day -%}
            {%- set ns.valid = day <= last_day -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not ns.valid -%}
        {{ exceptions.raise_compiler_error(
            "insert_mock_marketing_cloud_events: run_date '" ~ text
            ~ "' is not a calendar date; pass it as YYYY-MM-DD, for example "
            ~ "--args '{run_date: \"2026-11-26\"}'."
        ) }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}


{% macro bounded_integer(name, value, minimum, maximum) -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.match('^-?\\d+$', text)
        or (text | int) < minimum or (text | int) > maximum -%}
        {{ exceptions.raise_compiler_error(
            "insert_mock_marketing_cloud_events: " ~ name ~ " must be a whole number from "
            ~ minimum ~ " to " ~ maximum ~ ", not '" ~ text ~ "'."
        ) }}
    {%- endif -%}
    {{ return(text | int) }}
{%- endmacro %}


{% macro bounded_share(name, value) -%}
    {#- A share from 0 to 1, returned as parts per million. -#}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.match('^(0|1|0?\\.\\d+|1\\.0+)$', text) -%}
        {{ exceptions.raise_compiler_error(
            "insert_mock_marketing_cloud_events: " ~ name ~ " must be a number from 0 to 1, "
            ~ "not '" ~ text ~ "'."
        ) }}
    {%- endif -%}
    {{ return(((text | float) * 1000000) | round | int) }}
{%- endmacro %}
