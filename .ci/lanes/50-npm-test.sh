#!/usr/bin/env bash
# The README's test command: native, tap and compat suites.
# The tap suite starts PostgreSQL and Redis servers: their Debian packages
# (listed by scripts/dev-setup.js) are installed first, and iptables.
# Prints "N passed, N failed" last.
cd "$(dirname "$0")/../.."
source .ci/lib.sh
apt_install $(node scripts/dev-setup.js --list) >/dev/null
# test/net-happy-eyeballs.test.ts makes a network namespace (unshare -n) with
# a firewall rule: iptables and ip (util-linux's unshare is always there).
apt_install iptables iproute2 >/dev/null
npm test
