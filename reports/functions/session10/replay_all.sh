#!/usr/bin/env bash
# The five development sets of session 10 through the checks (output: replay-dev.md).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
reports/functions/replay_sets.sh \
  "reports/functions/functions.json src/toolpath/evals/functions_bench.yaml" \
  "reports/functions/dev2/third-run/rows.jsonl src/toolpath/evals/functions_dev2.yaml" \
  "reports/functions/dev3/second-run/rows.jsonl src/toolpath/evals/functions_dev3.yaml" \
  "reports/functions/fresh/third-run/rows.jsonl src/toolpath/evals/functions_fresh.yaml" \
  "reports/functions/fresh2/second-run/rows.jsonl src/toolpath/evals/functions_fresh2.yaml"
