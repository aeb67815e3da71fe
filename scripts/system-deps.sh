#!/usr/bin/env bash
# The Debian packages the full test suite needs, installed when missing (as root), or the one
# command that installs them. Nothing is skipped silently: a missing tool stops the run here.
#   emscripten   rebuilds wasm/ to check it matches native/ (scripts/build-wasm.sh)
#   clang        the C unit tests under ASan/UBSan (native/Makefile; its UBSan catches NULL + 0)
#   gcc, make    make for the C unit tests; gcc builds them too (make -C native test NATIVE_CC=gcc)
#   python3-zmq  a second, independent libzmq peer (4.3.4) for the examples' interop tests
#   libzmq3-dev  libzmq (4.3.4) for the C peers of the examples' interop tests (with gcc)
#   chromium     the browser tests (test/browser: headless, driven by playwright-core)
set -euo pipefail
packages=(emscripten clang gcc make python3-zmq libzmq3-dev chromium)
missing=()
command -v emcc >/dev/null || missing+=(emscripten)
command -v clang >/dev/null || missing+=(clang)
command -v gcc >/dev/null || missing+=(gcc)
command -v make >/dev/null || missing+=(make)
/usr/bin/python3 -c 'import zmq' 2>/dev/null || missing+=(python3-zmq)
[ -f /usr/include/zmq.h ] || missing+=(libzmq3-dev)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "system-deps: installing ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "system-deps: missing ${missing[*]} (of ${packages[*]}). Install them with:" >&2
echo "  sudo sh -c '$cmd'" >&2
exit 1
