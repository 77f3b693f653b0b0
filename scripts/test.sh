#!/usr/bin/env bash
# Runs every test: installs what is missing, builds with the default compiler
# and runs ctest; then builds the tree with clang (-Werror) and runs its
# kernel and parity tests (baseline SSE2 kernels), builds it with
# rnn_real = double and runs its tests (the gradient checks are double
# already), and runs the front-end tests under AddressSanitizer +
# UndefinedBehaviorSanitizer, and the runtime tests (data loaders and checkpoint
# readers parse untrusted files) too.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the interop tests need beyond the build (tools/rnnc_ckpt.py,
# tools/rnnc_torch.py): Debian's Python with numpy, PyYAML, PyTorch, onnx
# and OpenCV (the ONNX runtime Debian has). Large on a fresh machine
# (OpenCV brings VTK, Qt and FFmpeg), but without them those tests would
# only be skipped.
test_packages=(python3-numpy python3-yaml python3-torch python3-onnx python3-opencv)
missing=()
for p in "${test_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
fi

scripts/build.sh
(cd build && ctest --output-on-failure -j "$(nproc)")

echo "== clang build (-Wall -Wextra -Werror)"
# Built without MPI (-DRNNC_MPI=OFF): the programs are what they are on a
# machine without one, and refuse to run as several under mpirun.
BUILD_DIR=build-clang CC=clang scripts/build.sh -DCMAKE_C_COMPILER=clang -DRNNC_MPI=OFF
# Its runtime has only the baseline (SSE2) kernels, where the default build
# has AVX2 and AVX-512 versions picked by the CPU (runtime/kernels/rnn_mathfn.h):
# the kernel and PyTorch-parity tests cover that other path here.
(cd build-clang && ctest --output-on-failure -j "$(nproc)" -L 'parity|runtime')

echo "== double precision build (rnn_real = double)"
BUILD_DIR=build-double scripts/build.sh -DRNNC_REAL_DOUBLE=ON
# (e2e/numerical: a float overflow -- lr 10, a 1e30 in the data -- that
# double's range absorbs; the kill and valgrind tests: the float build's)
(cd build-double && ctest --output-on-failure -j "$(nproc)" \
  -E '^(gradcheck|install|valgrind|ckpt)/|^e2e/numerical$')

echo "== ASan + UBSan build"
BUILD_DIR=build-asan scripts/build.sh -DCMAKE_C_COMPILER=clang -DRNNC_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=Debug
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$(nproc)" -L 'frontend|runtime')
