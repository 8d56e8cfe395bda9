#!/usr/bin/env bash
# The recorded first answers of the twelve spent sets through the current checks, offline:
# session 14's ten, then fresh8 (its second run, on session 14's final code) and fresh9 (its
# blind first run), both read in session 15. No LLM call: where the checks would ask the
# model again, the recorded result stands.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session14/replay_offline.sh
echo "== reports/functions/fresh8/second-run/rows.jsonl src/toolpath/evals/functions_fresh8.yaml"
python reports/functions/dev2/replay_first_answers.py \
  reports/functions/fresh8/second-run/rows.jsonl src/toolpath/evals/functions_fresh8.yaml 2>/dev/null
echo "== reports/functions/fresh9/rows.jsonl src/toolpath/evals/functions_fresh9.yaml"
python reports/functions/dev2/replay_first_answers.py \
  reports/functions/fresh9/rows.jsonl src/toolpath/evals/functions_fresh9.yaml 2>/dev/null
