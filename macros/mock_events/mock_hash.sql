{#- Deterministic randomness of the mock events: md5, the same on every engine. -#}

{% macro mock_hash(seed, day_sql, unit_sql, purpose) -%}
    {#- Pseudo-random integer in [0, 2^32) for (seed, day, unit, purpose). -#}
    {%- set string = dbt.type_string() -%}
    {{ hash_int(dbt.concat([
        "'" ~ seed ~ "|'", 'cast(' ~ day_sql ~ ' as ' ~ string ~ ')', "'|'",
        'cast(' ~ unit_sql ~ ' as ' ~ string ~ ')', "'|" ~ purpose ~ "'",
    ])) }}
{%- endmacro %}


{#- True when mock_hash(...) falls below a share of [0, 2^32): a draw with that chance. -#}
{% macro mock_chance(seed, day_sql, unit_sql, purpose, share) -%}
    ({{ mock_hash(seed, day_sql, unit_sql, purpose) }} < {{ (share * 4294967296) | int }})
{%- endmacro %}
