#!/usr/bin/env bash
# The README's test command: native, tap and compat suites.
# The tap suite starts PostgreSQL and Redis servers: their Debian packages
# (listed by scripts/dev-setup.js) are installed first.
# Prints "N passed, N failed" last.
cd "$(dirname "$0")/../.."
source .ci/lib.sh
apt_install $(node scripts/dev-setup.js --list) >/dev/null
npm test
