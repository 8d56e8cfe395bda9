#!/usr/bin/env bash
# The recorded first answers of the seventeen spent sets through the current checks,
# offline: session 18's fifteen, then fresh13 and fresh14 (their blind first runs, read in
# session 19). No LLM call: where the checks would ask the model again, the recorded
# result stands.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session18/replay_offline.sh
for name in fresh13 fresh14; do
  echo "== reports/functions/$name/rows.jsonl src/toolpath/evals/functions_$name.yaml"
  python reports/functions/dev2/replay_first_answers.py \
    "reports/functions/$name/rows.jsonl" "src/toolpath/evals/functions_$name.yaml" 2>/dev/null
done
