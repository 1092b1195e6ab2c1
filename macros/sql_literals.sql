{#- Python values from the Jinja context as SQL literals, the same on every engine. -#}

{#- A Python value as a SQL literal: NULL, a number, or quoted text (at most `limit`
    characters). -#}
{% macro sql_literal(value, limit=4000) -%}
    {%- if value is none or value is undefined -%}
        null
    {%- elif value is number and value is not boolean -%}
        {{ value }}
    {%- else -%}
        '{{ (value | string)[:limit] | replace("'", "''") }}'
    {%- endif -%}
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
