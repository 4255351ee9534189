## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{enc} =} tfm_encode (@var{tok}, @var{texts})
## @deftypefnx {cka} {@var{enc} =} tfm_encode (@var{tok}, @var{texts}, @var{Name}, @var{Value}, @dots{})
## Turn text into the model inputs (for CKA over sentences), as Hugging
## Face's @code{tokenizer(texts, padding=..., truncation=..., max_length=...)}.
##
## @var{tok} comes from @code{tfm_tokenizer}; @var{texts} is a string or a
## cellstr of @var{B} strings (UTF-8).  @var{enc} is a struct with
##
## @table @code
## @item input_ids
## @var{B}-by-@var{S} double, 0-based vocabulary ids (as in Hugging Face);
## @item attention_mask
## @var{B}-by-@var{S} double, 1 for tokens and 0 for padding;
## @item token_type_ids
## @var{B}-by-@var{S} double, 0 for the first text and 1 for the second of a
## pair (BERT); empty for GPT-2, which has no token types (Hugging Face does
## not return them: passing zeros to GPT-2 would add @code{wte(0)}).
## @end table
##
## the form @code{tfm_forward} and @code{cka_compare} take.  BERT wraps each
## text as @code{[CLS] A [SEP]} (pairs: @code{[CLS] A [SEP] B [SEP]}); GPT-2
## adds nothing.
##
## Options (case-insensitive; snake_case accepted):
##
## @table @asis
## @item @qcode{"MaxLength"} (default: none)
## Length limit, special tokens included.
## @item @qcode{"Padding"} (default @qcode{"longest"})
## @qcode{"longest"}: pad to the longest sequence of the batch;
## @qcode{"max_length"}: pad to @qcode{"MaxLength"} (or the tokenizer's
## @code{model_max_length}); @code{false} (or @qcode{"do_not_pad"}): no
## padding, and the three fields are then @var{B}-by-1 cells of rows.
## @code{true} means @qcode{"longest"}.
## @item @qcode{"Truncation"} (default: @code{true} when MaxLength is given)
## Cut sequences to MaxLength (or @code{model_max_length}), dropping tokens at
## the end; for pairs, one token at a time from the longer of the two
## (Hugging Face's @qcode{"longest_first"}).
## @item @qcode{"AddSpecialTokens"} (default @code{true})
## @item @qcode{"TextPairs"} (default: none)
## A cellstr of @var{B} second texts (BERT sentence pairs).
## @item @qcode{"PaddingSide"} (default @code{tok.padding_side}, @qcode{"right"})
## @qcode{"right"} or @qcode{"left"}.
## @end table
##
## Padding uses @code{tok.pad_token} (@code{[PAD]} = 0 for BERT; GPT-2 has
## none, so @code{tfm_tokenizer} sets it to @code{<|endoftext|>} = 50256).
##
## @example
## @group
## tok = tfm_tokenizer ("bert-base-uncased");
## enc = tfm_encode (tok, @{"Hello world!", "Hi."@})
##   @result{} enc.input_ids = [101 7592 2088 999 102; 101 7632 1012 102 0]
## enc = tfm_encode (tok, "Question?", "TextPairs", "Answer.", "MaxLength", 16);
## @end group
## @end example
##
## @seealso{tfm_tokenizer, tfm_tokenize, tfm_decode, tfm_forward}
## @end deftypefn

function enc = tfm_encode (tok, texts, varargin)
  if (nargin < 2)
    print_usage ();
  endif
  check_tokenizer (tok, "tfm_encode");
  opts = parse_options ("tfm_encode", struct ("MaxLength", [], "Padding", "longest",
                                              "Truncation", [], "AddSpecialTokens", true,
                                              "TextPairs", [], "PaddingSide", tok.padding_side),
                        varargin);
  texts = as_texts (texts, "TEXTS");
  B = numel (texts);
  pairs = ! isempty (opts.TextPairs);
  if (pairs)
    second = as_texts (opts.TextPairs, "TextPairs");
    if (numel (second) != B)
      error ("cka:input:sizeMismatch",
             "tfm_encode: TextPairs must have one text per text (%d, got %d)", B, numel (second));
    endif
  endif
  ## options
  maxlen = opts.MaxLength;
  if (! isempty (maxlen) && ! (isnumeric (maxlen) && isscalar (maxlen) && maxlen >= 1
                               && maxlen == fix (maxlen)))
    error ("cka:input:badOption", "tfm_encode: MaxLength must be a positive integer");
  endif
  pad = opts.Padding;
  if (islogical (pad) || isnumeric (pad))
    if (! isscalar (pad))
      error ("cka:input:badOption", "tfm_encode: Padding must be \"longest\", \"max_length\" or false");
    endif
    if (pad) pad = "longest"; else pad = "do_not_pad"; endif
  endif
  if (! (ischar (pad) && any (strcmp (pad, {"longest", "max_length", "do_not_pad"}))))
    error ("cka:input:badOption", "tfm_encode: Padding must be \"longest\", \"max_length\" or false");
  endif
  trunc = opts.Truncation;
  if (isempty (trunc))
    trunc = ! isempty (maxlen);
  elseif (ischar (trunc) && any (strcmp (trunc, {"longest_first", "do_not_truncate"})))
    trunc = strcmp (trunc, "longest_first");
  elseif (! (isscalar (trunc) && (islogical (trunc) || isnumeric (trunc))))
    error ("cka:input:badOption", "tfm_encode: Truncation must be true or false");
  endif
  if (! (isscalar (opts.AddSpecialTokens) && (islogical (opts.AddSpecialTokens)
                                             || isnumeric (opts.AddSpecialTokens))))
    error ("cka:input:badOption", "tfm_encode: AddSpecialTokens must be true or false");
  endif
  side = opts.PaddingSide;
  if (! (ischar (side) && any (strcmp (side, {"right", "left"}))))
    error ("cka:input:badOption", "tfm_encode: PaddingSide must be \"right\" or \"left\"");
  endif
  if ((trunc || strcmp (pad, "max_length")) && isempty (maxlen))
    maxlen = tok.model_max_length;
    if (! isfinite (maxlen))
      error ("cka:input:badOption",
             "tfm_encode: give MaxLength (the tokenizer has no model_max_length)");
    endif
  endif

  ## tokens
  ids_a = __tok_encode__ (tok, texts);
  if (pairs)
    ids_b = __tok_encode__ (tok, second);
  endif
  [pre, mid, post, tt_b] = template (tok, pairs && true, logical (opts.AddSpecialTokens));
  nspec = numel (pre) + numel (mid) + numel (post);
  if (trunc && maxlen < nspec + 1)
    error ("cka:input:badOption",
           "tfm_encode: MaxLength %d leaves no room for text next to %d special tokens",
           maxlen, nspec);
  endif
  has_types = strcmp (tok.template, "bert");
  if (! pairs && ! strcmp (pad, "do_not_pad"))
    enc = pad_single (tok, ids_a, pre, post, trunc, maxlen, pad, side, has_types);
    return;
  endif
  seqs = cell (B, 1);
  types = cell (B, 1);
  for b = 1:B
    a = ids_a{b};
    if (pairs)
      c = ids_b{b};
      if (trunc)
        [a, c] = truncate_pair (a, c, maxlen - nspec);
      endif
      seqs{b} = [pre, a, mid, c, post];
      types{b} = [zeros(1, numel (pre) + numel (a) + numel (mid)), ...
                  tt_b * ones(1, numel (c) + numel (post))];
    else
      if (trunc && numel (a) > maxlen - nspec)
        a = a(1:maxlen - nspec);
      endif
      seqs{b} = [pre, a, post];
      types{b} = zeros (1, numel (seqs{b}));
    endif
  endfor

  ## padding
  if (strcmp (pad, "do_not_pad"))
    enc.input_ids = seqs;
    enc.attention_mask = cellfun (@(s) ones (size (s)), seqs, "uniformoutput", false);
    if (has_types)
      enc.token_type_ids = types;
    else
      enc.token_type_ids = [];
    endif
    return;
  endif
  lens = cellfun (@numel, seqs);
  if (strcmp (pad, "max_length"))
    S = max ([maxlen; lens(:)]);
  else
    S = max ([0; lens(:)]);
  endif
  check_size (numel (lens), S);
  pad_id = 0;
  if (any (lens < S))
    pad_id = pad_token_id (tok);
  endif
  enc.input_ids = pad_id * ones (B, S);
  enc.attention_mask = zeros (B, S);
  tt = zeros (B, S);
  for b = 1:B
    n = lens(b);
    if (strcmp (side, "right"))
      cols = 1:n;
    else
      cols = S-n+1:S;
    endif
    enc.input_ids(b, cols) = seqs{b};
    enc.attention_mask(b, cols) = 1;
    tt(b, cols) = types{b};
  endfor
  if (has_types)
    enc.token_type_ids = tt;
  else
    enc.token_type_ids = [];
  endif
endfunction

## Single texts, padded: the same as the loop of the pair case, vectorised
## (one scatter of all ids into the padded matrix).
## The padded outputs (ids, mask, token types: B x S doubles each) must fit
## in memory: a MaxLength from a typo (1e10) is refused, not Octave:bad-alloc.
function check_size (B, S)
  cka_check_memory (3 * 8 * B * S, "cka:input:tooLarge",
                    sprintf ("tfm_encode: %d sequence(s) padded to %d tokens", B, S));
endfunction

function enc = pad_single (tok, ids, pre, post, trunc, maxlen, pad, side, has_types)
  B = numel (ids);
  L0 = cellfun ("numel", ids)(:);
  npre = numel (pre);
  nspec = npre + numel (post);
  la = L0;
  if (trunc)
    la = min (la, maxlen - nspec);
  endif
  lens = la + nspec;
  if (strcmp (pad, "max_length"))
    S = max ([maxlen; lens]);
  else
    S = max ([0; lens]);
  endif
  check_size (numel (lens), S);
  pad_id = 0;
  if (any (lens < S))
    pad_id = pad_token_id (tok);
  endif
  if (strcmp (side, "right"))
    off = zeros (B, 1);
  else
    off = S - lens;
  endif
  M = pad_id * ones (B, S);
  if (B > 0)
    allids = [ids{:}](:);
    r = repelem ((1:B)', L0)(:);
    pos = (1:sum (L0))' - repelem (cumsum ([0; L0(1:end-1)]), L0)(:);
    keep = pos <= la(r);
    M(sub2ind ([B S], r(keep), off(r(keep)) + npre + pos(keep))) = allids(keep);
    for j = 1:npre
      M(sub2ind ([B S], (1:B)', off + j)) = pre(j);
    endfor
    for j = 1:numel (post)
      M(sub2ind ([B S], (1:B)', off + npre + la + j)) = post(j);
    endfor
  endif
  enc.input_ids = M;
  if (strcmp (side, "right"))
    enc.attention_mask = double ((1:S) <= lens);
  else
    enc.attention_mask = double ((1:S) > S - lens);
  endif
  if (has_types)
    enc.token_type_ids = zeros (B, S);
  else
    enc.token_type_ids = [];
  endif
endfunction

function id = pad_token_id (tok)
  k = find (strcmp (tok.pad_token, tok.special_tokens), 1);
  if (isempty (tok.pad_token) || isempty (k))
    error ("cka:tokenizer:noPadToken",
           "tfm_encode: the tokenizer has no padding token (set tok.pad_token)");
  endif
  id = tok.special_ids(k);
endfunction

function c = as_texts (t, what)
  if (ischar (t) && (isrow (t) || isempty (t)))
    c = {t};
  elseif (iscellstr (t))
    c = t(:);
  else
    error ("cka:input:badText", "tfm_encode: %s must be a string or a cellstr", what);
  endif
endfunction

## Special-token template: ids before A, between A and B, after, and the
## token type of the B part.
function [pre, mid, post, tt_b] = template (tok, pairs, add)
  pre = mid = post = zeros (1, 0);
  tt_b = 1;
  if (! add)
    return;
  endif
  id = @(t) tok.special_ids(find (strcmp (t, tok.special_tokens), 1));
  if (strcmp (tok.template, "llama"))
    ## LlamaTokenizer: [<s>] A [</s>], pairs [<s>] A [</s>] [<s>] B [</s>]
    if (tok.add_bos_token)
      pre = id (tok.bos_token);
      if (isempty (pre))
        error ("cka:tokenizer:missingToken", "tfm_encode: the tokenizer has no BOS token");
      endif
    endif
    if (tok.add_eos_token)
      post = id (tok.eos_token);
      if (isempty (post))
        error ("cka:tokenizer:missingToken", "tfm_encode: the tokenizer has no EOS token");
      endif
    endif
    if (pairs)
      mid = [post pre];
    endif
    return;
  endif
  switch (tok.template)
    case "bert"
      pre = id (tok.cls_token);
      post = id (tok.sep_token);
      if (pairs)
        mid = post;
      endif
    case "roberta"
      pre = id (tok.cls_token);
      post = id (tok.sep_token);
      if (pairs)
        mid = [post post];
      endif
      tt_b = 0;
    otherwise
      tt_b = 1;
  endswitch
  if (numel (pre) + numel (post) > 0 && (isempty (pre) || isempty (post)))
    error ("cka:tokenizer:missingToken", "tfm_encode: the tokenizer lacks its CLS/SEP tokens");
  endif
endfunction

## HF "longest_first": remove one token at a time from the longer sequence
## (from the second one on a tie) until the two fit in `room`.
function [a, b] = truncate_pair (a, b, room)
  r = numel (a) + numel (b) - room;
  if (r <= 0)
    return;
  endif
  la = numel (a);  lb = numel (b);
  if (la > lb)
    k = min (r, la - lb);  la -= k;  r -= k;
  elseif (lb > la)
    k = min (r, lb - la);  lb -= k;  r -= k;
  endif
  lb -= ceil (r / 2);
  la -= floor (r / 2);
  a = a(1:la);
  b = b(1:lb);
endfunction

%!function [bert, gpt2] = toy_tokenizers ()
%! bert = tfm_tokenizer (struct ("vocab", {{"[PAD]"; "[UNK]"; "[CLS]"; "[SEP]"; "[MASK]"; ...
%!   "hello"; "world"; "!"; ","; "hi"; "."; "a"; "b"; "c"; "d"; "e"; "f"; "g"; "'"; "t"; ...
%!   "isn"; "?"; "un"; "##aff"; "##able"}}));
%! gpt2 = tfm_tokenizer (struct ("vocab", {{"H"; "e"; "l"; "o"; "Ġ"; "w"; "r"; "d"; "i"; ...
%!   "'"; "s"; "t"; "a"; "b"; "He"; "ll"; "Hell"; "Hello"; "Ġw"; "or"; "Ġwor"; "ld"; ...
%!   "Ġworld"; "<|endoftext|>"; "Ã"; "©"; "Ã©"; "Ġb"}}, "merges", ...
%!   {{"H", "e"; "l", "l"; "He", "ll"; "Hell", "o"; "Ġ", "w"; "o", "r"; "Ġw", "or"; ...
%!     "l", "d"; "Ġwor", "ld"; "Ã", "©"; "Ġ", "b"}}));
%!endfunction
%!shared bert, gpt2
%! [bert, gpt2] = toy_tokenizers ();

%!test
%! enc = tfm_encode (bert, {"Hello world!", "Hi."});
%! assert (enc.input_ids, [2 5 6 7 3; 2 9 10 3 0]);
%! assert (enc.attention_mask, [1 1 1 1 1; 1 1 1 1 0]);
%! assert (enc.token_type_ids, zeros (2, 5));
%!test
%! enc = tfm_encode (bert, "Hello world!", "MaxLength", 4);
%! assert (enc.input_ids, [2 5 6 3]);
%! enc = tfm_encode (bert, "Hello world!", "Padding", "max_length", "MaxLength", 7);
%! assert (enc.input_ids, [2 5 6 7 3 0 0]);
%! assert (enc.attention_mask, [1 1 1 1 1 0 0]);
%! enc = tfm_encode (bert, "Hello world!", "AddSpecialTokens", false);
%! assert (enc.input_ids, [5 6 7]);
%!test
%! enc = tfm_encode (bert, "Hi.", "TextPairs", "Hello world!");
%! assert (enc.input_ids, [2 9 10 3 5 6 7 3]);
%! assert (enc.token_type_ids, [0 0 0 0 1 1 1 1]);
%! ## longest_first: the longer text loses tokens first
%! enc = tfm_encode (bert, "a b c d e", "TextPairs", "f g", "MaxLength", 8);
%! assert (enc.input_ids, [2 11 12 13 3 16 17 3]);
%! enc = tfm_encode (bert, "a b c", "TextPairs", "d e f", "MaxLength", 7);
%! assert (enc.input_ids, [2 11 12 3 14 15 3]);
%!test
%! enc = tfm_encode (gpt2, {"Hello world", "a"}, "PaddingSide", "left");
%! assert (enc.input_ids, [17 22; 23 12]);
%! assert (enc.attention_mask, [1 1; 0 1]);
%! assert (isempty (enc.token_type_ids));
%!test
%! enc = tfm_encode (gpt2, {"Hello world", "a"}, "Padding", false);
%! assert (enc.input_ids, {[17 22]; 12});
%! assert (enc.attention_mask, {[1 1]; 1});
%!test
%! enc = tfm_encode (bert, cell (0, 1));
%! assert (size (enc.input_ids), [0 0]);
%!error id=cka:input:badText tfm_encode (bert, 1)
%!error id=cka:input:sizeMismatch tfm_encode (bert, {"a", "b"}, "TextPairs", {"c"})
%!error id=cka:input:badOption tfm_encode (bert, "a", "Padding", "shortest")
%!error id=cka:input:badOption tfm_encode (bert, "a", "MaxLength", 0)
%!error id=cka:input:badOption tfm_encode (bert, "a", "MaxLength", 2)
%!error id=cka:input:badOption tfm_encode (bert, "a", "PaddingSide", "up")
%!error id=cka:input:badOption tfm_encode (gpt2, "a", "Truncation", true)
%!error id=cka:input:unknownOption tfm_encode (bert, "a", "MaxLen", 3)
%!error id=cka:tokenizer:invalidUtf8 tfm_encode (bert, "\xff")
%!error <Invalid call> tfm_encode (bert)
%!test
%! ## RoBERTa's template: <s> A </s></s> B </s>, no token types
%! tok = tfm_tokenizer (struct ("vocab", {{"<s>"; "<pad>"; "</s>"; "<unk>"; "a"; "b"}}, ...
%!                              "merges", {cell(0, 2)}, "unk_token", "<unk>", "bos_token", "<s>", ...
%!                              "eos_token", "</s>", "cls_token", "<s>", "sep_token", "</s>", ...
%!                              "pad_token", "<pad>", "template", "roberta"));
%! enc = tfm_encode (tok, {"a", "ab"}, "TextPairs", {"b", "b"});
%! assert (enc.input_ids, [0 4 2 2 5 2 1; 0 4 5 2 2 5 2]);
%! assert (enc.attention_mask, [1 1 1 1 1 1 0; ones(1, 7)]);
%! assert (isempty (enc.token_type_ids));
