## The SentencePiece tokenizer (tokenizer.model, LlamaTokenizer) against
## stories260K's reference_outputs.json and against Google's sentencepiece
## 0.1.97 (tests/fixtures/tokenizers/spm_cases.json, written by
## make_spm_cases.py: stories260K and three models trained there with other
## normaliser and whitespace settings, on tricky text and Austen sentences).

%!shared C, st, models
%! C = jsondecode (fileread (fixture_path ("tokenizers", "spm_cases.json")), "makeValidName", false);
%! st = tfm_tokenizer (fixture_path ("tokenizers", "stories260K"));
%! models = struct ("stories260K", st);
%! for name = {"nofb", "keepws", "nmt"}
%!   models.(name{1}) = tfm_tokenizer (fixture_path ("tokenizers", "spm-trained", [name{1} ".model"]));
%! endfor

%!function r = as_row (x)
%! r = reshape (double (x), 1, []);
%!endfunction
%!function c = as_cell_row (c)
%! if (isempty (c))
%!   c = cell (1, 0);
%! else
%!   c = reshape (cellstr (c), 1, []);
%! endif
%!endfunction

## stories260K's own reference sentence: pieces and ids exactly
%!test
%! R = jsondecode (fileread (fixture_path ("tokenizers", "stories260K", "reference_outputs.json")));
%! enc = tfm_encode (st, R.text);
%! assert (enc.input_ids, as_row (R.input_ids));
%! assert (enc.attention_mask, ones (1, numel (R.input_ids)));
%! assert (isempty (enc.token_type_ids));
%! toks = tfm_tokenize (st, R.text);
%! assert ([{st.bos_token}, toks], as_cell_row (R.input_pieces));
%! assert (tfm_decode (st, enc.input_ids, "SkipSpecialTokens", true), R.text);

## the tokenizer struct
%!test
%! assert (st.type, "spm");
%! assert (numel (st.vocab), 512);
%! assert (st.vocab(1:3)', {"<unk>", "<s>", "</s>"});
%! assert (st.normalizer, "identity");
%! assert ([st.byte_fallback, st.add_dummy_prefix, st.remove_extra_whitespaces, st.legacy], true (1, 4));
%! assert ([st.add_bos_token, st.add_eos_token], [true false]);
%! assert (st.special_tokens, {"<unk>", "</s>", "<s>"});
%! assert (st.special_ids, [0 2 1]);
%! assert (st.pad_token, "</s>");
%! assert (st.model_max_length, 512);
%! assert (models.nofb.byte_fallback, false);
%! assert (models.keepws.add_dummy_prefix, false);
%! assert (models.keepws.remove_extra_whitespaces, false);
%! assert (models.nmt.normalizer, "nmt_nfkc");

## every own case, every model: tokens and ids as sentencepiece + LlamaTokenizer
%!test
%! cases = C.cases;
%! names = {"stories260K", "nofb", "keepws", "nmt", "stories260K_nonlegacy"};
%! texts = {cases.text}';
%! ok = true (numel (cases), numel (names));
%! for j = 1:numel (names)
%!   tok = models.(strtok (names{j}, "_"));
%!   tok.legacy = isempty (strfind (names{j}, "nonlegacy"));
%!   [t, ids] = tfm_tokenize (tok, texts);
%!   for k = 1:numel (cases)
%!     c = cases(k);
%!     good = isequal (ids{k}, as_row (c.([names{j} "_ids"])));
%!     if (isfield (c, [names{j} "_tokens"]))
%!       good = good && isequal (t{k}, as_cell_row (c.([names{j} "_tokens"])));
%!     endif
%!     ok(k, j) = good;
%!     if (! good)
%!       printf ("%s mismatch on case %d: \"%s\"\n", names{j}, k, c.text);
%!     endif
%!   endfor
%! endfor
%! printf ("spm cases: %s\n", strjoin (cellfun (@(n, m) sprintf ("%s %d/%d", n, m, numel (cases)),
%!         names, num2cell (sum (ok, 1)), "uniformoutput", false), ", "));
%! ## nmt_nfkc is NFKC plus whitespace/control rules of our own (utf8proc), not
%! ## sentencepiece's compiled table: the known differences are listed in doc/tokenizers.md
%! assert (all (ok(:, [1 2 3 5])(:)));
%! assert (sum (ok(:, 4)) >= numel (cases) - 1);   # U+FF5E: sentencepiece keeps it, NFKC makes it "~"

## the Austen sentences, every model
%!test
%! A = C.austen;
%! texts = {A.text}';
%! for name = {"stories260K", "nofb", "keepws", "nmt"}
%!   [t, ids] = tfm_tokenize (models.(name{1}), texts);
%!   want = arrayfun (@(a) as_row (a.([name{1} "_ids"])), A, "uniformoutput", false);
%!   good = cellfun (@isequal, ids(:), want(:));
%!   printf ("Austen, %s: %d of %d sentences exact\n", name{1}, nnz (good), numel (A));
%!   assert (all (good));
%! endfor
%! ## with byte fallback every token string is its id's piece
%! [t, ids] = tfm_tokenize (st, texts);
%! assert (all (cellfun (@(a, b) isequal (a, st.vocab(b + 1)'), t, ids)));

## decoding: <s> + ids as LlamaTokenizer.decode, with and without special tokens
%!test
%! cases = C.cases;
%! enc = tfm_encode (st, {cases.text}', "Padding", false);
%! got = tfm_decode (st, enc.input_ids);
%! got_skip = tfm_decode (st, enc.input_ids, "SkipSpecialTokens", true);
%! ok = strcmp (got(:), {cases.stories260K_decoded}') & strcmp (got_skip(:), {cases.stories260K_decoded_skip}');
%! printf ("decode: %d of %d cases exact\n", nnz (ok), numel (cases));
%! assert (all (ok));

## round trip: text without extra spaces comes back unchanged
%!test
%! texts = {"Once upon a time.", "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe6\x97\xa5\xe6\x9c\xac", "tab\there\nnewline", ...
%!          "<s> and </s> inside", "x"};
%! for k = 1:numel (texts)
%!   enc = tfm_encode (st, texts{k});
%!   assert (tfm_decode (st, enc.input_ids, "SkipSpecialTokens", true), strrep (strrep (texts{k}, "<s> ", ""), "</s> ", ""));
%! endfor

## BOS/EOS, pairs, padding, truncation
%!test
%! tok = st;
%! enc = tfm_encode (tok, {"Once upon a time", "Lily"});
%! assert (enc.input_ids(:, 1), [1; 1]);
%! assert (enc.input_ids(2, :), [1 317 2 2 2]);
%! assert (enc.attention_mask(2, :), [1 1 0 0 0]);
%! tok.add_eos_token = true;
%! enc = tfm_encode (tok, "Lily");
%! assert (enc.input_ids, [1 317 2]);
%! enc = tfm_encode (tok, "Lily", "TextPairs", "Lily");
%! assert (enc.input_ids, [1 317 2 1 317 2]);
%! assert (isempty (enc.token_type_ids));
%! tok.add_bos_token = false;
%! tok.add_eos_token = false;
%! assert (tfm_encode (tok, "Lily").input_ids, 317);
%! enc = tfm_encode (st, "Once upon a time, there was", "MaxLength", 4);
%! assert (enc.input_ids, [1 403 407 261]);
%! enc = tfm_encode (st, {"Lily", "Once upon"}, "PaddingSide", "left");
%! assert (enc.input_ids, [2 1 317; 1 403 407]);
%! tok = st;
%! tok.pad_token = "";
%! fail ('tfm_encode (tok, {"Lily", "Once upon"})', "no padding token");
%! assert (tfm_encode (tok, {"Lily", "Once upon"}, "Padding", false).input_ids, {[1 317]; [1 403 407]});

## a toy SentencePiece tokenizer from a struct: the order of the pieces is
## their merge priority
%!test
%! sp = "\xe2\x96\x81";   # U+2581
%! tok = tfm_tokenizer (struct ("type", "spm", "vocab", {{"<unk>"; "<s>"; "</s>"; sp; "a"; "b"; "ab"; [sp "ab"]}}));
%! assert (tok.piece_types', [2 3 3 1 1 1 1 1]);
%! [t, ids] = tfm_tokenize (tok, "ab abc");
%! assert (t, {[sp "ab"], [sp "ab"], "c"});
%! assert (ids, [7 7 0]);
%! assert (tfm_decode (tok, [1 7 7], "SkipSpecialTokens", true), "ab ab");
