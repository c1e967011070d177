#!/usr/bin/env bash
# The package as users get it: npm pack (builds the prebuilds with zig from
# the npm registry), its file list, an install into a fresh project with no
# compiler on PATH, a round trip there and the tap suite on that installed copy
# (the zig-built prebuild users get); the arm64 prebuild loaded by an arm64
# Node under qemu-user, the musl one by a musl process, the win32-x64 one
# (mingw-w64) checked to be a Windows x64 DLL.
# Prints "package: N passed, N failed" last.
cd "$(dirname "$0")/../.."
source .ci/lib.sh
# (and the servers the database tests start)
apt_install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross musl-tools binutils g++-mingw-w64-x86-64 mingw-w64-tools $(node scripts/dev-setup.js --list) >/dev/null
node scripts/check-package.js
