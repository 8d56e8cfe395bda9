#!/usr/bin/env bash
# The recorded first answers of the thirteen spent sets through the current checks, offline:
# session 15's twelve, then fresh10 (its blind first run, read in session 17). No LLM call:
# where the checks would ask the model again, the recorded result stands.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session15/replay_offline.sh
echo "== reports/functions/fresh10/rows.jsonl src/toolpath/evals/functions_fresh10.yaml"
python reports/functions/dev2/replay_first_answers.py \
  reports/functions/fresh10/rows.jsonl src/toolpath/evals/functions_fresh10.yaml 2>/dev/null
