#!/bin/bash
# Fuzz targets of the C parsers (tests/fuzz/fuzz_<target>.c).
#
#   run_fuzz.sh smoke   replay tests/fuzz/corpus/<target>/ through each target
#                       with a plain driver (driver.c, no libFuzzer) built by
#                       $CC with ASan+UBSan; prints "# passed N failed M" so
#                       tests/run_tests.sh counts it.
#   run_fuzz.sh full    libFuzzer (clang) run of every target for
#                       FUZZ_SECONDS (default 600) each, FUZZ_JOBS in
#                       parallel (default 1), working corpus in
#                       $BUILDDIR/tests/fuzz/work/<target> seeded from the
#                       committed corpus; crashes go to
#                       $BUILDDIR/tests/fuzz/artifacts/<target>/; ends with
#                       one summary line per target.
#   FUZZ_TARGETS="st_header st_table" restricts the targets.
#
# Environment: SRCDIR, BUILDDIR, CC (smoke), CLANG (full, default clang),
# BLAS_LIBS, LAPACK_LIBS, UTF8PROC_LIBS, PROTOC_C, PROTOBUF_C_LIBS.
set -u
mode=${1:-smoke}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
CC=${CC:-gcc}
CLANG=${CLANG:-clang}
UTF8PROC_LIBS=${UTF8PROC_LIBS:--lutf8proc}
OUT="$BUILDDIR/tests/build/fuzz"
mkdir -p "$OUT"
targets=${FUZZ_TARGETS:-$(cd "$SRCDIR/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}
PROTOC_C=${PROTOC_C:-protoc-c}
PROTOBUF_C_LIBS=${PROTOBUF_C_LIBS:--lprotobuf-c}
# the SentencePiece reader's protobuf code, generated as src/Makefile does
GEN="$OUT/gen"
mkdir -p "$GEN"
"$PROTOC_C" --c_out="$GEN" --proto_path="$SRCDIR/src/core/tok" "$SRCDIR/src/core/tok/spm_model.proto" \
  || { echo "protoc-c failed"; echo "# passed 0 failed 1"; exit 1; }
core_src="$(ls "$SRCDIR"/src/core/*/*.c) $GEN/spm_model.pb-c.c"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# every src/core/*/*.c is linked (as the C unit tests do), so BLAS and utf8proc too
BLAS_LIBS=${BLAS_LIBS:-$(mkoctfile -p BLAS_LIBS 2>/dev/null || echo -lblas)}
LAPACK_LIBS=${LAPACK_LIBS:-$(mkoctfile -p LAPACK_LIBS 2>/dev/null || echo -llapack)}
LIBS="$LAPACK_LIBS $BLAS_LIBS $UTF8PROC_LIBS $PROTOBUF_C_LIBS -lz -lm"

case $mode in
smoke)
  passed=0; failed=0
  for t in $targets; do
    bin="$OUT/replay_$t"
    log="$OUT/replay_$t.log"
    # shellcheck disable=SC2086
    if ! $CC -std=gnu11 -g -O1 -fopenmp $SAN -I"$SRCDIR/src/core" -I"$GEN" -I"$SRCDIR/tests/fuzz" \
         -o "$bin" "$SRCDIR/tests/fuzz/driver.c" "$SRCDIR/tests/fuzz/fuzz_$t.c" $core_src \
         $LIBS > "$log" 2>&1; then
      echo "FAIL fuzz_$t (does not compile)"; cat "$log"; failed=$((failed + 1)); continue
    fi
    if "$bin" "$SRCDIR/tests/fuzz/corpus/$t" >> "$log" 2>&1; then
      passed=$((passed + 1)); echo "ok   fuzz_$t: $(grep '^# replayed' "$log")"
    else
      failed=$((failed + 1)); echo "FAIL fuzz_$t"; cat "$log"
    fi
  done
  echo "# passed $passed failed $failed"
  [ "$failed" -eq 0 ]
  ;;
full)
  secs=${FUZZ_SECONDS:-600}
  jobs=${FUZZ_JOBS:-1}
  run_target() {
    t=$1
    bin="$OUT/fuzz_$t"
    work="$BUILDDIR/tests/fuzz/work/$t"
    art="$BUILDDIR/tests/fuzz/artifacts/$t"
    mkdir -p "$work" "$art"
    # shellcheck disable=SC2086
    $CLANG -g -O1 -fopenmp -fsanitize=fuzzer $SAN -I"$SRCDIR/src/core" -I"$GEN" -I"$SRCDIR/tests/fuzz" \
      -o "$bin" "$SRCDIR/tests/fuzz/fuzz_$t.c" $core_src $LIBS || { echo "$t: build failed"; return 1; }
    dict=""
    [ -e "$SRCDIR/tests/fuzz/$t.dict" ] && dict="-dict=$SRCDIR/tests/fuzz/$t.dict"
    (cd "$work" && /usr/bin/time -f "%U %S" -o "$OUT/fuzz_$t.time" \
      "$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$art/" $dict "$work" "$SRCDIR/tests/fuzz/corpus/$t" > "$OUT/fuzz_$t.log" 2>&1)
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/fuzz_$t.log")
    cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$OUT/fuzz_$t.log" | tail -n 1)
    cpu=$(awk '{printf "%.0f", $1 + $2}' "$OUT/fuzz_$t.time" 2>/dev/null)
    crashes=$(ls "$art" | grep -Ec '^(crash|leak|timeout|oom)-')
    echo "fuzz_$t: exit $rc, ${execs:-?} executions, $cov, ${cpu:-?} s CPU, $crashes crash files (log $OUT/fuzz_$t.log)"
  }
  export -f run_target
  export OUT BUILDDIR SRCDIR CLANG SAN LIBS secs core_src GEN
  printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_target "$@"' _ {}
  ;;
*)
  echo "usage: $0 smoke|full" >&2; exit 2;;
esac
