{#-
    How dbt seeds a CSV on Snowflake: dbt-snowflake's own way (inserts of get_batch_size()
    rows, each between BEGIN and COMMIT, values bound client side by the connector), with one
    row per line. dbt-snowflake splits each statement it sends with the Snowflake connector's
    split_statements (snowflake/connector/util_text.py), which slices the rest of the current
    line at every character: on one line, as dbt writes it, a 10,000-row insert costs the
    square of its length. Seeding marketing_cloud_events (10,145 rows) spent 19 s in that
    split, client side, against real Snowflake as against the emulator; a line per row makes
    the split linear. Snowflake takes at most 16,384 rows in one VALUES list
    (docs.snowflake.com/en/sql-reference/sql/insert); dbt's batch is 10,000.
-#}
{% macro snowflake__load_csv_rows(model, agate_table) -%}
    {%- set columns = get_seed_column_quoted_csv(model, agate_table.column_names) -%}
    {%- set placeholders = (
        '(' ~ ([get_binding_char()] * (agate_table.column_names | length)) | join(', ') ~ ')'
    ) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set bindings = [] -%}
        {%- for row in chunk -%}
            {%- do bindings.extend(row) -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' (' ~ columns ~ ') values\n'
            ~ ([placeholders] * (chunk | length)) | join(',\n') -%}
        {%- do adapter.add_query('BEGIN', auto_begin=False) -%}
        {%- do adapter.add_query(sql, bindings=bindings, abridge_sql_log=True) -%}
        {%- do adapter.add_query('COMMIT', auto_begin=False) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {#- The first insert is the seed's compiled SQL (dbt writes it to target/). -#}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}
