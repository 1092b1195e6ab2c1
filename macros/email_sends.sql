{#-
    The send: one message to one subscriber, SFMC's (JobID, ListID, BatchID, SubscriberKey).
    Triggered and journey emails reuse one JobID for many sends, so JobID x person is not a
    send (../shared/DOMAIN.md). Every event belongs to the send of its four key columns.
-#}
{% macro send_key_columns() -%}
    {{ return(['job_id', 'list_id', 'batch_id', 'subscriber_key']) }}
{%- endmacro %}


{#- The send's surrogate key: md5 over the canonical text of its key columns (any engine). -#}
{% macro send_id(relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- set columns = [] -%}
    {%- for column in send_key_columns() -%}
        {%- do columns.append(prefix ~ column) -%}
    {%- endfor -%}
    {{ canonical_hash(columns) }}
{%- endmacro %}


{#- The same send on both sides of a join (list_id and batch_id may be NULL). -#}
{% macro same_send(left, right) -%}
    {%- for column in send_key_columns() -%}
        {{ ' and ' if not loop.first }}{{ left }}.{{ column }} is not distinct from {{ right }}.{{ column }}
    {%- endfor -%}
{%- endmacro %}


{#- True when a user agent contains one of var('scanner_user_agents') (case-insensitive). -#}
{% macro has_scanner_user_agent(user_agent) -%}
    ({%- for agent in var('scanner_user_agents') -%}
        {{ ' or ' if not loop.first }}lower({{ user_agent }}) like '%{{ agent | lower }}%'
    {%- endfor -%})
{%- endmacro %}
