{#-
    dbt run-operation drop_prefixed_schemas --args "{prefix: 'pr_123_'}"

    Drops every schema a run with that prefix (a CI pull request's) can create: the prefix
    and each schema of the project's nodes (staging, marts, audit, the seeds' salesforce and
    raw) and of the run history and landing table (raw); never the unprefixed production
    ones: the prefix must be lower-case letters, digits and underscores, ending in an
    underscore. A schema that does not exist is skipped.
-#}
{% macro drop_prefixed_schemas(prefix) %}
    {%- if not modules.re.match('^[a-z0-9_]+_$', prefix | string) -%}
        {{ exceptions.raise_compiler_error(
            "drop_prefixed_schemas: prefix '" ~ prefix ~ "' is not of the form pr_123_ "
            ~ "(lower-case letters, digits, underscores, ending in '_'); nothing was dropped."
        ) }}
    {%- endif -%}
    {%- set layers = ['raw'] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.config.schema and node.config.schema not in layers -%}
            {%- do layers.append(node.config.schema) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for layer in layers | sort -%}
        {%- set relation = api.Relation.create(database=target.database, schema=prefix ~ layer) -%}
        {%- if adapter.check_schema_exists(target.database, prefix ~ layer) -%}
            {%- do adapter.drop_schema(relation) -%}
            {{ log("Dropped schema " ~ relation.database ~ "." ~ relation.schema, info=true) }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
