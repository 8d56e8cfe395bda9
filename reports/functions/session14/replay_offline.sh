#!/usr/bin/env bash
# The recorded first answers of the ten spent sets through the current checks, offline:
# session 13's eight sets, then fresh6 (spent in session 13) and fresh7 (session 14). No
# LLM call: where the checks would ask the model again, the recorded result stands.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session13/replay_offline.sh
echo "== reports/functions/fresh6/second-run/rows.jsonl src/toolpath/evals/functions_fresh6.yaml"
python reports/functions/dev2/replay_first_answers.py \
  reports/functions/fresh6/second-run/rows.jsonl src/toolpath/evals/functions_fresh6.yaml 2>/dev/null
echo "== reports/functions/fresh7/rows.jsonl src/toolpath/evals/functions_fresh7.yaml"
python reports/functions/dev2/replay_first_answers.py \
  reports/functions/fresh7/rows.jsonl src/toolpath/evals/functions_fresh7.yaml 2>/dev/null
