#!/usr/bin/env bash
# The README's second command: installs what is missing, builds aic, and
# runs the whole test suite (lit, unit tests, end-to-end conformance) with
# ctest. Uses ../shared beside the checkout when it is there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure
