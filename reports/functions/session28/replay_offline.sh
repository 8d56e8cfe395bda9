#!/usr/bin/env bash
# The recorded first answers of the spent sets through the current checks, offline:
# session 27's twenty-seven, then fresh25 (its blind first run, read in session 28 after it).
# No LLM call.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session27/replay_offline.sh
for set in fresh25; do
  if [ -f "reports/functions/$set/rows.jsonl" ]; then
    echo "== reports/functions/$set/rows.jsonl src/toolpath/evals/functions_$set.yaml"
    python reports/functions/dev2/replay_first_answers.py "reports/functions/$set/rows.jsonl" \
      "src/toolpath/evals/functions_$set.yaml" 2>/dev/null
  fi
done
