#!/usr/bin/env bash
# The recorded first answers of the twenty-four spent sets through the current checks,
# offline: session 23's twenty-three, then fresh21 (its blind first run, read in session 24
# after the rules of that session's code). No LLM call.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session23/replay_offline.sh
for set in fresh21; do
  echo "== reports/functions/$set/rows.jsonl src/toolpath/evals/functions_$set.yaml"
  python reports/functions/dev2/replay_first_answers.py "reports/functions/$set/rows.jsonl" \
    "src/toolpath/evals/functions_$set.yaml" 2>/dev/null
done
