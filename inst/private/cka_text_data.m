## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {[@var{data}, @var{data2}] =} cka_text_data (@var{texts}, @var{model1}, @var{model2}, @var{opts}, @var{pooling})
## Tokenize the sentences @var{texts} for @code{cka_compare}: each model gets
## the ids of its own tokenizer (option @qcode{"Tokenizer1"} /
## @qcode{"Tokenizer2"}, else a @code{tokenizer} field of the model struct).
## @var{data2} is empty when both sides use the same tokenizer.  Pooling that
## needs both sides to see the same tokens (@qcode{"flatten"},
## @qcode{"tokens"}) is refused when the tokenizers differ.
## @end deftypefn

function [data, data2] = cka_text_data (texts, model1, model2, opts, pooling)
  if (ischar (texts))
    texts = cellstr (texts);
  endif
  if (isempty (texts))
    error ("cka:input:emptyData", "cka_compare: the list of sentences is empty");
  endif
  if (! isempty (opts.Data2))
    error ("cka:input:badOption",
           "cka_compare: with sentences as data, give Tokenizer2 instead of Data2");
  endif
  tok1 = pick_tokenizer (opts.Tokenizer1, model1, "Tokenizer1", "model1");
  if (isempty (model2))
    tok2 = tok1;
    if (! isempty (opts.Tokenizer2) && ! isequal (opts.Tokenizer2, tok1))
      error ("cka:input:badOption",
             "cka_compare: one model compared with itself takes one tokenizer");
    endif
  elseif (isempty (opts.Tokenizer2) && ! isfield (model2, "tokenizer"))
    tok2 = tok1;
  else
    tok2 = pick_tokenizer (opts.Tokenizer2, model2, "Tokenizer2", "model2");
  endif
  maxlen = opts.MaxLength;
  if (isempty (maxlen))
    maxlen = tfm_max_positions (model1);
    if (! isempty (model2))
      maxlen = min (maxlen, tfm_max_positions (model2));
    endif
  endif
  enc = {"MaxLength", maxlen, "Truncation", true, "Padding", "longest"};
  data = tfm_encode (tok1, texts, enc{:});
  data2 = [];
  if (! isequal (tok1, tok2))
    if (any (strcmp (pooling, {"flatten", "tokens"})))
      error ("cka:input:misalignedTokens",
             ["cka_compare: the two models tokenize the sentences differently, so " ...
              "\"%s\" pooling would compare different tokens; use \"mean\", " ...
              "\"first\" or \"last\" pooling"], pooling);
    endif
    data2 = tfm_encode (tok2, texts, enc{:});
  endif
endfunction

function tok = pick_tokenizer (given, model, optname, what)
  if (! isempty (given))
    tok = given;
  elseif (isstruct (model) && isfield (model, "tokenizer") && ! isempty (model.tokenizer))
    tok = model.tokenizer;
  else
    error ("cka:input:noTokenizer",
           "cka_compare: sentences as data need a tokenizer for %s (option %s, see tfm_tokenizer)",
           what, optname);
  endif
  if (ischar (tok))
    tok = tfm_tokenizer (tok);
  elseif (! isstruct (tok))
    error ("cka:input:badOption",
           "cka_compare: %s must be a tokenizer struct (tfm_tokenizer) or a folder", optname);
  endif
endfunction

