## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {} disp (@var{s})
## @deftypefnx {} {@var{str} =} disp (@var{s})
## Show a struct without its name: a model or tokenizer of the cka package
## as a short summary (see @code{display}), every other struct exactly as
## Octave shows it.  @code{fdisp (stdout, @var{s})} prints every field in
## full.
## @seealso{display, fdisp}
## @end deftypefn

function str = disp (s)
  txt = cka_struct_summary (s, inputname (1, false));
  if (isempty (txt))
    if (nargout > 0)
      str = builtin ("disp", s);
    else
      builtin ("disp", s);
    endif
  elseif (nargout > 0)
    str = txt;
  else
    printf ("%s", txt);
  endif
endfunction
