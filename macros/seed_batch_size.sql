{#-
    Rows per insert when dbt seeds a CSV on Snowflake (dbt's default: 10,000). dbt-snowflake
    splits each insert's SQL into statements with the Snowflake connector's split_statements
    (snowflake/connector/util_text.py), which slices the rest of a line at every character:
    its cost grows with the square of the statement's length, and a 10,000-row insert is one
    line. Seeding marketing_cloud_events (10,145 rows) spent 19 s there, client side, the same
    against real Snowflake as against the emulator; in inserts of 1,000 rows, about 1 s.
    Snowflake takes at most 16,384 rows in one VALUES list (docs.snowflake.com/en/sql-reference/sql/insert).
-#}
{% macro snowflake__get_batch_size() -%}
    {{ return(1000) }}
{%- endmacro %}
