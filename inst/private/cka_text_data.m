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
  if (! isequal (tok1, tok2) && any (strcmp (pooling, {"flatten", "tokens"})))
    error ("cka:input:misalignedTokens",
           ["cka_compare: the two models tokenize the sentences differently, so " ...
            "\"%s\" pooling would compare different tokens; use \"mean\", " ...
            "\"first\" or \"last\" pooling"], pooling);
  endif
  data = encode (tok1, texts, maxlen, isempty (opts.MaxLength));
  data2 = [];
  if (! isequal (tok1, tok2))
    data2 = encode (tok2, texts, maxlen, isempty (opts.MaxLength));
  endif
endfunction

## The sentences as ids, cut to maxlen tokens; a cut the user did not ask
## for (no MaxLength) is said once, with how many sentences it touched.
function enc = encode (tok, texts, maxlen, implicit)
  enc = tfm_encode (tok, texts, "Padding", "longest");
  lengths = sum (enc.attention_mask, 2);
  long = nnz (lengths > maxlen);
  if (long == 0)
    return;
  endif
  if (implicit)
    warning ("cka:compare:truncated",
             ["cka_compare: %d of %d sentences are longer than the %d tokens the model " ...
              "takes (the longest has %d) and were cut to %d; give \"MaxLength\" to " ...
              "choose the length"], long, numel (texts), maxlen, max (lengths), maxlen);
  endif
  enc = tfm_encode (tok, texts, "MaxLength", maxlen, "Truncation", true, "Padding", "longest");
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

