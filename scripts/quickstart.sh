#!/usr/bin/env bash
# The README's first command: installs what is missing, builds aic, compiles
# the bundled example model, runs it and prints its outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh

example=build/examples/tiny_cnn
echo
echo "$ build/bin/aic-compile $example/model.onnx -o build/tiny_cnn.so"
build/bin/aic-compile "$example/model.onnx" -o build/tiny_cnn.so
echo "$ build/bin/aic-run build/tiny_cnn.so --inputs $example/test_data_set_0"
build/bin/aic-run build/tiny_cnn.so --inputs "$example/test_data_set_0"
echo "$ build/bin/aic-run build/tiny_cnn.so --inputs $example/test_data_set_0 --compare $example/test_data_set_0 --atol 1e-5"
build/bin/aic-run build/tiny_cnn.so --inputs "$example/test_data_set_0" \
  --compare "$example/test_data_set_0" --atol 1e-5
