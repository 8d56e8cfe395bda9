#!/usr/bin/env bash
# The six development sets' recorded first answers through the current checks, the
# embedded model asked live where the checks now ask again (output: replay-dev.md).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
replay=reports/functions/dev2/replay_first_answers.py
for pair in \
  "reports/functions/functions.json src/toolpath/evals/functions_bench.yaml" \
  "reports/functions/dev2/third-run/rows.jsonl src/toolpath/evals/functions_dev2.yaml" \
  "reports/functions/dev3/second-run/rows.jsonl src/toolpath/evals/functions_dev3.yaml" \
  "reports/functions/fresh/third-run/rows.jsonl src/toolpath/evals/functions_fresh.yaml" \
  "reports/functions/fresh2/second-run/rows.jsonl src/toolpath/evals/functions_fresh2.yaml" \
  "reports/functions/fresh3/second-run/rows.jsonl src/toolpath/evals/functions_fresh3.yaml"; do
  echo "== $pair"
  # shellcheck disable=SC2086
  python "$replay" $pair --retry-live 2>/dev/null | grep "^|\|->"
done
