{#-
    The daily fact's rows the latest run wrote (`built_at` at its newest) match the audit's
    recomputation from the events (macro daily_grain_violations, the SQL of
    audit__daily_grain_violations): the whole-history audit at the cost of the run's dates.
    On a full build every row is the latest build's, so every date is checked. The
    whole-history check (audit__daily_grain_violations' has_no_rows, tag whole_table) runs
    weekly and in every full build, and catches a row no run wrote that went wrong (a manual
    fix, a restore, an old send changed outside the window).
-#}
{% test daily_grain_violations_in_latest_build(model, built_at='built_at') %}
{%- set report_dates = [] -%}
{#- Compiled before the model exists (`dbt compile` on a fresh warehouse): no dates. -#}
{%- if execute and load_relation(model) is not none -%}
    {#- The dates as constants, so the warehouse prunes the events by them. -#}
    {%- set written = run_query(
        'select distinct report_date from ' ~ model ~ ' where ' ~ built_at
        ~ ' = ' ~ latest_stamp(model, built_at) ~ ' and report_date is not null'
    ) -%}
    {%- set report_dates = written.columns[0].values() | list -%}
{%- endif %}

{{ daily_grain_violations(report_dates=report_dates) }}

{% endtest %}
