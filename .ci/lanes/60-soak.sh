#!/usr/bin/env bash
# Echo soak (test/soak/echo-soak.js): thousands of connections in one
# process, 2 GB of checksummed data with random sizes, pauses and
# half-closes; 0 bytes lost and every socket closed, on node:net (the
# reference) and on iocp-net on each Linux backend (io_uring, epoll).
#
# Run under kernel TCP memory pressure when we may change net.ipv4.tcp_mem
# (root): its "pressure" threshold is lowered for the run (the hard limit
# stays as it is: above it the kernel itself resets connections, for
# node:net too) and restored on exit. Under pressure the kernel refuses
# sends with EAGAIN for a while; those must be retried, never surfaced.
# Prints "soak: N passed, N failed" last.
cd "$(dirname "$0")/../.."
passed=0
failed=0

tcp_mem=/proc/sys/net/ipv4/tcp_mem
saved=""
if [ -w "$tcp_mem" ]; then
  saved=$(cat "$tcp_mem")
  read -r _ _ hard <<<"$saved"
  trap 'echo "$saved" > "$tcp_mem"' EXIT
  echo "6000 8000 $hard" > "$tcp_mem"
  echo "soak: tcp_mem $(cat "$tcp_mem") (was $saved): memory pressure from ~32 MB of TCP buffers"
else
  echo "soak: cannot change $tcp_mem (not root): running without memory pressure"
fi

# Two sockets per connection, plus the process's own descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
max_conns=$(( ($(ulimit -n) - 200) / 2 ))
for conns in 5000 9000; do
  [ "$conns" -gt "$max_conns" ] && conns=$max_conns
  bytes=$((2000000000 / conns))
  for variant in node iocp-net:uring iocp-net:epoll; do
    impl=${variant%%:*}
    backend=${variant#*:}
    [ "$backend" = "$variant" ] && backend=""
    line=$(IOCP_NET_BACKEND=$backend node test/soak/echo-soak.js --impl "$impl" --conns "$conns" --bytes-per-conn "$bytes" --timeout-s 240 2>/dev/null | tail -1)
    echo "soak [$variant, $conns connections]: $line"
    if [[ $line == '{"ok":true'* ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
done
echo "soak: $passed passed, $failed failed"
