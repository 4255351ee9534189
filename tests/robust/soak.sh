#!/bin/bash
# make soak: 10,000 tfm_forward and 10,000 cka_update calls, RSS must stay flat.
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
OCTAVE=${OCTAVE:-octave-cli}
N=${SOAK_CALLS:-10000}
out=$("$OCTAVE" --no-gui --no-history --norc --silent --no-window-system --eval \
  "addpath ('$BUILDDIR/src', '$SRCDIR/inst', '$SRCDIR/tests/robust'); soak ($N);" 2>&1)
echo "$out"
echo "$out" | grep -q '^SOAK PASS'
