#!/usr/bin/env bash
# Configures and builds aic into build/ (tools in build/bin/).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${AIC_JOBS:-$(nproc)}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"
