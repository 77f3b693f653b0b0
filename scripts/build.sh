#!/usr/bin/env bash
# Installs what rnnc needs (Debian packages, only those missing), then
# configures and builds into build/. Idempotent: a second run only rebuilds
# what changed. The compiler ends up at build/rnnc.
#
#   scripts/build.sh [extra cmake -D options...]
#
# Environment: BUILD_DIR (default build), CC (default cc).
set -euo pipefail
cd "$(dirname "$0")/.."

# the toolchain and libraries, and real data for the tests (wamerican)
# Open MPI for data-parallel training (optional to the build: without it,
# programs train in one process), valgrind for the memcheck tests
packages=(build-essential cmake flex bison libyaml-dev libopenblas-dev zlib1g-dev clang libomp-dev pkg-config
          wamerican openmpi-bin libopenmpi-dev valgrind)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "build.sh: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: need root to install packages (or install them yourself): ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
