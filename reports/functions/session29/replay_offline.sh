#!/usr/bin/env bash
# The recorded first answers of the spent sets through the current checks, offline:
# session 28's twenty-eight, then fresh26 (its blind first run, read in session 29 after it).
# No LLM call.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session28/replay_offline.sh
bash reports/functions/replay_first_runs.sh fresh26
