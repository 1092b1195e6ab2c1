{#-
    dbt run-operation drop_prefixed_schemas --args "{prefix: 'pr_123_'}"

    Drops the layer schemas of one schema prefix (a CI pull request's), never the
    unprefixed production ones: the prefix must be lower-case letters, digits and
    underscores, ending in an underscore.
-#}
{% macro drop_prefixed_schemas(prefix) %}
    {%- if not modules.re.match('^[a-z0-9_]+_$', prefix | string) -%}
        {{ exceptions.raise_compiler_error(
            "drop_prefixed_schemas: prefix '" ~ prefix ~ "' is not of the form pr_123_ "
            ~ "(lower-case letters, digits, underscores, ending in '_'); nothing was dropped."
        ) }}
    {%- endif -%}
    {%- for layer in ['raw', 'staging', 'marts', 'audit'] -%}
        {%- set relation = api.Relation.create(database=target.database, schema=prefix ~ layer) -%}
        {%- do adapter.drop_schema(relation) -%}
        {{ log("Dropped schema " ~ relation.database ~ "." ~ relation.schema, info=true) }}
    {%- endfor -%}
{% endmacro %}
