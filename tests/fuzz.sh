#!/usr/bin/env bash
# Fuzzing: the cargo-fuzz targets in tests/fuzz (its own workspace; see tests/fuzz/Cargo.toml), built once in one
# `cargo fuzz build`, then run one after the other from their seeds (tests/fuzz/corpus/TARGET) and the inputs that
# once crashed them (tests/fuzz/regressions/TARGET), with the target's dictionary of tokens (tests/fuzz/dict/TARGET.dict)
# where it has one.
#
#   tests/fuzz.sh [TARGET...]   every target (or those named) for FUZZ_SECONDS each (default 300). New inputs go
#                               to tests/fuzz/runs/TARGET, kept between runs; a crash to tests/fuzz/artifacts/TARGET.
#                               Prints per target: executions, corpus size and crashes found.
#   tests/fuzz.sh --ci          the same for FUZZ_SECONDS each (default 15) from a fresh corpus and a fixed seed
#                               (FUZZ_SEED, default 1, so a run is repeatable), failing on any crash. With CI set it builds in $HOME/.cache/kiosk-fuzz-target, so a second run only
#                               relinks what changed; from a cold cache it builds everything (about 10 minutes on 2
#                               cores).
#
# An input that crashes a target whose fix belongs to a change under way elsewhere waits in
# tests/fuzz/open/TARGET (not run here); it moves to regressions/ with the fix and its unit test.
#
# Built with cargo-fuzz's defaults (optimised, debug assertions and overflow checks on) but no sanitizer
# (`-s none`): the code fuzzed is safe Rust (the workspace denies unsafe_code), so AddressSanitizer would find
# nothing a panic does not, at twice the build time and half the speed. The nightly toolchain is used when rustup
# has it; otherwise the stable one with RUSTC_BOOTSTRAP=1 (cargo-fuzz's instrumentation flags need no more).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=long
if [ "${1:-}" = "--ci" ]; then
  mode=ci
  shift
fi
seconds="${FUZZ_SECONDS:-$([ "$mode" = ci ] && echo 15 || echo 300)}"
fuzz_dir=tests/fuzz

if [ -n "${CI:-}" ]; then
  export CARGO_TARGET_DIR="$HOME/.cache/kiosk-fuzz-target"
else
  export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/$fuzz_dir/target}"
fi

# cargo-fuzz drives the build; libsane is linked by kiosk-drivers (a no-op when the packages are there).
provisioning/install-deps.sh build
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
if rustup run nightly rustc --version >/dev/null 2>&1; then
  cargo=(cargo +nightly)
else
  echo "fuzz: no nightly toolchain; using the stable one with RUSTC_BOOTSTRAP=1" >&2
  export RUSTC_BOOTSTRAP=1
  cargo=(cargo)
fi

mapfile -t all < <(sed -n 's/^name = "\(.*\)"$/\1/p' "$fuzz_dir/Cargo.toml" | grep -v '^kiosk-fuzz$')
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

build_start=$(date +%s)
if [ $# -eq 0 ]; then
  "${cargo[@]}" fuzz build --fuzz-dir "$fuzz_dir" -s none
else
  for target in "${targets[@]}"; do "${cargo[@]}" fuzz build --fuzz-dir "$fuzz_dir" -s none "$target"; done
fi
build_seconds=$(( $(date +%s) - build_start ))
host=$(rustc -vV | sed -n 's/^host: //p')
bin="$CARGO_TARGET_DIR/$host/release"

scratch=""
if [ "$mode" = ci ]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
fi

failed=0
summary=()
for target in "${targets[@]}"; do
  if [ "$mode" = ci ]; then
    corpus="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target"
    log="$scratch/$target.log"
  else
    corpus="$fuzz_dir/runs/$target"
    artifacts="$fuzz_dir/artifacts/$target"
    log="$fuzz_dir/runs/$target.log"
  fi
  mkdir -p "$corpus" "$artifacts"
  options=()
  [ "$mode" = ci ] && options+=(-seed="${FUZZ_SEED:-1}")
  [ -f "$fuzz_dir/dict/$target.dict" ] && options+=(-dict="$fuzz_dir/dict/$target.dict")
  inputs=("$corpus" "$fuzz_dir/corpus/$target")
  [ -d "$fuzz_dir/regressions/$target" ] && inputs+=("$fuzz_dir/regressions/$target")
  before=$(find "$artifacts" -type f | wc -l)
  echo "fuzz: $target for ${seconds} s" >&2
  status=0
  "$bin/$target" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${options[@]}" "${inputs[@]}" >"$log" 2>&1 || status=$?
  # libFuzzer's closing lines: `stat::number_of_executed_units: N` and the last `#N ... corp: units/bytes`.
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -z "$executions" ] && executions=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  corpus_size=$(grep -o 'corp: [0-9]*/[0-9]*[bKM]*' "$log" | tail -1 | sed 's/corp: //; s#/# inputs, #')
  crashes=$(( $(find "$artifacts" -type f | wc -l) - before ))
  if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    failed=1
    [ "$crashes" -eq 0 ] && crashes=1
    echo "fuzz: $target FAILED (exit $status); libFuzzer's report:" >&2
    grep -E "panicked|ERROR|SUMMARY|Test unit written|==[0-9]+==" "$log" | head -20 >&2 || true
    if [ "$mode" = ci ]; then
      for file in "$artifacts"/*; do
        [ -f "$file" ] && echo "fuzz: crashing input $(basename "$file"), base64: $(base64 -w0 "$file")" >&2
      done
    fi
  fi
  summary+=("$(printf '%-16s %12s executions   corpus %-22s crashes %s' "$target" "${executions:-?}" "${corpus_size:-?}" "$crashes")")
done

echo
echo "fuzz ($mode, ${seconds} s a target, build ${build_seconds} s):"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: a target crashed; keep the input under $fuzz_dir/regressions/TARGET/ with a unit test for the fix" >&2
  exit 1
fi
