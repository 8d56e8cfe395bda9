#!/usr/bin/env bash
# The recorded first answers of the twenty-two spent sets through the current checks,
# offline: session 21's nineteen, then fresh17, fresh18 and fresh19 (their blind first runs,
# read in session 22: fresh19 after the rules of de559f0). No LLM call.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session21/replay_offline.sh
for set in fresh17 fresh18 fresh19; do
  echo "== reports/functions/$set/rows.jsonl src/toolpath/evals/functions_$set.yaml"
  python reports/functions/dev2/replay_first_answers.py "reports/functions/$set/rows.jsonl" \
    "src/toolpath/evals/functions_$set.yaml" 2>/dev/null
done
