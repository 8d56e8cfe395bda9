#!/usr/bin/env bash
# The recorded first answers of the twelve spent sets through the current checks, offline:
# session 14's ten, then fresh8 (its second run, on session 14's final code) and fresh9 (its
# blind first run), both read in session 15. No LLM call: where the checks would ask the
# model again, the recorded result stands.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session14/replay_offline.sh
for set in "fresh8/second-run fresh8" "fresh9 fresh9"; do
  read -r rows name <<<"$set"
  echo "== reports/functions/$rows/rows.jsonl src/toolpath/evals/functions_$name.yaml"
  python reports/functions/dev2/replay_first_answers.py \
    "reports/functions/$rows/rows.jsonl" "src/toolpath/evals/functions_$name.yaml" 2>/dev/null
done
