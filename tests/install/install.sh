#!/usr/bin/env bash
# rnnc as an installed package, used from outside its tree:
#   1. `cmake --install` into a temporary prefix installs what a Debian
#      -dev package would (checked file by file, SONAMEs included);
#   2. a plain cc build with `pkg-config rnnc-kernels` embeds a generated
#      model (examples/basic_rnn) and runs it; it needs no libyaml or zlib;
#   3. a CMake project (tests/install/consumer) finds the package,
#      generates two models with rnnc_add_model (one embedded as a
#      library, one as a program), runs both, and generates again only
#      the model whose spec changed.
#
#   install.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) work=$3
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix=$work/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
libdir=$(sed -n 's/^libdir=\${prefix}\///p' "$prefix"/lib*/pkgconfig/rnnc-kernels.pc 2>/dev/null ||
         true)
[ -n "$libdir" ] || fail "no rnnc-kernels.pc under $prefix/lib*/pkgconfig"
for f in bin/rnnc include/rnnc/rnn.h include/rnnc/rnn_kernels.h include/rnnc/rnn_model.h \
         include/rnnc/rnn_weights.h \
         include/rnnc/rnn_driver.h "$libdir/librnnc_kernels.a" "$libdir/librnnc_program.a" \
         "$libdir/librnnc_kernels.so.1" "$libdir/librnnc_program.so.1" \
         "$libdir/librnnc_kernels.so" "$libdir/librnnc_program.so" \
         "$libdir/cmake/rnnc/rnncConfig.cmake" "$libdir/cmake/rnnc/rnncConfigVersion.cmake" \
         "$libdir/cmake/rnnc/rnncTargets.cmake" "$libdir/cmake/rnnc/RnncGenerate.cmake" \
         "$libdir/pkgconfig/rnnc-kernels.pc" "$libdir/pkgconfig/rnnc-program.pc" \
         share/man/man1/rnnc.1; do
  [ -e "$prefix/$f" ] || fail "cmake --install did not install $f"
done
for internal in rnn_mathfn.h rnn_threads.h rnn_hot.h rnn_format.h packed_tile.h rnn_file.h \
                data_internal.h driver_internal.h report_internal.h; do
  [ ! -e "$prefix/include/rnnc/$internal" ] || fail "the runtime's own $internal was installed"
done
for half in kernels program; do
  soname=$(readelf -d "$prefix/$libdir/librnnc_$half.so.1" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
  [ "$soname" = "librnnc_$half.so.1" ] || fail "librnnc_$half's SONAME is '$soname'"
done
if readelf -d "$prefix/$libdir/librnnc_kernels.so.1" | grep -Eq 'libyaml|libz\.'; then
  fail "librnnc_kernels.so needs libyaml or zlib"
fi
"$prefix/bin/rnnc" --version >/dev/null || fail "the installed rnnc does not run"
echo "   installed: $(cd "$prefix" && find . -type f | wc -l) files"

echo "== pkg-config rnnc-kernels: examples/basic_rnn, embedded with plain cc"
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
mkdir -p "$work/pc"
"$prefix/bin/rnnc" emit "$src/specs/basic_rnn.rnn" -o "$work/pc"
# shellcheck disable=SC2046  # pkg-config's words are separate arguments
${CC:-cc} -std=c11 -O2 -I"$work/pc" "$src/examples/basic_rnn/basic_rnn.c" "$work/pc/basic_rnn.c" \
  $(pkg-config --cflags --libs rnnc-kernels) -lm -Wl,-rpath,"$prefix/$libdir" -o "$work/pc/basic_rnn"
if readelf -d "$work/pc/basic_rnn" | grep -Eq 'libyaml|libz\.'; then
  fail "the embedded model links libyaml or zlib"
fi
"$work/pc/basic_rnn" | tee "$work/pc/out.txt" | tail -n 1
grep -Eq '^RESULT basic_rnn max_abs_diff [0-9.e+-]+$' "$work/pc/out.txt" ||
  fail "basic_rnn built with pkg-config printed no result"

echo "== a header generated for another runtime ABI stops the build, naming the fix"
sed 's/RNN_ABI != 1/RNN_ABI != 2/; s/needs runtime ABI 1/needs runtime ABI 2/' \
  "$work/pc/basic_rnn.h" >"$work/pc/future.h"
echo '#include "future.h"' >"$work/pc/future.c"
# shellcheck disable=SC2046
if ${CC:-cc} -std=c11 -c $(pkg-config --cflags rnnc-kernels) -I"$work/pc" "$work/pc/future.c" \
     -o "$work/pc/future.o" 2>"$work/pc/future.err"; then
  fail "a header for runtime ABI 2 compiled against ABI 1"
fi
grep -q '#error "basic_rnn.h needs runtime ABI 2: regenerate it with the rnnc that matches rnn.h"' \
  "$work/pc/future.err" || fail "the ABI #error: $(cat "$work/pc/future.err")"

echo "== find_package(rnnc): tests/install/consumer"
mkdir -p "$work/specs"
cp "$src/specs/basic_rnn.rnn" "$src/specs/chargen.rnn" "$work/specs/"
cmake -S "$src/tests/install/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DRNNC_SPECS="$work/specs" -DRNNC_EXAMPLES="$src/examples" >"$work/consumer.log"
cmake --build "$work/consumer" -j 2 >>"$work/consumer.log"
"$work/consumer/embedded" | tail -n 1
"$work/consumer/chargen" info | head -n 3
# a spec path that does not exist stops the configure step, naming it
if cmake -S "$src/tests/install/consumer" -B "$work/missing" -DCMAKE_PREFIX_PATH="$prefix" \
     -DRNNC_SPECS="$work/no-specs" -DRNNC_EXAMPLES="$src/examples" >"$work/missing.log" 2>&1; then
  fail "a missing spec configured"
fi
# (CMake wraps its messages: compare with the lines joined)
tr -s ' \n' '  ' <"$work/missing.log" |
  grep -q "rnnc_generate: the spec $work/no-specs/basic_rnn.rnn does not exist" ||
  fail "a missing spec: $(grep -A3 'CMake Error' "$work/missing.log")"
# a changed spec is generated and built again, and only that one
sleep 1
echo "# changed" >>"$work/specs/chargen.rnn"
cmake --build "$work/consumer" -j 2 >"$work/rebuild.log"
grep -q 'rnnc emit .*chargen.rnn' "$work/rebuild.log" || fail "a changed spec was not emitted again"
! grep -q 'rnnc emit .*basic_rnn.rnn' "$work/rebuild.log" || fail "an unchanged spec was emitted again"
echo "ok"
