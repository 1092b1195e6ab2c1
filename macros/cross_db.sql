{#- Engine-specific SQL, one macro each, with default__/duckdb__/snowflake__ versions. -#}

{#-
    A deterministic pseudo-random integer in [0, 4294967296) from a text key: the first eight
    hex digits of its md5, read digit by digit with position() (plain SQL that every engine,
    and the Snowflake emulator, evaluates alike; integer arithmetic only).
-#}
{% macro hash_int(key_sql) -%}
    {%- set digest = 'md5(' ~ key_sql ~ ')' -%}
    (
    {%- for i in range(8) %}
        {{ '+ ' if not loop.first }}(position(substr({{ digest }}, {{ i + 1 }}, 1) in '0123456789abcdef') - 1)
            * {{ 16 ** (7 - i) }}
    {%- endfor %}
    )
{%- endmacro %}


{#- Rows numbered 0 to n - 1 in a column named `n`. -#}
{% macro integer_series(count) -%}
    {{ return(adapter.dispatch('integer_series', 'email_mart')(count)) }}
{%- endmacro %}

{% macro default__integer_series(count) -%}
    {{ exceptions.raise_compiler_error(
        "integer_series has no version for adapter " ~ adapter.type() ~ "; add one."
    ) }}
{%- endmacro %}

{% macro duckdb__integer_series(count) -%}
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
    {{ exceptions.raise_compiler_error(
        "timestamp_text has no version for adapter " ~ adapter.type() ~ "; add one."
    ) }}
{%- endmacro %}

{% macro duckdb__timestamp_text(timestamp_sql) -%}
    strftime({{ timestamp_sql }}, '%Y-%m-%d %H:%M:%S')
{%- endmacro %}

{% macro snowflake__timestamp_text(timestamp_sql) -%}
    to_char({{ timestamp_sql }}, 'YYYY-MM-DD HH24:MI:SS')
{%- endmacro %}


{#-
    Placed after `as` in a CTE read more than once, so each reader recomputes it instead of
    the engine storing it whole. DuckDB stores every CTE read twice, all its rows and
    columns (millions of wide rows spill to disk), when each reader needs a few columns or a
    few rows; Snowflake decides by itself and gets nothing.
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'email_mart')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
