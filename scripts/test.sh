#!/usr/bin/env bash
# Set up (if needed) and run every check: ruff, mypy (strict on shared/ and kiosk services),
# the import layer contracts (lint-imports, [tool.importlinter] in pyproject.toml), pytest.
# Extra arguments go to pytest, e.g. scripts/test.sh -k envelope
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate
echo "== ruff"; ruff check .
echo "== mypy"; mypy
echo "== import layers"; lint-imports
echo "== pytest"
exec python -m pytest "$@"
