#!/usr/bin/env bash
# `cpack -G DEB` makes a Debian package of an installed rnnc: its control
# file names the runtime dependencies, and its contents are what
# `cmake --install` puts under /usr (listed and checked here).
#
#   deb.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$(cd "$1" && pwd) work=$2
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$work"/*.deb)
echo "== $(basename "$deb")"
dpkg-deb -f "$deb" Package Version Architecture Depends
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' | sort >"$work/contents.txt"
cat "$work/contents.txt"
# /usr/lib, or /usr/lib/<multiarch> when configured with the prefix /usr
libdir=$(grep -E '^/usr/lib(/[^/]+)?/pkgconfig/rnnc-kernels.pc$' "$work/contents.txt" |
         sed 's|/pkgconfig/rnnc-kernels.pc||')
[ -n "$libdir" ] || fail "no rnnc-kernels.pc in the package"
for f in /usr/bin/rnnc /usr/include/rnnc/rnn.h /usr/include/rnnc/rnn_driver.h \
         /usr/include/rnnc/rnn_weights.h \
         /usr/share/man/man1/rnnc.1 "$libdir/librnnc_kernels.so.1" \
         "$libdir/librnnc_kernels.so.0.1.0" "$libdir/librnnc_program.so.1" \
         "$libdir/librnnc_kernels.a" "$libdir/librnnc_program.a" \
         "$libdir/cmake/rnnc/rnncConfig.cmake" "$libdir/pkgconfig/rnnc-program.pc"; do
  grep -qx "$f" "$work/contents.txt" || fail "the package lacks $f"
done
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libopenblas libyaml zlib1g; do
  [[ $depends == *"$dep"* ]] || fail "Depends names no $dep: $depends"
done
echo "ok"
