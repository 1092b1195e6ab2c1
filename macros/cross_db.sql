{#- Engine-specific SQL, one macro each, with default__/duckdb__/snowflake__ versions. -#}

{#- An integer from eight hexadecimal digits (0 to 4294967295). -#}
{% macro hex8_to_int(hex_text) -%}
    {{ return(adapter.dispatch('hex8_to_int', 'email_mart')(hex_text)) }}
{%- endmacro %}

{% macro default__hex8_to_int(hex_text) -%}
    cast(('0x' || {{ hex_text }}) as bigint)
{%- endmacro %}

{% macro snowflake__hex8_to_int(hex_text) -%}
    to_number({{ hex_text }}, 'XXXXXXXX')
{%- endmacro %}


{#-
    A deterministic pseudo-random integer in [0, 4294967296) from a text key: the same on
    every engine (integer arithmetic only, so no engine's decimal rounding can differ).
-#}
{% macro hash_int(key_sql) -%}
    {{ hex8_to_int('substr(md5(' ~ key_sql ~ '), 1, 8)') }}
{%- endmacro %}


{#- Rows numbered 0 to n - 1 in a column named `n`. -#}
{% macro integer_series(count) -%}
    {{ return(adapter.dispatch('integer_series', 'email_mart')(count)) }}
{%- endmacro %}

{% macro default__integer_series(count) -%}
    select cast(generate_series as bigint) as n
    from generate_series(0, {{ count }} - 1)
{%- endmacro %}

{% macro snowflake__integer_series(count) -%}
    select row_number() over (order by seq8()) - 1 as n
    from table(generator(rowcount => {{ count }}))
{%- endmacro %}


{#- Timestamp → text 'YYYY-MM-DD HH:MM:SS' (no fraction, no zone). -#}
{% macro timestamp_text(timestamp_sql) -%}
    {{ return(adapter.dispatch('timestamp_text', 'email_mart')(timestamp_sql)) }}
{%- endmacro %}

{% macro default__timestamp_text(timestamp_sql) -%}
    strftime({{ timestamp_sql }}, '%Y-%m-%d %H:%M:%S')
{%- endmacro %}

{% macro snowflake__timestamp_text(timestamp_sql) -%}
    to_char({{ timestamp_sql }}, 'YYYY-MM-DD HH24:MI:SS')
{%- endmacro %}


{#- Text → timestamp, NULL when the text is not a timestamp (try_cast on both engines). -#}
{% macro safe_timestamp(text_sql) -%}
    try_cast({{ text_sql }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

