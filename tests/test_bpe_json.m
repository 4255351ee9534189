## Byte-level BPE tokenizer.json files of the GPT-NeoX/Pythia, Qwen2 and
## Llama-3 shapes (tests/fixtures/tokenizers/bpe-json/), against the ids of
## an independent implementation (tests/fixtures/tokenizers/make_bpe_json.py:
## Python `regex` running the patterns themselves, a plain Python BPE, the
## fast tokenizers' added-token split): the package's own texts (contractions
## in any case, digits, punctuation runs with newlines, spaces, tabs, CJK,
## emoji, combining marks, accented Latin, special tokens) and 250 Austen
## sentences, every one exactly.

%!shared C, toks, kinds
%! C = jsondecode (fileread (fixture_path ("tokenizers", "bpe_json_cases.json")), "makeValidName", false);
%! kinds = {"pythia", "qwen2", "llama3"};
%! toks = struct ();
%! for k = 1:numel (kinds)
%!   toks.(kinds{k}) = tfm_tokenizer (fixture_path ("tokenizers", "bpe-json", kinds{k}));
%! endfor

%!function r = as_row (x)
%! if (iscell (x))
%!   x = cell2mat (x);
%! endif
%! r = reshape (double (x), 1, []);
%!endfunction
%!function c = as_cell_row (c)
%! if (isempty (c))
%!   c = cell (1, 0);
%! else
%!   c = reshape (cellstr (c), 1, []);
%! endif
%!endfunction

## what tfm_tokenizer made of the files
%!test
%! p = toks.pythia;  q = toks.qwen2;  l = toks.llama3;
%! assert ({p.type, q.type, l.type}, {"bpe", "bpe", "bpe"});
%! assert ({p.pre_tokenizer, q.pre_tokenizer, l.pre_tokenizer}, {"gpt2", "qwen2", "llama3"});
%! assert ([p.nfc, q.nfc, l.nfc], true (1, 3));
%! assert ([p.ignore_merges, q.ignore_merges, l.ignore_merges], [false false true]);
%! assert ([p.add_prefix_space, q.add_prefix_space], [false false]);
%! assert (p.vocab(1:2)', {"<|endoftext|>", "<|padding|>"});
%! assert (p.pad_token, "<|endoftext|>");     # none given: the end token, as for GPT-2
%! assert (q.pad_token, "<|endoftext|>");     # from tokenizer_config.json
%! assert (isempty (q.bos_token) && isempty (q.unk_token));
%! assert (l.pad_token, "<|end_of_text|>");
%! assert (l.bos_token, "<|begin_of_text|>");
%! assert (all (ismember ({"<|im_start|>", "<|im_end|>"}, q.special_tokens)));
%! assert (any (strcmp ("  ", p.special_tokens)));   # Pythia's added runs of spaces
%! assert (q.model_max_length, 32768);
%! assert (q.clean_up_tokenization_spaces, false);

## every case, every tokenizer: ids (and tokens of the own texts) exactly
%!test
%! texts = C.texts;
%! n = numel (texts);
%! for k = 1:numel (kinds)
%!   R = C.(kinds{k});
%!   [t, ids] = tfm_tokenize (toks.(kinds{k}), texts);
%!   ok = false (n, 1);
%!   for i = 1:n
%!     ok(i) = isequal (ids{i}, as_row (R.ids{i}));
%!     if (i <= C.n_own)
%!       ok(i) = ok(i) && isequal (t{i}, as_cell_row (R.tokens{i}));
%!     endif
%!     if (! ok(i))
%!       printf ("%s mismatch on case %d: \"%s\"\n", kinds{k}, i, texts{i});
%!     endif
%!   endfor
%!   printf ("%s: %d/%d cases exact (%d own texts, %d Austen sentences)\n", kinds{k}, nnz (ok),
%!           n, C.n_own, C.n_austen);
%!   assert (all (ok));
%! endfor
%! assert (C.n_austen >= 200);

## the pre-tokenizers cut differently, and the ids show it
%!test
%! q = toks.qwen2;  p = toks.pythia;  l = toks.llama3;
%! assert (tfm_tokenize (q, "12345"), {"1", "2", "3", "4", "5"});   # \p{N}: one digit each
%! assert (tfm_tokenize (l, "12345"), {"123", "45"});               # \p{N}{1,3}
%! assert (tfm_tokenize (p, "12345"), {"123", "45"});               # one GPT-2 piece, merged
%! assert (tfm_tokenize (q, "IT'S YOU'LL"), {"I", "T", "'S", "Ġ", "Y", "O", "U", "'LL"});
%! assert (tfm_tokenize (p, "IT'S"), {"I", "T", "'", "S"});         # GPT-2: lower case only
%! assert (tfm_tokenize (q, "!!!\n\n"), {"!!!ĊĊ"});                 # punctuation + newlines
%! assert (tfm_tokenize (p, "!!!\n\n"), {"!!!", "ĊĊ"});
%! assert (tfm_tokenize (q, "a\t\twords")(2:3), {"ĉ", "ĉw"});        # a tab joins the word
%! assert (tfm_tokenize (p, "a  b"), {"a", "  ", "b"});             # added token "  "
%! assert (tfm_tokenize (l, " plugh"), {"Ġplugh"});                 # ignore_merges
%! assert (tfm_tokenize (q, " plugh"), {"Ġpl", "u", "gh"});
%! ## NFC: a decomposed é gives the ids of the composed one
%! assert (tfm_encode (q, "cafe\xcc\x81").input_ids, tfm_encode (q, "caf\xc3\xa9").input_ids);

%!function s = utf8_nfc (s)
%! ## NFC of the few decomposed texts among the cases (the tokenizers
%! ## normalise, so the round trip gives the composed form)
%! s = strrep (s, "e\xcc\x81", "\xc3\xa9");
%! s = strrep (s, "A\xcc\x8a", "\xc3\x85");
%! s = strrep (s, "\xe2\x84\xab", "\xc3\x85");
%!endfunction

## decoding round-trips every text (the ByteLevel decoder), special tokens too
%!test
%! for k = 1:numel (kinds)
%!   tok = toks.(kinds{k});
%!   [~, ids] = tfm_tokenize (tok, C.texts);
%!   back = tfm_decode (tok, ids, "CleanUpTokenizationSpaces", false);
%!   nfc = cellfun (@(s) utf8_nfc (s), C.texts, "uniformoutput", false);
%!   bad = find (! strcmp (back, nfc));
%!   if (! isempty (bad))
%!     error ("%s: %d texts do not round-trip (first: \"%s\")", kinds{k}, numel (bad),
%!            C.texts{bad(1)});
%!   endif
%! endfor
%! assert (tfm_decode (toks.qwen2, tfm_encode (toks.qwen2, "<|im_start|>Hi 中文 😀").input_ids),
%!         "<|im_start|>Hi 中文 😀");
%! assert (tfm_decode (toks.qwen2, tfm_encode (toks.qwen2, "<|im_start|>Hi").input_ids,
%!                     "SkipSpecialTokens", true), "Hi");
%! ## Pythia's runs of spaces are added tokens but not special: kept
%! p = toks.pythia;
%! assert (numel (p.added_plain), 23);
%! ids = tfm_encode (p, "<|endoftext|>a    b").input_ids;
%! assert (tfm_decode (p, ids, "SkipSpecialTokens", true), "a    b");
%! assert (tfm_decode (p, ids), "<|endoftext|>a    b");

## a Qwen2 folder also holds vocab.json + merges.txt: tokenizer.json is used
%!test
%! d = tempname ();  mkdir (d);
%! unwind_protect
%!   src = fixture_path ("tokenizers", "bpe-json", "qwen2");
%!   copyfile (fullfile (src, "tokenizer.json"), d);
%!   copyfile (fullfile (src, "tokenizer_config.json"), d);
%!   q = toks.qwen2;
%!   v = cellfun (@(k, i) sprintf ("%s: %d", jsonencode (k), i), q.vocab',
%!                num2cell (0:numel (q.vocab) - 1), "uniformoutput", false);
%!   fid = fopen (fullfile (d, "vocab.json"), "w");  fputs (fid, ["{" strjoin(v, ", ") "}"]);  fclose (fid);
%!   fid = fopen (fullfile (d, "merges.txt"), "w");
%!   fprintf (fid, "#version: 0.2\n");
%!   fprintf (fid, "%s %s\n", q.merges'{:});
%!   fclose (fid);
%!   t = tfm_tokenizer (d);
%!   assert (t.pre_tokenizer, "qwen2");
%!   assert (regexp (t.source, 'tokenizer\.json$', "once") > 0);
%!   assert (tfm_tokenize (t, "12"), {"1", "2"});
%!   ## without the Qwen2 class, vocab.json + merges.txt as before (GPT-2)
%!   delete (fullfile (d, "tokenizer_config.json"));
%!   assert (tfm_tokenizer (d).pre_tokenizer, "gpt2");
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect

## padding and truncation as for GPT-2
%!test
%! q = toks.qwen2;
%! pad = q.special_ids(strcmp (q.special_tokens, "<|endoftext|>"));
%! enc = tfm_encode (q, {"Hi", "It is a truth universally acknowledged"});
%! n = numel (tfm_encode (q, "It is a truth universally acknowledged").input_ids);
%! assert (size (enc.input_ids), [2 n]);
%! assert (enc.input_ids(1, 3:end), repmat (pad, 1, n - 2));
%! assert (enc.attention_mask(1, :), [1 1 zeros(1, n - 2)]);
%! enc = tfm_encode (q, "It is a truth universally acknowledged", "MaxLength", 4, "Truncation", true);
%! assert (numel (enc.input_ids), 4);
%! p = toks.pythia;
%! enc = tfm_encode (p, {"a", "a b c"});
%! assert (enc.input_ids(1, end), 0);   # <|endoftext|> pads Pythia
%! l = toks.llama3;
%! enc = tfm_encode (l, {"a", "a b"});
%! assert (enc.input_ids(1, end), l.special_ids(strcmp (l.special_tokens, "<|end_of_text|>")));

## Llama-3's TemplateProcessing post-processor: <|begin_of_text|> $A
%!test
%! l = toks.llama3;
%! assert (l.template, "llama");
%! assert ([l.add_bos_token, l.add_eos_token], [true false]);
%! bos = l.special_ids(strcmp (l.special_tokens, "<|begin_of_text|>"));
%! [~, ids] = tfm_tokenize (l, "Hi there");
%! assert (tfm_encode (l, "Hi there").input_ids, [bos ids]);
%! assert (tfm_encode (l, "Hi there", "AddSpecialTokens", false).input_ids, ids);
%! [~, b] = tfm_tokenize (l, "x");
%! assert (tfm_encode (l, "Hi there", "TextPairs", {"x"}).input_ids, [bos ids bos b]);
%! assert (tfm_decode (l, tfm_encode (l, "Hi there").input_ids, "SkipSpecialTokens", true), "Hi there");
%! ## Pythia and Qwen2 add nothing
%! [~, ids] = tfm_tokenize (toks.qwen2, "Hi there");
%! assert (tfm_encode (toks.qwen2, "Hi there").input_ids, ids);

## hostile or unsupported files: a clear cka:tokenizer:unsupported
%!function check_unsupported (edit, want)
%! src = fixture_path ("tokenizers", "bpe-json", "qwen2", "tokenizer.json");
%! j = jsondecode (fileread (src), "makeValidName", false);
%! j = edit (j);
%! d = tempname ();  mkdir (d);
%! unwind_protect
%!   fid = fopen (fullfile (d, "tokenizer.json"), "w");  fputs (fid, jsonencode (j));  fclose (fid);
%!   try
%!     tfm_tokenizer (d);
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:tokenizer:unsupported");
%!     assert (! isempty (strfind (e.message, want)), e.message);
%!   end_try_catch
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect
%!endfunction
%!function j = set_pattern (j, p)
%! j.pre_tokenizer.pretokenizers{1}.pattern.Regex = p;
%!endfunction
%!function j = set_field (j, varargin)
%! j = setfield (j, varargin{:});
%!endfunction
%!function j = set_split (j, f, v)
%! j.pre_tokenizer.pretokenizers{1}.(f) = v;
%!endfunction
%!function j = set_bl (j, f, v)
%! j.pre_tokenizer.pretokenizers{2}.(f) = v;
%!endfunction
%!test check_unsupported (@(j) set_pattern (j, '\w+|\s+'), '\w+|\s+');
%!test check_unsupported (@(j) set_pattern (j, [j.pre_tokenizer.pretokenizers{1}.pattern.Regex "|x"]), "Split pattern");
%!test check_unsupported (@(j) set_field (j, "pre_tokenizer", struct ("type", "Whitespace")), "Whitespace");
%!test check_unsupported (@(j) set_field (j, "pre_tokenizer", struct ("type", "ByteLevel", "use_regex", false)), "ByteLevel");
%!test check_unsupported (@(j) set_field (j, "normalizer", struct ("type", "NFKC")), "NFKC");
%!test check_unsupported (@(j) set_field (j, "decoder", struct ("type", "WordPiece")), "WordPiece");
%!test
%! seq = struct ("Sequence", struct ("id", "A"));
%! pp = struct ("type", "TemplateProcessing", "single", {{seq, seq}});   # $A $A
%! check_unsupported (@(j) set_field (j, "post_processor", pp), "TemplateProcessing");
%!test
%! ## a Split that is not Isolated, or a ByteLevel after it that runs its own regex
%! check_unsupported (@(j) set_split (j, "behavior", "Removed"), "Isolated");
%! check_unsupported (@(j) set_bl (j, "use_regex", true), "Isolated");
