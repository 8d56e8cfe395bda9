#!/usr/bin/env bash
# Today's date in the prompt or not: the first 6 development questions of each category,
# toolpath only, once without a date and once with --today (outputs: undated/, dated/).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
out=reports/functions/session11/today
toolpath bench functions --set dev --limit 6 --no-direct --out "$out/undated" --json
toolpath bench functions --set dev --limit 6 --no-direct --today 2026-12-05 --out "$out/dated" --json
