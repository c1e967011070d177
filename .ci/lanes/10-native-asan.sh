#!/usr/bin/env bash
# The engine's own tests (no Node) under AddressSanitizer + UBSan.
# Prints "native-asan: N passed, N failed" last.
cd "$(dirname "$0")/../.."
make -s -C native test-asan
