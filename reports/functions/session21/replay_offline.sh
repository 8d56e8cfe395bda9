#!/usr/bin/env bash
# The recorded first answers of the nineteen spent sets through the current checks, offline:
# session 20's eighteen, then fresh16 (its blind first run, read in session 21). No LLM call.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session20/replay_offline.sh
echo "== reports/functions/fresh16/rows.jsonl src/toolpath/evals/functions_fresh16.yaml"
python reports/functions/dev2/replay_first_answers.py reports/functions/fresh16/rows.jsonl \
  src/toolpath/evals/functions_fresh16.yaml 2>/dev/null
