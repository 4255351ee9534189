## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {} check_tokenizer (@var{tok}, @var{fname})
## Error @code{cka:input:badTokenizer} unless @var{tok} looks like a
## tokenizer struct made by @code{tfm_tokenizer}.
## @end deftypefn

function check_tokenizer (tok, fname)
  if (! (isstruct (tok) && isscalar (tok) && isfield (tok, "type")
         && isfield (tok, "vocab") && any (strcmp (tok.type, {"wordpiece", "bpe", "spm"}))))
    error ("cka:input:badTokenizer",
           "%s: TOK must be a tokenizer struct made by tfm_tokenizer", fname);
  endif
endfunction
