{#-
    Schemas are the layer names themselves (raw, staging, marts, audit), locally and in
    production. A target may prefix every schema through the environment variable
    MART_SCHEMA_PREFIX, for example a per-pull-request schema on a CI target.
-#}
{% macro schema_prefix() -%}
    {{ return(env_var('MART_SCHEMA_PREFIX', '')) }}
{%- endmacro %}


{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ schema_prefix() ~ target.schema | trim }}
    {%- else -%}
        {{ schema_prefix() ~ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
