#!/usr/bin/env bash
# The tap and compat suites again with the epoll backend forced (the native
# lanes already run every contract test on both backends; npm test runs the
# suites on the default, io_uring). Prints "N passed, N failed" last.
cd "$(dirname "$0")/../.."
IOCP_NET_BACKEND=epoll node scripts/test.js tap compat
