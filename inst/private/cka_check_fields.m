## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{H} =} cka_check_fields (@var{H}, @var{strings}, @var{flags}, @var{bad}, @var{name})
## Check and normalise the string and true/false fields of a header read
## from a file (a checkpoint's header, a shard's provenance): each field in
## @var{strings} must be a string (an empty one becomes ""), each in
## @var{flags} true or false (a 0/1 number, as JSON gives it, becomes
## logical).  @var{bad} raises the error with a printf-style message;
## @var{name} formats the field's name for it (e.g. "header field %s").
## @end deftypefn

function H = cka_check_fields (H, strings, flags, bad, name)
  for f = flags
    v = H.(f{1});
    if (! (isscalar (v) && (islogical (v) || (isnumeric (v) && any (v == [0 1])))))
      bad ("%s must be true or false", sprintf (name, f{1}));
    endif
    H.(f{1}) = logical (v);
  endfor
  for f = strings
    v = H.(f{1});
    if (! (ischar (v) && (isrow (v) || isempty (v))))
      bad ("%s must be a string", sprintf (name, f{1}));
    endif
    if (isempty (v))
      H.(f{1}) = "";
    endif
  endfor
endfunction
