#!/usr/bin/env bash
# The recorded first answers of the spent sets through the current checks, offline:
# session 26's twenty-six, then fresh24 (its blind first run, read in session 27 after it).
# No LLM call.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session26/replay_offline.sh
bash reports/functions/replay_first_runs.sh fresh24
