#!/usr/bin/env bash
# The recorded first answers of the nine spent sets through the current checks, offline
# (no LLM call: where the checks would ask the model again, the recorded result stands).
# Output: one table per set, and the questions whose result changed.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
replay=reports/functions/dev2/replay_first_answers.py
for pair in \
  "reports/functions/functions.json src/toolpath/evals/functions_bench.yaml" \
  "reports/functions/dev2/third-run/rows.jsonl src/toolpath/evals/functions_dev2.yaml" \
  "reports/functions/dev3/second-run/rows.jsonl src/toolpath/evals/functions_dev3.yaml" \
  "reports/functions/fresh/third-run/rows.jsonl src/toolpath/evals/functions_fresh.yaml" \
  "reports/functions/fresh2/second-run/rows.jsonl src/toolpath/evals/functions_fresh2.yaml" \
  "reports/functions/fresh3/second-run/rows.jsonl src/toolpath/evals/functions_fresh3.yaml" \
  "reports/functions/fresh4/second-run/rows.jsonl src/toolpath/evals/functions_fresh4.yaml" \
  "reports/functions/fresh5/second-run/rows.jsonl src/toolpath/evals/functions_fresh5.yaml" \
  "reports/functions/fresh6/second-run/rows.jsonl src/toolpath/evals/functions_fresh6.yaml"; do
  echo "== $pair"
  # shellcheck disable=SC2086
  python "$replay" $pair 2>/dev/null
done
