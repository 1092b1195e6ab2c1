{#-
    A node's query_tag on Snowflake, without three round trips per node when the session
    already carries it. dbt-snowflake's materializations (model, seed, test, snapshot) call
    set_query_tag before a node's statements and unset_query_tag after: `show parameters
    like 'query_tag' in session`, `alter session set query_tag`, and `alter session set`
    (or `unset`) back (dbt/include/snowflake/macros/adapters.sql;
    docs.getdbt.com/reference/resource-configs/snowflake-configs, query tags). Every node of
    this project has query_tag email_mart (dbt_project.yml), and every connection of every
    environment opens with the same tag (the profile's query_tag, or the dbt Cloud
    environment's extended attributes: README, dbt Cloud setup, step 3), so the three
    statements changed nothing: 486 of a full build's 920 statements on the emulator. When
    the node's tag is the connection's, neither macro sends anything; otherwise (a
    connection opened without the tag, or a node given another one) dbt-snowflake's own
    macros set and restore it, as before.
-#}
{% macro snowflake__set_query_tag() -%}
    {%- if _query_tag_is_the_connections() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(dbt.snowflake__set_query_tag()) }}
{%- endmacro %}

{% macro snowflake__unset_query_tag(original_query_tag) -%}
    {%- if _query_tag_is_the_connections() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(dbt.snowflake__unset_query_tag(original_query_tag)) }}
{%- endmacro %}

{% macro _query_tag_is_the_connections() -%}
    {%- set tag = config.get('query_tag') -%}
    {{ return(tag is not none and tag != '' and tag == target.get('query_tag')) }}
{%- endmacro %}
