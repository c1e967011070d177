#!/usr/bin/env bash
# The tap suite on the addon built with AddressSanitizer + UBSan
# (scripts/build-asan-addon.js), loaded through IOCP_NET_ADDON into a node
# that has the sanitizer runtimes preloaded (node itself is not
# instrumented; LeakSanitizer is off because node's own allocations would
# drown ours). Any ASan/UBSan report aborts the process, so the test fails.
# Runs on both Linux backends; prints "addon-asan: N passed, N failed" last.
cd "$(dirname "$0")/../.."
node scripts/build-asan-addon.js || { echo "tap: 0 passed, 1 failed"; exit 1; }
export IOCP_NET_ADDON=build/asan/iocp_net.node
export LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)"
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# test/wakeup.test.ts is left to the plain lane: it asserts round-trip times
# (a lost-wake-up detector), which an instrumented build on a loaded CI
# machine can miss by scheduling alone; its engine paths run in every other
# test here too.
# The fuzzer is left to the plain lanes (4,000 calls there, node:net and the
# plain addon): here its child processes run with the sanitizer runtimes
# preloaded and, in parallel with the rest of the suite, 500 calls ran past
# the file's time limit in some runs (alone, 300 calls take 7-11 s). Its
# calls reach the engine through the same paths the other tests take here.
files=$(find test -name '*.test.ts' ! -name 'wakeup.test.ts' ! -path 'test/fuzz/*' | sort)
passed=0
failed=0
for backend in uring epoll; do
  echo "--- tap on the ASan addon, IOCP_NET_BACKEND=$backend"
  line=$(IOCP_NET_BACKEND=$backend node scripts/tap-count.js $files | tee /dev/stderr | tail -1)
  if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
  else
    failed=$((failed + 1))
  fi
done
echo "addon-asan: $passed passed, $failed failed"
