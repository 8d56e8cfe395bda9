#!/usr/bin/env bash
# The recorded first answers of the fourteen spent sets through the current checks, offline:
# session 17's thirteen, then fresh11 (its blind first run, read in session 18). No LLM call:
# where the checks would ask the model again, the recorded result stands.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session17/replay_offline.sh
echo "== reports/functions/fresh11/rows.jsonl src/toolpath/evals/functions_fresh11.yaml"
python reports/functions/dev2/replay_first_answers.py \
  reports/functions/fresh11/rows.jsonl src/toolpath/evals/functions_fresh11.yaml 2>/dev/null
