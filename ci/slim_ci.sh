#!/usr/bin/env bash
# Slim CI for a pull request: the one definition of its steps, run by
# .github/workflows/snowflake_slim_ci.yml on Snowflake and rehearsed by the test suite on the
# emulator (tests/python/test_production.py).
#
#   bash ci/slim_ci.sh prod-manifest REF DIR   production's manifest of git REF (e.g.
#                                              origin/main), parsed as production, into DIR
#   bash ci/slim_ci.sh build DIR               clone the changed incremental models from
#                                              production, then build what changed and its
#                                              children, deferring the rest to production
#   bash ci/slim_ci.sh cleanup                 drop every schema of the pull request's prefix
#
# The environment says where: DBT_MART_ENVIRONMENT=ci, DBT_MART_SCHEMA_PREFIX=pr_<n>_ (the
# pull request's schemas), DBT_TARGET (default snowflake) and the target's own variables.
# Steps as dbt documents them: state:modified+ with --defer and --state
# (docs.getdbt.com/reference/node-selection/defer), and incremental models cloned first, so
# a pull request runs their incremental branch as production will
# (docs.getdbt.com/best-practices/clone-incremental-models; state:old leaves out models that
# are new in the pull request, which must be built in full).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${DBT_TARGET:-snowflake}"
dbt=(.venv/bin/dbt --no-use-colors)
project=(--profiles-dir profiles --target "$target")

case "${1:-}" in
    prod-manifest)
        ref="${2:?the git ref of production, e.g. origin/main}"
        state="$(realpath -m "${3:?the folder for the production manifest}")"
        worktree="$(mktemp -d)"
        trap 'git worktree remove --force "$worktree"' EXIT
        git worktree add --detach "$worktree" "$ref" >/dev/null
        (cd "$worktree" && DBT_MART_ENVIRONMENT=prod DBT_MART_SCHEMA_PREFIX= \
            "$OLDPWD/.venv/bin/dbt" --no-use-colors parse --profiles-dir profiles \
            --target "$target" --target-path "$state")
        echo "Production's manifest: $state/manifest.json"
        ;;
    build)
        state="${2:?the folder holding the production manifest.json}"
        : "${DBT_MART_SCHEMA_PREFIX:?set DBT_MART_SCHEMA_PREFIX to the prefix of the pull request, e.g. pr_42_}"
        "${dbt[@]}" clone --select state:modified+,config.materialized:incremental,state:old \
            --state "$state" "${project[@]}"
        "${dbt[@]}" build --select state:modified+ --defer --state "$state" "${project[@]}"
        ;;
    cleanup)
        : "${DBT_MART_SCHEMA_PREFIX:?set DBT_MART_SCHEMA_PREFIX to the prefix of the pull request, e.g. pr_42_}"
        "${dbt[@]}" run-operation drop_prefixed_schemas "${project[@]}" \
            --args "{prefix: '${DBT_MART_SCHEMA_PREFIX}'}"
        ;;
    *)
        echo "usage: bash ci/slim_ci.sh prod-manifest REF DIR | build DIR | cleanup" >&2
        exit 2
        ;;
esac
