#!/usr/bin/env bash
# Builds a profiling copy of the wasi module WITH a "name" section, so V8's profiler, perf (--perf-basic-prof) and
# bench/profile.mjs show C++ function names for wasm frames. Relinks the objects of an existing
# `scripts/build --wasm-only` (build/wasm-wasi) without the clang driver's own wasm-opt pass (it drops names:
# link at -O0), then runs wasm-opt -O2 keeping names (-g). Output: .state/bench/prof/core-wasi-named.wasm
# It is inlined less than the shipped module (one wasm-opt pass instead of two): finer attribution, similar cost.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
b="$root/build/wasm-wasi" out="$root/.state/bench/prof"
[ -f "$b/libs3p_core.a" ] || { echo "build/wasm-wasi missing: run scripts/build --wasm-only" >&2; exit 1; }
mkdir -p "$out/obj"
cp "$b"/CMakeFiles/s3p_core_wasm.dir/host_shim/*.o "$b"/*.a "$out/obj/"
cd "$out/obj"
clang++-14 --target=wasm32-wasi -O0 -mexec-model=reactor -Wl,--export=malloc -Wl,--export=free -Wl,-z,stack-size=262144 \
  ./*.o -o ../core-wasi-named-raw.wasm libs3p_core.a libtinyxml2.a libmbedcrypto_min.a
wasm-opt -O2 -g --strip-dwarf ../core-wasi-named-raw.wasm -o ../core-wasi-named.wasm
echo "$out/core-wasi-named.wasm"
