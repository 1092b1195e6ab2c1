{#-
    Rows of fct_email_events_daily that break its contract, one row per (report_date,
    campaign_id, violation_type, column_name). Empty when all is well; a test fails the build
    otherwise.
    - NULL_KEY / DUPLICATE_GRAIN: the report_date x campaign_id grain is broken;
    - MISSING_ROW / EXTRA_ROW: a date and campaign the events have and the fact lacks, or
      the reverse;
    - VALUE_MISMATCH: a count or a rate (column_name says which) differs from this view's own
      recomputation from fct_email_events. The recomputation does not reuse what it checks:
      send outcomes are derived here again from the events' types and their machine-open and
      bot-click flags, grouped by the send's key columns (not fct_email_sends' flags), and
      every rate is written out below (not var('kpi_rates')).
-#}
{#- The SQL is macro daily_grain_violations (macros/daily_grain_violations.sql): this view
    checks the whole history (its has_no_rows test runs weekly and in every full build); the
    daily run checks the dates it wrote with the same SQL (test
    daily_grain_violations_in_latest_build on fct_email_events_daily). -#}
{{ daily_grain_violations() }}
