#!/bin/bash
# The whole test suite: C unit tests of src/core, then the %!-blocks of every
# public function in inst/ and every test script tests/test_*.m, each file in
# its own octave-cli process (a crash fails that file, not the run).
# Ends with the line "N passed, N failed, N skipped"; exits 1 on any failure.
#
# Environment: SRCDIR (source tree, default: this script's parent),
# BUILDDIR (where src/*.mex were built, default SRCDIR), OCTAVE, CC,
# SANITIZE=1 to build the C tests with AddressSanitizer + UBSan,
# CKA_TEST_FILTER (a grep -E pattern on file names), JOBS.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
OCTAVE=${OCTAVE:-octave-cli}
CC=${CC:-gcc}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
FILTER=${CKA_TEST_FILTER:-.}
OUT="$BUILDDIR/tests/build"
mkdir -p "$OUT/logs"
rm -f "$OUT"/logs/*.log

passed=0; failed=0; skipped=0

# ---- C unit tests ---------------------------------------------------------
CFLAGS_TEST="-std=gnu11 -O1 -g -Wall -Wextra -fopenmp ${ONEDNN_CFLAGS:-}"
if [ "${SANITIZE:-0}" = 1 ]; then
  CFLAGS_TEST="$CFLAGS_TEST -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
fi
BLAS_LIBS=${BLAS_LIBS:-$(mkoctfile -p BLAS_LIBS 2>/dev/null || echo -lblas)}
LAPACK_LIBS=${LAPACK_LIBS:-$(mkoctfile -p LAPACK_LIBS 2>/dev/null || echo -llapack)}
UTF8PROC_LIBS=${UTF8PROC_LIBS:--lutf8proc}
PROTOC_C=${PROTOC_C:-protoc-c}
PROTOBUF_C_LIBS=${PROTOBUF_C_LIBS:--lprotobuf-c}
# the SentencePiece reader's protobuf code, generated as src/Makefile does
GEN="$OUT/gen"
mkdir -p "$GEN"
if ! "$PROTOC_C" --c_out="$GEN" --proto_path="$SRCDIR/src/core/tok" \
     "$SRCDIR/src/core/tok/spm_model.proto" > "$OUT/logs/protoc-c.log" 2>&1; then
  echo "FAIL protoc-c (tests/build/logs/protoc-c.log)"; cat "$OUT/logs/protoc-c.log"; failed=$((failed + 1))
fi
core_src="$(ls "$SRCDIR"/src/core/*/*.c 2>/dev/null) $GEN/spm_model.pb-c.c"
for t in "$SRCDIR"/tests/c/test_*.c; do
  [ -e "$t" ] || continue
  name=$(basename "$t" .c)
  echo "$name" | grep -Eq "$FILTER" || continue
  bin="$OUT/$name.bin"
  log="$OUT/logs/$name.log"
  # shellcheck disable=SC2086
  if ! $CC $CFLAGS_TEST -I"$SRCDIR/src/core" -I"$GEN" -I"$SRCDIR/tests/c" -o "$bin" "$t" $core_src \
       $LAPACK_LIBS $BLAS_LIBS $UTF8PROC_LIBS $PROTOBUF_C_LIBS ${ONEDNN_LIBS:-} -lz -lm > "$log" 2>&1; then
    echo "FAIL $name (does not compile)"; cat "$log"; failed=$((failed + 1)); continue
  fi
  (cd "$SRCDIR/tests" && "$bin") >> "$log" 2>&1
  rc=$?
  line=$(grep -E '^# passed [0-9]+ failed [0-9]+' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "FAIL $name (crashed, exit $rc)"; cat "$log"; failed=$((failed + 1)); continue
  fi
  p=$(echo "$line" | awk '{print $3}'); f=$(echo "$line" | awk '{print $5}')
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
    [ "$f" -gt 0 ] || failed=$((failed + 1))
    echo "FAIL $name: $p passed, $f failed (exit $rc)"; cat "$log"
  else
    echo "ok   $name: $p passed"
  fi
done

# ---- fuzz corpus replay under ASan+UBSan (tests/fuzz/run_fuzz.sh smoke) ----
if echo fuzz_smoke | grep -Eq "$FILTER"; then
  log="$OUT/logs/fuzz_smoke.log"
  SRCDIR="$SRCDIR" BUILDDIR="$BUILDDIR" CC="$CC" UTF8PROC_LIBS="$UTF8PROC_LIBS" \
    PROTOC_C="$PROTOC_C" PROTOBUF_C_LIBS="$PROTOBUF_C_LIBS" \
    bash "$SRCDIR/tests/fuzz/run_fuzz.sh" smoke > "$log" 2>&1
  line=$(grep -E '^# passed [0-9]+ failed [0-9]+' "$log" | tail -n 1)
  p=$(echo "$line" | awk '{print $3}'); f=$(echo "$line" | awk '{print $5}')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1}))
  if [ -n "$line" ] && [ "$f" -eq 0 ]; then echo "ok   fuzz_smoke: $p targets"; else echo "FAIL fuzz_smoke"; cat "$log"; fi
fi

# ---- Octave tests -------------------------------------------------------------
files=$( (ls "$SRCDIR"/inst/*.m; ls "$SRCDIR"/tests/test_*.m) 2>/dev/null | grep -E "$FILTER")
run_one() {
  f=$1
  log="$OUT/logs/$(basename "$(dirname "$f")")_$(basename "$f").log"
  cd "$OUT" && timeout 1200 "$OCTAVE" --no-gui --no-history --norc --silent --no-window-system --eval \
    "addpath ('$BUILDDIR/src', '$SRCDIR/inst', '$SRCDIR/tests/util'); cka_run_test_file ('$f');" \
    > "$log" 2>&1
  echo "exit $?" >> "$log"
}
export -f run_one
export OUT OCTAVE BUILDDIR SRCDIR
if [ -n "$files" ]; then
  printf '%s\n' $files | xargs -P "$JOBS" -I{} bash -c 'run_one "$@"' _ {}
fi
for f in $files; do
  log="$OUT/logs/$(basename "$(dirname "$f")")_$(basename "$f").log"
  rel=${f#"$SRCDIR"/}
  line=$(grep -E '^RESULT ' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "FAIL $rel (octave did not finish)"; cat "$log"; failed=$((failed + 1)); continue
  fi
  p=$(echo "$line" | awk '{print $4}'); f2=$(echo "$line" | awk '{print $6}'); s=$(echo "$line" | awk '{print $8}')
  passed=$((passed + p)); failed=$((failed + f2)); skipped=$((skipped + s))
  if [ "$f2" -gt 0 ]; then
    echo "FAIL $rel: $p passed, $f2 failed"; grep -v '^RESULT ' "$log"
  else
    if [ "$s" -gt 0 ]; then echo "ok   $rel: $p passed, $s skipped"; else echo "ok   $rel: $p passed"; fi
  fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
