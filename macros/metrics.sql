{#- Ratio of two sums; NULL (never 0, never an error) when the denominator is 0 or NULL. -#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0)
{%- endmacro %}


{#- 1 when the condition holds, else 0, for counting with sum(). -#}
{% macro count_if(condition) -%}
    sum(case when {{ condition }} then 1 else 0 end)
{%- endmacro %}


{#-
    md5 over a canonical text form of columns: NULL is '<null>', columns joined by '|'.
    The same digest on every engine for the same text values.
-#}
{% macro canonical_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    md5({{ dbt.concat(parts) }})
{%- endmacro %}


{#-
    The rate columns of a model, from var('kpi_rates')[model_name]: one
    `safe_divide(numerator, denominator) as <rate>,` per rate, in the order declared (each
    followed by a comma; write more columns after it). Both are columns of the same row.
-#}
{% macro kpi_rate_columns(model_name) -%}
    {%- for rate, definition in var('kpi_rates')[model_name].items() %}
        {{ safe_divide(definition.numerator, definition.denominator) }} as {{ rate }},
    {%- endfor %}
{%- endmacro %}
