#!/usr/bin/env bash
# The tap and compat suites again with the io_uring backend forced (the
# native lanes already run every contract test on both backends; npm test
# runs the suites on the default, epoll). Prints "N passed, N failed" last.
cd "$(dirname "$0")/../.."
source .ci/lib.sh
# test/net-happy-eyeballs.test.ts (see 50-npm-test.sh).
apt_install iptables iproute2 >/dev/null
IOCP_NET_BACKEND=uring node scripts/test.js tap compat
