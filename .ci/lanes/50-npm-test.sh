#!/usr/bin/env bash
# The README's test command: native, tap and compat suites.
# Prints "N passed, N failed" last.
cd "$(dirname "$0")/../.."
npm test
