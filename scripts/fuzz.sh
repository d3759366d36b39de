#!/usr/bin/env bash
# Fuzzes every parser of outside input (fuzz/fuzz_targets/) with cargo-fuzz (libFuzzer + ASan).
#   bash scripts/fuzz.sh                  each target for FUZZ_SECONDS (default 20) seconds
#   bash scripts/fuzz.sh --runs 1000000   each target for exactly that many executions
#   bash scripts/fuzz.sh --merge          ... then fold new coverage into fuzz/corpus/ (minimised)
# Extra arguments name targets (default: all). The corpus in fuzz/corpus/ is read; what a run
# discovers goes to target/fuzz-corpus/ unless --merge. cargo-fuzz's sanitizer flags are
# nightly-only, so the stable toolchain runs them with RUSTC_BOOTSTRAP=1 (no other toolchain
# can be fetched here).
# Targets are built optimised *with* debug assertions (`-O -a`): overflow and the library's
# debug_assert!s fire as crashes. Body targets may grow inputs to 16 KiB, enough to reach the
# JSON reader's 1000-member cap, and each target gets a dictionary (fuzz/dict/) of the keys its
# reader looks for, Unicode whitespace and the encodings a secret may be echoed in.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_FUZZ_VERSION=0.13.2
runs=""
merge=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --merge) merge=1; shift ;;
    *) targets+=("$1"); shift ;;
  esac
done
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  echo "[fuzz] installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
export RUSTC_BOOTSTRAP=1
# The same flags for build, run and cmin, or cargo fuzz rebuilds with other ones.
build_flags=(--fuzz-dir fuzz -O --debug-assertions)
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
cargo fuzz build "${build_flags[@]}" >/dev/null 2>&1 || cargo fuzz build "${build_flags[@]}"
limit=(-max_total_time="${FUZZ_SECONDS:-20}")
[ -n "$runs" ] && limit=(-runs="$runs")
# Per target: the largest input, and the dictionary.
options_for() {
  case "$1" in
    token_response | device_code_response | error_body) echo "-max_len=16384 -dict=fuzz/dict/json_body.dict" ;;
    json_config) echo "-max_len=16384 -dict=fuzz/dict/json_config.dict" ;;
    callback_url | callback_error) echo "-max_len=4096 -dict=fuzz/dict/callback.dict" ;;
    pem_key) echo "-max_len=8192 -dict=fuzz/dict/pem.dict" ;;
    *) echo "-max_len=16384" ;;
  esac
}
# One target: its run, its one-line summary (or the crash), and with --merge its new corpus.
fuzz_one() {
  local t="$1" scratch="target/fuzz-corpus/$1" log="target/fuzz-corpus/$1.log" options execs speed cov
  mkdir -p "$scratch" "fuzz/corpus/$t"
  read -r -a options <<<"$(options_for "$t")"
  if ! cargo fuzz run "${build_flags[@]}" "$t" "$scratch" "fuzz/corpus/$t" -- "${limit[@]}" "${options[@]}" -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "[fuzz] $t FAILED (the input is in fuzz/artifacts/$t/)"
    return 1
  fi
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  speed=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
  cov=$(grep -E '^#[0-9]+.*(DONE|pulse)' "$log" | tail -1 | grep -oE 'cov: [0-9]+' || true)
  echo "[fuzz] $t: $execs executions, $speed/s, ${cov:-cov: ?}, no crash"
  if [ "$merge" = 1 ]; then
    cp -n "$scratch"/* "fuzz/corpus/$t/" 2>/dev/null || true
    cargo fuzz cmin "${build_flags[@]}" "$t" "fuzz/corpus/$t" -- "${options[@]}" >/dev/null 2>&1
    rm -rf "${scratch:?}"/*
  fi
}
# The targets run side by side, one per CPU (FUZZ_JOBS to change it): each is single-threaded,
# so on 2 CPUs the stage takes half as long for the same time per target. Each one's output
# is printed whole when it ends, and any failure fails the run.
jobs_max="${FUZZ_JOBS:-$(nproc)}"
mkdir -p target/fuzz-corpus
rm -f target/fuzz-corpus/*.rc
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  ( if fuzz_one "$t" >"target/fuzz-corpus/$t.out" 2>&1; then rc=0; else rc=1; fi
    cat "target/fuzz-corpus/$t.out"; echo "$rc" >"target/fuzz-corpus/$t.rc" ) &
done
wait
failed=0
for t in "${targets[@]}"; do
  [ "$(cat "target/fuzz-corpus/$t.rc" 2>/dev/null)" = 0 ] || failed=1
done
exit "$failed"
