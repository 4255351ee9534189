## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{text} =} tfm_decode (@var{tok}, @var{ids})
## @deftypefnx {cka} {@var{text} =} tfm_decode (@var{tok}, @var{ids}, @var{Name}, @var{Value}, @dots{})
## Turn token ids back into text (the CKA package's tokenizers), as Hugging
## Face's @code{tokenizer.decode}.
##
## @var{ids} are 0-based vocabulary ids: a vector gives a string; a matrix
## (one sequence per row, e.g. @code{enc.input_ids}) or a cell of vectors
## gives a cellstr column.  WordPiece: the tokens are joined with spaces and
## @qcode{" ##"} removed; GPT-2: the byte-level symbols are mapped back to
## bytes and decoded as UTF-8 (bytes that do not form UTF-8 become U+FFFD).
##
## Options:
## @table @asis
## @item @qcode{"SkipSpecialTokens"} (default @code{false})
## Leave out @code{[CLS]}, @code{[SEP]}, @code{[PAD]}, @code{<|endoftext|>}, @dots{}
## @item @qcode{"CleanUpTokenizationSpaces"} (default @code{tok.clean_up_tokenization_spaces})
## Remove the space before @qcode{. ? ! ,} and in @qcode{" 's"}, @qcode{" n't"},
## @dots{} (Hugging Face's @code{clean_up_tokenization}).
## @end table
##
## @example
## @group
## tok = tfm_tokenizer ("bert-base-uncased");
## enc = tfm_encode (tok, "Hello, world!");
## tfm_decode (tok, enc.input_ids)
##   @result{} "[CLS] hello, world! [SEP]"
## tfm_decode (tok, enc.input_ids, "SkipSpecialTokens", true)
##   @result{} "hello, world!"
## @end group
## @end example
##
## @seealso{tfm_tokenizer, tfm_encode, tfm_tokenize}
## @end deftypefn

function text = tfm_decode (tok, ids, varargin)
  if (nargin < 2)
    print_usage ();
  endif
  check_tokenizer (tok, "tfm_decode");
  opts = parse_options ("tfm_decode", struct ("SkipSpecialTokens", false,
                                              "CleanUpTokenizationSpaces",
                                              tok.clean_up_tokenization_spaces),
                        varargin);
  if (iscell (ids))
    text = cellfun (@(r) decode_one (tok, r, opts), ids(:), "uniformoutput", false);
  elseif (isnumeric (ids) && (isvector (ids) || isempty (ids)))
    text = decode_one (tok, ids, opts);
  elseif (isnumeric (ids) && ismatrix (ids))
    text = cell (rows (ids), 1);
    for r = 1:rows (ids)
      text{r} = decode_one (tok, ids(r, :), opts);
    endfor
  else
    error ("cka:input:badIds", "tfm_decode: IDS must be a numeric vector, matrix or cell of vectors");
  endif
endfunction

function s = decode_one (tok, ids, opts)
  ids = double (ids(:)');
  if (! isnumeric (ids) || any (ids != fix (ids)) || any (ids < 0) || any (ids >= numel (tok.vocab)))
    error ("cka:input:tokenOutOfRange",
           "tfm_decode: token ids must be integers in 0..%d", numel (tok.vocab) - 1);
  endif
  if (opts.SkipSpecialTokens)
    sp = tok.special_ids;
    if (isfield (tok, "added_plain") && ! isempty (tok.added_plain))
      sp = sp(! ismember (tok.special_tokens, tok.added_plain));   # not special: kept
    endif
    ids = ids(! ismember (ids, sp));
  endif
  toks = tok.vocab(ids + 1);
  if (strcmp (tok.type, "spm"))
    s = spm_tokens_to_string (tok, ids, toks);
  elseif (strcmp (tok.type, "wordpiece"))
    s = strjoin (toks(:)', " ");
    if (! isempty (tok.continuing_subword_prefix))
      s = strrep_py (s, [" " tok.continuing_subword_prefix], "");
    endif
    s = strtrim (s);
  else
    s = __tok_decode__ ([toks{:}, ""]);
  endif
  if (opts.CleanUpTokenizationSpaces)
    rep = {" .", "."; " ?", "?"; " !", "!"; " ,", ","; " ' ", "'"; " n't", "n't";
           " 'm", "'m"; " 's", "'s"; " 've", "'ve"; " 're", "'re"};
    for k = 1:rows (rep)
      s = strrep_py (s, rep{k, 1}, rep{k, 2});
    endfor
  endif
endfunction

## LlamaTokenizer.convert_tokens_to_string (transformers 4.31): special
## tokens are written as they are, with a space before one that follows
## ordinary tokens; the runs between them go through sentencepiece's decoder
## (byte pieces reassembled into UTF-8, U+2581 back to spaces, the dummy
## prefix space of each run dropped).
function s = spm_tokens_to_string (tok, ids, toks)
  special = ismember (ids, tok.special_ids);
  parts = {};
  run = [];
  prev_special = false;
  for i = 1:numel (ids)
    if (special(i))
      if (! prev_special && i != 1)
        parts{end+1} = " ";
      endif
      parts{end+1} = spm_decode_run (tok, run);
      parts{end+1} = toks{i};
      prev_special = true;
      run = [];
    else
      run(end+1) = ids(i);
      prev_special = false;
    endif
  endfor
  parts{end+1} = spm_decode_run (tok, run);
  s = [parts{:}];
endfunction

function s = spm_decode_run (tok, ids)
  if (isempty (ids))
    s = "";
  else
    s = __tok_decode__ (tok.vocab(ids + 1), tok.piece_types(ids + 1), tok.add_dummy_prefix,
                        tok.remove_extra_whitespaces);
  endif
endfunction

## Python's str.replace: non-overlapping occurrences, left to right.
function s = strrep_py (s, from, to)
  s = regexprep (s, regexptranslate ("escape", from), regexptranslate ("escape", to));
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
%! enc = tfm_encode (bert, "Hello, world! Isn't it?");
%! assert (tfm_decode (bert, enc.input_ids), "[CLS] hello, world! isn't [UNK]? [SEP]");
%! ## [UNK] is a special token too, as in Hugging Face
%! assert (tfm_decode (bert, enc.input_ids, "SkipSpecialTokens", true), "hello, world! isn't?");
%! assert (tfm_decode (bert, enc.input_ids, "CleanUpTokenizationSpaces", false),
%!         "[CLS] hello , world ! isn ' t [UNK] ? [SEP]");
%! assert (tfm_decode (bert, [22 23 24]), "unaffable");
%!test
%! [~, ids] = tfm_tokenize (gpt2, "Hello world é");
%! assert (tfm_decode (gpt2, ids), "Hello world é");
%! ## half of a UTF-8 character decodes to U+FFFD
%! assert (tfm_decode (gpt2, 24), "\xef\xbf\xbd");
%!test
%! enc = tfm_encode (gpt2, {"Hello world", "a"});
%! assert (tfm_decode (gpt2, enc.input_ids), {"Hello world"; "a<|endoftext|>"});
%! assert (tfm_decode (gpt2, enc.input_ids, "SkipSpecialTokens", true), {"Hello world"; "a"});
%! assert (tfm_decode (gpt2, {[17 22], 12}), {"Hello world"; "a"});
%! assert (tfm_decode (gpt2, []), "");
%!error id=cka:input:tokenOutOfRange tfm_decode (bert, 25)
%!error id=cka:input:tokenOutOfRange tfm_decode (gpt2, -1)
%!error id=cka:input:badIds tfm_decode (gpt2, "abc")
%!error <Invalid call> tfm_decode (gpt2)
