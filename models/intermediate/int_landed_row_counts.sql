{#-
    Rows landed and rows quarantined, per landing batch (load_id) and landed date, counted
    once: audit__threshold_checks' quarantine_share reads these few rows instead of every
    staged row, which each of that view's four tests would otherwise scan every day
    (bench/daily_cost_bench.py). Rows landed without a _loaded_at count under 1900-01-01.

    Incremental on load_id, as stg_marketing_cloud_events is: a run counts the batches staged
    since the latest it counted (staged_at after that stamp, read as a constant when the run
    starts: macro latest_stamp) and replaces each such batch's rows whole, as staging
    replaced the batch. Stamps are run starts, one job at a time, so they only grow. A batch
    that leaves staging (deleted from raw, then staging fully refreshed) stays here until
    this model is fully refreshed too: refresh the two together (`--full-refresh --select
    stg_marketing_cloud_events+`), as every full build does.
-#}
{{ config(materialized='incremental', unique_key='load_id') }}

select
    load_id,
    {{ landed_date('loaded_at') }} as load_date,
    max(staged_at) as staged_at,
    count(*) as landed_rows,
    {{ count_if('rejection_reason is not null') }} as quarantined_rows

from {{ ref('stg_marketing_cloud_events') }}
-- noqa: disable=LT02
{%- if is_incremental() %}
where
    staged_at > coalesce(
        {{ latest_stamp(this, 'staged_at') }}, cast('1900-01-01' as {{ dbt.type_timestamp() }})
    )
{%- endif %}
-- noqa: enable=LT02
group by load_id, {{ landed_date('loaded_at') }}
