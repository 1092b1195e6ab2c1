{#- Python values from the Jinja context as SQL literals, the same on every engine. -#}

{#- A Python value as a SQL literal: NULL, a number, or quoted text (at most `limit`
    characters) that every engine reads as the same string. -#}
{% macro sql_literal(value, limit=4000) -%}
    {%- if value is none or value is undefined -%}
        null
    {%- elif value is number and value is not boolean -%}
        {{ value }}
    {%- else -%}
        '{{ adapter.dispatch('escape_text', 'email_mart')((value | string)[:limit]) }}'
    {%- endif -%}
{%- endmacro %}


{#- Text for a single-quoted string literal. A quote is doubled (standard SQL, and DuckDB
    reads a backslash as itself). -#}
{% macro default__escape_text(text) -%}
    {{ text | replace("'", "''") }}
{%- endmacro %}


{#- Snowflake reads backslash escape sequences in single-quoted strings ('\n' is a newline,
    a backslash before another character is dropped: docs.snowflake.com/en/sql-reference/data-types-text,
    "Escape sequences in single-quoted string constants"), so a backslash is doubled too:
    'C:\\new' is the text C:\new, as DuckDB reads 'C:\new'. -#}
{% macro snowflake__escape_text(text) -%}
    {{ text | replace("\\", "\\\\") | replace("'", "''") }}
{%- endmacro %}


{#- A Python datetime as a SQL timestamp (NULL for none), to the microsecond: run_started_at
    stamps rows with the run that wrote them (staged_at, built_at) and the run history. -#}
{% macro sql_timestamp(value) -%}
    {%- if value is none or value is undefined -%}
        cast(null as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ value.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}
