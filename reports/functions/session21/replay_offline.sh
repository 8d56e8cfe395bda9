#!/usr/bin/env bash
# The recorded first answers of the nineteen spent sets through the current checks,
# offline: session 20's eighteen, then fresh16 (its blind first run, read in session 21).
# No LLM call: where the checks would ask the model again, the recorded result stands.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session20/replay_offline.sh
for name in fresh16; do
  echo "== reports/functions/$name/rows.jsonl src/toolpath/evals/functions_$name.yaml"
  python reports/functions/dev2/replay_first_answers.py \
    "reports/functions/$name/rows.jsonl" "src/toolpath/evals/functions_$name.yaml" 2>/dev/null
done
