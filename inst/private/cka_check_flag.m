## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{tf} =} cka_check_flag (@var{v}, @var{name}, @var{fname})
## A logical option value: a scalar logical or number, else the error
## @code{cka:input:badOption} naming option @var{name} of @var{fname}.
## @end deftypefn

function tf = cka_check_flag (v, name, fname)
  if (! (isscalar (v) && (islogical (v) || isnumeric (v)) && ! isnan (v)))
    error ("cka:input:badOption", "%s: %s must be true or false", fname, name);
  endif
  tf = logical (v);
endfunction
