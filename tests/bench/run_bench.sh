#!/bin/bash
# Runs every tests/bench/bench_*.m in its own octave-cli (called by `make bench`).
# Environment: SRCDIR, BUILDDIR (where src/*.mex are), OCTAVE.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
OCTAVE=${OCTAVE:-octave-cli}
rc=0
for f in "$SRCDIR"/tests/bench/bench_*.m; do
  [ -e "$f" ] || continue
  echo "== $(basename "$f")"
  "$OCTAVE" --no-gui --no-history --norc --silent --eval \
    "addpath ('$BUILDDIR/src', '$SRCDIR/inst', '$SRCDIR/tests/util'); run ('$f');" || rc=1
done
exit $rc
