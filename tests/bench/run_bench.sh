#!/bin/bash
# `make bench`: the benchmark tables (tests/bench/bench_perf.m, bench_stats.m
# (the cost of intervals, p-values and other measures), and
# bench_scaleout.m: local workers against one process), written as
# CSV + JSON to $CKA_BENCH_OUT (default $BUILDDIR/tests/build/bench).  With
# CKA_BENCH_ALL=1 also every other tests/bench/bench_*.m (older, more
# detailed scripts), each in its own octave-cli.
# Environment: SRCDIR, BUILDDIR (where src/*.mex are), OCTAVE, CKA_BENCH_REPS.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
OCTAVE=${OCTAVE:-octave-cli}
export OCTAVE
export CKA_BENCH_OUT=${CKA_BENCH_OUT:-$BUILDDIR/tests/build/bench}
mkdir -p "$CKA_BENCH_OUT"
rc=0
for f in "$SRCDIR"/tests/bench/bench_*.m; do
  [ -e "$f" ] || continue
  case "$(basename "$f")" in
    bench_perf.m|bench_scaleout.m|bench_stats.m|bench_bigmodel.m) ;;
    *) [ "${CKA_BENCH_ALL:-0}" = 1 ] || continue ;;
  esac
  echo "== $(basename "$f")"
  "$OCTAVE" --no-gui --no-history --norc --silent --eval \
    "addpath ('$BUILDDIR/src', '$SRCDIR/inst', '$SRCDIR/tests/util'); run ('$f');" \
    2>&1 | tee "$CKA_BENCH_OUT/$(basename "$f" .m).txt"
  [ "${PIPESTATUS[0]}" = 0 ] || rc=1
done
exit $rc
