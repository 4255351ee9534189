## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {} display (@var{s})
## Show a struct: a model or a tokenizer of the cka package as a short
## summary, every other struct exactly as Octave shows it.
##
## @code{m = tfm_create (@dots{})} without a semicolon would otherwise print
## every weight (about 110 million numbers for BERT-base), and
## @code{tok = tfm_tokenizer (@dots{})} the whole vocabulary.  The summary
## names the architecture, the sizes, the parameter count and type, and
## where the model or tokenizer came from, like PyTorch's @code{print
## (model)}.  The struct itself is unchanged: its fields are read and
## edited as before (@code{m.config}, @code{m.weights.(name)}), and
## @code{fdisp (stdout, m)} prints every field in full.
##
## This method belongs to the cka package: any other struct goes to
## Octave's own display, with the same output as without the package.
## @seealso{disp, tfm_create, tfm_load, tfm_tokenizer}
## @end deftypefn

function display (s)
  name = inputname (1, false);
  label = name;                 # what the header (and the hints) call it
  if (isempty (label))
    label = "ans";
  endif
  txt = cka_struct_summary (s, label);
  if (isempty (txt))
    builtin ("display", s, name);
  else
    printf ("%s =\n\n%s\n", label, txt);
  endif
endfunction
