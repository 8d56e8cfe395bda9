#!/usr/bin/env bash
# The recorded first answers of the fifteen spent sets through the current checks, offline:
# session 17's thirteen, then fresh11 and fresh12 (their blind first runs, read in session
# 18). No LLM call: where the checks would ask the model again, the recorded result stands.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session17/replay_offline.sh
for name in fresh11 fresh12; do
  echo "== reports/functions/$name/rows.jsonl src/toolpath/evals/functions_$name.yaml"
  python reports/functions/dev2/replay_first_answers.py \
    "reports/functions/$name/rows.jsonl" "src/toolpath/evals/functions_$name.yaml" 2>/dev/null
done
