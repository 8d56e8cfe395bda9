#!/usr/bin/env bash
# The recorded first answers of the spent sets through the current checks, offline:
# session 29's twenty-nine, then fresh27 (its blind first run, read in session 30 after it).
# No LLM call.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session29/replay_offline.sh
bash reports/functions/replay_first_runs.sh fresh27
