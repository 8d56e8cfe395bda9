#!/usr/bin/env bash
# The recorded first answers of the sixteen spent sets through the current checks, offline:
# session 18's fifteen, then fresh13 (its blind first run, read in session 19). No LLM call:
# where the checks would ask the model again, the recorded result stands.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session18/replay_offline.sh
echo "== reports/functions/fresh13/rows.jsonl src/toolpath/evals/functions_fresh13.yaml"
python reports/functions/dev2/replay_first_answers.py \
  reports/functions/fresh13/rows.jsonl src/toolpath/evals/functions_fresh13.yaml 2>/dev/null
