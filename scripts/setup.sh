#!/usr/bin/env bash
# Installs the Debian 12 packages aic needs to build and test, only those
# that are missing. Run as root (or with sudo available).
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache python3
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools lld-22
  libonnx-dev libprotobuf-dev protobuf-compiler
  catch2 libonnx-testdata
  libomp5-14
  chromium pybind11-dev python3-dev python3-numpy python3-onnx pkgconf
  libcpp-httplib-dev nlohmann-json3-dev nodejs
)
# More for some scripts: scripts/sanitize.sh and scripts/fuzz.sh need clang.
read -r -a extra <<< "${AIC_SETUP_EXTRA:-}"
packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
fi
echo "aic setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
