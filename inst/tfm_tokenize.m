## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{tokens} =} tfm_tokenize (@var{tok}, @var{text})
## @deftypefnx {cka} {[@var{tokens}, @var{ids}] =} tfm_tokenize (@var{tok}, @var{text})
## Split @var{text} into the tokens of tokenizer @var{tok} (from
## @code{tfm_tokenizer}, the CKA package's tokenizers), as Hugging Face's
## @code{tokenizer.tokenize(text)}.
##
## @var{tokens} is a 1-by-@var{n} cellstr, @var{ids} the 0-based vocabulary
## ids.  No special tokens are added (see @code{tfm_encode}); special tokens
## written in the text (@code{[MASK]}, @code{<|endoftext|>}) are kept whole.
## WordPiece continuation pieces start with @qcode{"##"}; GPT-2's byte-level
## tokens show a space as @qcode{"Ġ"} and a newline as @qcode{"Ċ"}.  With a
## cellstr @var{text}, both outputs are cells with one entry per string.
##
## @var{text} must be valid UTF-8 (Octave keeps strings as UTF-8 bytes),
## otherwise the error is @code{cka:tokenizer:invalidUtf8}.
##
## @example
## @group
## tok = tfm_tokenizer ("gpt2");
## tfm_tokenize (tok, "Hello, world!")
##   @result{} @{"Hello", ",", "Ġworld", "!"@}
## @end group
## @end example
##
## @seealso{tfm_tokenizer, tfm_encode, tfm_decode}
## @end deftypefn

function [tokens, ids] = tfm_tokenize (tok, text)
  if (nargin != 2)
    print_usage ();
  endif
  check_tokenizer (tok, "tfm_tokenize");
  if (ischar (text) && (isrow (text) || isempty (text)))
    [ids, odd] = __tok_encode__ (tok, {text});
    ids = ids{1};
    tokens = token_strings (tok, ids, odd{1});
  elseif (iscellstr (text))
    [ids, odd] = __tok_encode__ (tok, text(:));
    lens = cellfun ("numel", ids);
    all_ids = [zeros(1, 0), ids{:}];
    starts = cumsum ([0; lens(1:end-1)]);
    all_odd = cell (numel (ids), 1);
    for k = find (! cellfun ("isempty", odd))'
      all_odd{k} = [num2cell(starts(k) + [odd{k}{:, 1}]'), odd{k}(:, 2)];
    endfor
    all_odd = vertcat (cell (0, 2), all_odd{:});
    tokens = mat2cell (token_strings (tok, all_ids, all_odd), 1, lens);
    ids = reshape (ids, size (text));
    tokens = reshape (tokens, size (text));
  else
    error ("cka:input:badText", "tfm_tokenize: TEXT must be a string or a cellstr");
  endif
endfunction

## The token strings are the vocabulary's, except for BPE symbols missing
## from it (encoded as the unknown token), which the C side reports.
function t = token_strings (tok, ids, odd)
  t = reshape (tok.vocab(ids + 1), 1, []);
  if (! isempty (odd))
    t([odd{:, 1}]) = odd(:, 2);
  endif
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
%! [t, ids] = tfm_tokenize (bert, "Hello, World!");
%! assert (t, {"hello", ",", "world", "!"});
%! assert (ids, [5 8 6 7]);
%! assert (tfm_tokenize (bert, "unaffable"), {"un", "##aff", "##able"});
%! ## special tokens stay whole; a word with an unmatched rest is [UNK]
%! assert (tfm_tokenize (bert, "[MASK]ed"), {"[MASK]", "[UNK]"});
%! assert (tfm_tokenize (bert, ""), cell (1, 0));
%!test
%! [t, ids] = tfm_tokenize (gpt2, "Hello world");
%! assert (t, {"Hello", "Ġworld"});
%! assert (ids, [17 22]);
%! ## a run of spaces leaves its last space to the next word
%! assert (tfm_tokenize (gpt2, "a  b"), {"a", "Ġ", "Ġb"});
%! assert (tfm_tokenize (gpt2, "it's"), {"i", "t", "'", "s"});
%! assert (tfm_tokenize (gpt2, "é<|endoftext|>"), {"Ã©", "<|endoftext|>"});
%!test
%! [t, ids] = tfm_tokenize (gpt2, {"a", "b a"});
%! assert (t, {{"a"}, {"b", "Ġ", "a"}});
%! assert (ids, {12, [13 4 12]});
%!error id=cka:tokenizer:invalidUtf8 tfm_tokenize (bert, "caf\xe9")
%!error id=cka:tokenizer:invalidUtf8 tfm_tokenize (gpt2, {"ok", "\xc3\x28"})
%!error id=cka:input:badText tfm_tokenize (bert, 42)
%!error id=cka:input:badTokenizer tfm_tokenize (struct ("a", 1), "x")
%!error <Invalid call> tfm_tokenize (bert)

%!demo
%! ## WordPiece on a toy vocabulary: greedy longest match, "##" pieces
%! tok = tfm_tokenizer (struct ("vocab", {{"[PAD]"; "[UNK]"; "[CLS]"; "[SEP]"; "[MASK]"; ...
%!                                        "un"; "##aff"; "##able"; "##ord"; "!"}}));
%! [tokens, ids] = tfm_tokenize (tok, "Unaffable! Unafford")
%!test
%! ## a symbol missing from the vocabulary: the unknown token's id, its own string
%! tok = tfm_tokenizer (struct ("vocab", {{"a"; "b"; "<|endoftext|>"}}, "merges", {cell(0, 2)}));
%! [t, ids] = tfm_tokenize (tok, "ab c");
%! assert (t, {"a", "b", "Ġ", "c"});
%! assert (ids, [0 1 2 2]);
%! [t, ids] = tfm_tokenize (tok, {"a c", "", "cb c"});
%! assert (t, {{"a", "Ġ", "c"}, cell(1, 0), {"c", "b", "Ġ", "c"}});
%! assert (ids, {[0 2 2], zeros(1, 0), [2 1 2 2]});
