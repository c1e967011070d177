#!/usr/bin/env bash
# The engine's native contract tests on the IOCP backend: cross-built with
# mingw-w64 (make -C native test-win) and run under Wine. Prints
# "native-wine: N passed, N failed" last.
cd "$(dirname "$0")/../.."
source .ci/lib.sh
source .ci/wine.sh
if ! wine_setup; then
  echo "wine-native: could not install Wine / mingw-w64"
  echo "native-wine: 0 passed, 1 failed"
  exit 1
fi
start=$SECONDS
make -s -C native -j2 out/win/native_tests.exe >/dev/null || { echo "native-wine: 0 passed, 1 failed"; exit 1; }
echo "built in $((SECONDS - start)) s"
make -s -C native test-win
