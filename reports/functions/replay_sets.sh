#!/usr/bin/env bash
# Recorded first answers of `toolpath bench functions` runs through the current checks, the
# embedded model asked live where the checks now ask again. Each argument is one set:
# "ROWS QUESTIONS" (a run's rows.jsonl or functions.json, and its question file).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
replay=reports/functions/dev2/replay_first_answers.py
for pair in "$@"; do
  echo "== $pair"
  # shellcheck disable=SC2086
  python "$replay" $pair --retry-live 2>/dev/null | grep "^|\|->"
done
