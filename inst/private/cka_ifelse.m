## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{v} =} cka_ifelse (@var{cond}, @var{a}, @var{b})
## @var{a} if @var{cond} is true, else @var{b} (for one-line choices).
## @end deftypefn

function v = cka_ifelse (cond, a, b)
  if (cond)
    v = a;
  else
    v = b;
  endif
endfunction
