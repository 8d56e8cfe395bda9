#!/usr/bin/env bash
# The recorded first answers of the spent sets through the current checks, offline:
# session 30's thirty, then fresh28 (its blind first run, read in session 31 after it).
# No LLM call.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bash reports/functions/session30/replay_offline.sh
bash reports/functions/replay_first_runs.sh fresh28
