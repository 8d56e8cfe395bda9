#!/usr/bin/env bash
# The recorded first answers of the named sets' runs (reports/functions/SET/rows.jsonl)
# through the current checks, offline: one table per set, and the questions whose result
# changed. Sets without a run are skipped. No LLM call.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
for set in "$@"; do
  if [ -f "reports/functions/$set/rows.jsonl" ]; then
    echo "== reports/functions/$set/rows.jsonl src/toolpath/evals/functions_$set.yaml"
    python reports/functions/dev2/replay_first_answers.py "reports/functions/$set/rows.jsonl" \
      "src/toolpath/evals/functions_$set.yaml" 2>/dev/null
  fi
done
