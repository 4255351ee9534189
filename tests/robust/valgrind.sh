#!/bin/bash
# make valgrind: the reduced MEX suite (valgrind_suite.m) under
# valgrind --leak-check=full, twice (VG_REPS1 and VG_REPS2 repetitions), so a
# leak that grows with calls shows as a difference between the two runs.
# Fails if the suite stops on an error, on any invalid read/write or use of uninitialised memory reported in
# a frame of our MEX files / core library, or on definitely-lost bytes in our
# frames.
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
OCTAVE=${OCTAVE:-octave-cli}
OUT="$BUILDDIR/tests/build/valgrind"
mkdir -p "$OUT"
rc=0
for reps in ${VG_REPS1:-1} ${VG_REPS2:-4}; do
  tmp=$(mktemp -d)
  log="$OUT/valgrind_$reps.log"
  valgrind --leak-check=full --show-leak-kinds=definite --num-callers=30 \
    --log-file="$log" "$OCTAVE" --no-gui --no-history --norc --silent --no-window-system --eval \
    "addpath ('$BUILDDIR/src', '$SRCDIR/inst', '$SRCDIR/tests/robust'); valgrind_suite ($reps, '$tmp');" \
    > "$OUT/octave_$reps.txt" 2>&1
  rm -rf "$tmp"
  echo "== $reps repetition(s): $log"
  # the suite must have run to its end (an error in it would skip the rest)
  if ! grep -q "valgrind_suite: $reps repetitions done" "$OUT/octave_$reps.txt"; then
    echo "  FAIL: the suite did not finish:"; tail -n 20 "$OUT/octave_$reps.txt"; rc=1
  fi
  grep -E 'ERROR SUMMARY|definitely lost:|indirectly lost:|possibly lost:' "$log" | sed 's/^==[0-9]*== /  /'
  ours=$(grep -cE '(Invalid (read|write)|uninitialised)' "$log")
  echo "  invalid access / uninitialised reports (any frame): $ours"
  # records whose stack passes through our code
  awk '/^==[0-9]+== [A-Z]/{rec=$0; next} /\.mex|libckacore|src\/core|src\/mex/{print rec}' "$log" | sort -u > "$OUT/ours_$reps.txt"
  if grep -qE 'Invalid|uninitialised|definitely lost' "$OUT/ours_$reps.txt"; then
    echo "  FAIL: reports in our code:"; cat "$OUT/ours_$reps.txt"; rc=1
  fi
done
exit $rc
