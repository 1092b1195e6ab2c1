{#-
    What a marketer takes for granted on every row (../shared/DOMAIN.md), checked on the
    columns the model has (read from the warehouse when the test runs):
    - every *_rate is NULL or between 0 and 1;
    - every human_X count is at most X (a rate is a ratio: a human click-to-open rate may
      exceed the overall one);
    - with a `sends` column, every other *_sends is at most sends, and
      opened_sends <= delivered_sends, clicked_sends <= opened_sends (a click is an open),
      human_clicked_sends <= human_opened_sends;
    - each [subset, total] pair in `subsets` (e.g. machine_open_events <= open_events).
    Returns one row per broken check per row of the model.
-#}
{% test kpi_invariants(model, subsets=[]) %}

{%- set columns = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- do columns.append(column.name | lower) -%}
    {%- endfor -%}
{%- endif -%}
{%- set checks = [] -%}
{%- for column in columns -%}
    {%- if column.endswith('_rate') -%}
        {%- do checks.append((column ~ ' outside [0, 1]', column ~ ' < 0 or ' ~ column ~ ' > 1')) -%}
    {%- endif -%}
    {%- if column.startswith('human_') and not column.endswith('_rate') and column[6:] in columns -%}
        {%- do checks.append((column ~ ' > ' ~ column[6:], column ~ ' > ' ~ column[6:])) -%}
    {%- endif -%}
    {%- if 'sends' in columns and column.endswith('_sends') -%}
        {%- do checks.append((column ~ ' > sends', column ~ ' > sends')) -%}
    {%- endif -%}
{%- endfor -%}
{%- set pairs = [
    ['opened_sends', 'delivered_sends'],
    ['clicked_sends', 'opened_sends'],
    ['human_clicked_sends', 'human_opened_sends'],
] + subsets -%}
{%- for subset, total in pairs if subset in columns and total in columns -%}
    {%- do checks.append((subset ~ ' > ' ~ total, subset ~ ' > ' ~ total)) -%}
{%- endfor -%}

{%- if checks %}
{%- for label, condition in checks %}
select '{{ label }}' as broken_invariant from {{ model }} where {{ condition }}
{{ 'union all' if not loop.last }}
{%- endfor %}
{%- else %}
select 'no KPI columns' as broken_invariant from {{ model }} where 1 = 0
{%- endif %}

{% endtest %}
