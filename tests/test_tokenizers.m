## The tokenizers against Hugging Face transformers 4.31's own slow
## BertTokenizer and GPT2Tokenizer (tests/fixtures/tokenizers/
## tokenizer_cases.json: 300 Pride and Prejudice sentences, tricky Unicode,
## empty strings, over-long words, a padded/truncated batch, BERT pairs).

%!shared C, bert, gpt2
%! C = jsondecode (fileread (fixture_path ("tokenizers", "tokenizer_cases.json")),
%!                 "makeValidName", false);
%! bert = tfm_tokenizer (fixture_path ("tokenizers", "bert-base-uncased"));
%! gpt2 = tfm_tokenizer (fixture_path ("tokenizers", "gpt2"));

%!function c = as_row_cellstr (c)
%! if (isempty (c))
%!   c = cell (1, 0);
%! else
%!   c = c(:)';
%! endif
%!endfunction
%!function r = as_row (x)
%! r = reshape (double (x), 1, []);
%!endfunction

## every single case, tokens and ids (with [CLS]/[SEP] for BERT)
%!test
%! cases = C.cases;
%! texts = {cases.text}';
%! [bt, bi] = tfm_tokenize (bert, texts);
%! [gt, gi] = tfm_tokenize (gpt2, texts);
%! ok = false (numel (cases), 4);
%! for k = 1:numel (cases)
%!   c = cases(k);
%!   ok(k, 1) = isequal (bt{k}, as_row_cellstr (c.bert_tokens));
%!   enc = tfm_encode (bert, c.text);
%!   ok(k, 2) = isequal (enc.input_ids, as_row (c.bert_ids));
%!   ok(k, 3) = isequal (gt{k}, as_row_cellstr (c.gpt2_tokens));
%!   ok(k, 4) = isequal (gi{k}, as_row (c.gpt2_ids));
%!   if (! all (ok(k, :)))
%!     printf ("case %d mismatch [%d %d %d %d]: %s\n", k, ok(k, :), c.text);
%!   endif
%! endfor
%! printf ("tokenizer cases: %d of %d match exactly (BERT tokens %d, ids %d; GPT-2 tokens %d, ids %d)\n",
%!         sum (all (ok, 2)), numel (cases), sum (ok));
%! assert (all (ok(:)));

## GPT-2 ids through tfm_encode (nothing added) equal tfm_tokenize's
%!test
%! cases = C.cases(1:20);
%! for k = 1:numel (cases)
%!   enc = tfm_encode (gpt2, cases(k).text, "Padding", false);
%!   assert (enc.input_ids{1}, as_row (cases(k).gpt2_ids));
%! endfor

## the batch: padding to the longest, truncation to max_length
%!test
%! b = C.batch;
%! enc = tfm_encode (bert, b.texts, "MaxLength", b.max_length, "Truncation", true,
%!                   "Padding", "longest");
%! assert (enc.input_ids, double (b.bert.input_ids));
%! assert (enc.attention_mask, double (b.bert.attention_mask));
%! assert (enc.token_type_ids, double (b.bert.token_type_ids));
%! assert (gpt2.pad_token, b.gpt2.pad_token);
%! enc = tfm_encode (gpt2, b.texts, "MaxLength", b.max_length, "PaddingSide", b.gpt2.padding_side);
%! assert (enc.input_ids, double (b.gpt2.input_ids));
%! assert (enc.attention_mask, double (b.gpt2.attention_mask));

## BERT sentence pairs with token types, longest_first truncation
%!test
%! p = C.pairs;
%! first = cellfun (@(x) x{1}, p.pairs, "uniformoutput", false);
%! second = cellfun (@(x) x{2}, p.pairs, "uniformoutput", false);
%! enc = tfm_encode (bert, first, "TextPairs", second, "MaxLength", p.max_length);
%! assert (enc.input_ids, double (p.bert.input_ids));
%! assert (enc.attention_mask, double (p.bert.attention_mask));
%! assert (enc.token_type_ids, double (p.bert.token_type_ids));

## a BERT tokenizer.json (made here from vocab.txt) tokenizes the cases as vocab.txt does
%!test
%! d = tempname ();  mkdir (d);
%! unwind_protect
%!   v = cell2struct (num2cell ((0:numel (bert.vocab) - 1)'), bert.vocab, 1);
%!   j = struct ("version", "1.0", "added_tokens", {{}},
%!               "normalizer", struct ("type", "BertNormalizer", "clean_text", true,
%!                                     "handle_chinese_chars", true, "strip_accents", [],
%!                                     "lowercase", true),
%!               "pre_tokenizer", struct ("type", "BertPreTokenizer"),
%!               "model", struct ("type", "WordPiece", "unk_token", "[UNK]",
%!                                "continuing_subword_prefix", "##",
%!                                "max_input_chars_per_word", 100, "vocab", v));
%!   fid = fopen (fullfile (d, "tokenizer.json"), "w"); fputs (fid, jsonencode (j)); fclose (fid);
%!   tj = tfm_tokenizer (d);
%!   assert (tj.vocab, bert.vocab);
%!   texts = {C.cases.text}';
%!   assert (tfm_tokenize (tj, texts), tfm_tokenize (bert, texts));
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect

## ---- tfm_tokenizer on the real vocabularies ----
%!shared bdir, gdir
%! bdir = fixture_path ("tokenizers", "bert-base-uncased");
%! gdir = fixture_path ("tokenizers", "gpt2");

%!test
%! tok = tfm_tokenizer (bdir);
%! assert (tok.type, "wordpiece");
%! assert (numel (tok.vocab), 30522);
%! assert (tok.vocab([1 101 102 103 104] ), {"[PAD]"; "[UNK]"; "[CLS]"; "[SEP]"; "[MASK]"});
%! assert (tok.lowercase, true);
%! assert (isempty (tok.strip_accents));
%! assert (sort (tok.special_ids), [0 100 101 102 103]);
%! assert (tok.template, "bert");

%!test
%! tok = tfm_tokenizer (fullfile (gdir, "vocab.json"));
%! assert (tok.type, "bpe");
%! assert (numel (tok.vocab), 50257);
%! assert (size (tok.merges), [50000 2]);
%! assert (tok.merges(1,:), {"Ġ", "t"});
%! assert (tok.vocab{50257}, "<|endoftext|>");
%! assert (tok.pad_token, "<|endoftext|>");
%! assert (tok.special_ids, 50256);

## ---- tfm_tokenize on the real vocabularies ----
%!shared bert, gpt2
%! bert = tfm_tokenizer (fixture_path ("tokenizers", "bert-base-uncased"));
%! gpt2 = tfm_tokenizer (fixture_path ("tokenizers", "gpt2"));

%!test
%! [t, ids] = tfm_tokenize (bert, "Hello, world!");
%! assert (t, {"hello", ",", "world", "!"});
%! assert (ids, [7592 1010 2088 999]);
%!test
%! [t, ids] = tfm_tokenize (gpt2, "Hello, world!");
%! assert (t, {"Hello", ",", "Ġworld", "!"});
%! assert (ids, [15496 11 995 0]);
%!test
%! ## WordPiece pieces, accents, CJK, the 100-character limit
%! assert (tfm_tokenize (bert, "unaffable"), {"una", "##ffa", "##ble"});
%! assert (tfm_tokenize (bert, "Café Déjà"), {"cafe", "de", "##ja"});
%! assert (tfm_tokenize (bert, "中文"), {"中", "文"});
%! assert (tfm_tokenize (bert, repmat ("a", 1, 101)), {"[UNK]"});
%! assert (tfm_tokenize (bert, "[MASK]ed [CLS]"), {"[MASK]", "ed", "[CLS]"});
%!test
%! ## GPT-2 pre-tokenisation: contractions, runs of spaces, special tokens
%! assert (tfm_tokenize (gpt2, "it's"), {"it", "'s"});
%! assert (tfm_tokenize (gpt2, "a  b"), {"a", "Ġ", "Ġb"});
%! assert (tfm_tokenize (gpt2, "a<|endoftext|>b"), {"a", "<|endoftext|>", "b"});
%! assert (tfm_tokenize (gpt2, ""), cell (1, 0));
%!test
%! [t, ids] = tfm_tokenize (gpt2, {"a", "b c"});
%! assert (t, {{"a"}, {"b", "Ġc"}});
%! assert (ids, {64, [65 269]});

## ---- tfm_encode on the real vocabularies ----
%!shared bert, gpt2
%! bert = tfm_tokenizer (fixture_path ("tokenizers", "bert-base-uncased"));
%! gpt2 = tfm_tokenizer (fixture_path ("tokenizers", "gpt2"));

%!test
%! enc = tfm_encode (bert, {"Hello world!", "Hi."});
%! assert (enc.input_ids, [101 7592 2088 999 102; 101 7632 1012 102 0]);
%! assert (enc.attention_mask, [1 1 1 1 1; 1 1 1 1 0]);
%! assert (enc.token_type_ids, zeros (2, 5));
%!test
%! enc = tfm_encode (bert, "Hello world!", "MaxLength", 4);
%! assert (enc.input_ids, [101 7592 2088 102]);
%! enc = tfm_encode (bert, "Hello world!", "Padding", "max_length", "MaxLength", 7);
%! assert (enc.input_ids, [101 7592 2088 999 102 0 0]);
%! enc = tfm_encode (bert, "Hello world!", "AddSpecialTokens", false);
%! assert (enc.input_ids, [7592 2088 999]);
%!test
%! enc = tfm_encode (bert, "Hi.", "TextPairs", "Hello world!");
%! assert (enc.input_ids, [101 7632 1012 102 7592 2088 999 102]);
%! assert (enc.token_type_ids, [0 0 0 0 1 1 1 1]);
%! ## longest_first: the longer text loses tokens first
%! enc = tfm_encode (bert, "a b c d e", "TextPairs", "f g", "MaxLength", 8);
%! assert (enc.input_ids, [101 1037 1038 1039 102 1042 1043 102]);
%!test
%! enc = tfm_encode (gpt2, {"Hello world", "Hi"}, "PaddingSide", "left");
%! assert (enc.input_ids, [15496 995; 50256 17250]);
%! assert (enc.attention_mask, [1 1; 0 1]);
%! assert (isempty (enc.token_type_ids));
%!test
%! enc = tfm_encode (gpt2, {"Hello world", "Hi"}, "Padding", false);
%! assert (enc.input_ids, {[15496 995]; 17250});
%! assert (enc.attention_mask, {[1 1]; 1});
%!test
%! enc = tfm_encode (bert, cell (0, 1));
%! assert (size (enc.input_ids), [0 0]);
%!error id=cka:input:badOption tfm_encode (gpt2, "a", "Truncation", true)

## ---- tfm_decode on the real vocabularies ----
%!shared bert, gpt2
%! bert = tfm_tokenizer (fixture_path ("tokenizers", "bert-base-uncased"));
%! gpt2 = tfm_tokenizer (fixture_path ("tokenizers", "gpt2"));

%!test
%! enc = tfm_encode (bert, "Hello, world! Isn't it unaffable?");
%! assert (tfm_decode (bert, enc.input_ids), "[CLS] hello, world! isn't it unaffable? [SEP]");
%! assert (tfm_decode (bert, enc.input_ids, "SkipSpecialTokens", true),
%!         "hello, world! isn't it unaffable?");
%! assert (tfm_decode (bert, enc.input_ids, "SkipSpecialTokens", true,
%!                     "CleanUpTokenizationSpaces", false),
%!         "hello , world ! isn ' t it unaffable ?");
%!test
%! t = "naïve café — 中文 😀  two  spaces\n";
%! [~, ids] = tfm_tokenize (gpt2, t);
%! assert (tfm_decode (gpt2, ids, "CleanUpTokenizationSpaces", false), t);
%!test
%! ## a byte-level token that is half of a UTF-8 character decodes to U+FFFD
%! [~, ids] = tfm_tokenize (gpt2, "😀");
%! assert (tfm_decode (gpt2, ids(1)), "\xef\xbf\xbd");
%!test
%! enc = tfm_encode (gpt2, {"Hello world", "Hi"});
%! assert (tfm_decode (gpt2, enc.input_ids, "SkipSpecialTokens", true), {"Hello world"; "Hi"});
%! assert (tfm_decode (gpt2, {[15496 995], 17250}), {"Hello world"; "Hi"});
%! assert (tfm_decode (gpt2, []), "");
%!error id=cka:input:tokenOutOfRange tfm_decode (bert, 30522)

## a model folder: tokenizer files beside config.json
%!test
%! d = tempname ();  mkdir (d);
%! unwind_protect
%!   src = fixture_path ("tokenizers", "bert-base-uncased");
%!   for f = {"vocab.txt", "tokenizer_config.json", "special_tokens_map.json"}
%!     copyfile (fullfile (src, f{1}), d);
%!   endfor
%!   fid = fopen (fullfile (d, "config.json"), "w");
%!   fputs (fid, '{"model_type": "bert", "max_position_embeddings": 512, "vocab_size": 30522}');
%!   fclose (fid);
%!   tok = tfm_tokenizer (d);
%!   ## tokenizer_config.json holds HF's "unset" sentinel: use max_position_embeddings
%!   assert (tok.model_max_length, 512);
%!   enc = tfm_encode (tok, repmat ("word ", 1, 600), "Truncation", true);
%!   assert (size (enc.input_ids), [1 512]);
%!   assert (enc.input_ids([1 end]), [101 102]);
%!   fid = fopen (fullfile (d, "config.json"), "w");
%!   fputs (fid, '{"model_type": "bert", "vocab_size": 1000}');
%!   fclose (fid);
%!   try
%!     tfm_tokenizer (d);
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:tokenizer:vocabSizeMismatch");
%!   end_try_catch
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect

## GPT-2 is lossless: decode (encode (t)) == t for any valid UTF-8 text;
## BERT: tokenizing the decoded text gives the same ids again
%!test
%! b = tfm_tokenizer (fixture_path ("tokenizers", "bert-base-uncased"));
%! g = tfm_tokenizer (fixture_path ("tokenizers", "gpt2"));
%! pool = {"a", "Z", "'", "s", " ", "  ", "\t", "\n", "\r\n", "0", "42", ".", "?!", "é", "É", ...
%!         "e\xcc\x81", "\xc2\xa0", "\xe2\x80\x83", "\xe4\xb8\xad", "\xe6\x96\x87", "\xea\xb0\x80", ...
%!         "\xf0\x9f\x98\x80", "\xe2\x80\x8b", "\x01", "\xc4\xb0", "\xce\xa3", "[CLS]", "<|endoftext|>", ...
%!         "\xd9\xa1", "\xe2\x85\xa7", "\xc2\xb2", "don't", "I'll"};
%! rand ("seed", 7);
%! texts = cell (300, 1);
%! for k = 1:numel (texts)
%!   texts{k} = [pool{randi(numel (pool), 1, randi (20))}];
%! endfor
%! [~, gids] = tfm_tokenize (g, texts);
%! for k = 1:numel (texts)
%!   assert (tfm_decode (g, gids{k}, "CleanUpTokenizationSpaces", false), texts{k});
%! endfor
%! [bt, bids] = tfm_tokenize (b, texts);
%! for k = 1:numel (texts)
%!   [~, again] = tfm_tokenize (b, tfm_decode (b, bids{k}, "CleanUpTokenizationSpaces", false));
%!   assert (again, bids{k});
%!   assert (numel (bt{k}), numel (bids{k}));
%! endfor

## The C tables are kept between calls: an edited tokenizer struct (one
## vocabulary string, one merge, one option) must never be served the
## tables of the original, and the original must still work after it.
%!test
%! [t0, i0] = tfm_tokenize (bert, "hello world");
%! b2 = bert;
%! b2.vocab{i0(strcmp (t0, "hello")) + 1} = "zzzz";   # "hello" is gone
%! [t2, i2] = tfm_tokenize (b2, "hello world");
%! assert (! isequal (i2, i0));
%! assert (! any (strcmp (t2, "hello")));
%! [~, i3] = tfm_tokenize (bert, "hello world");
%! assert (i3, i0);
%! b3 = bert;  b3.lowercase = false;
%! [~, i4] = tfm_tokenize (b3, "Hello");
%! [~, i5] = tfm_tokenize (bert, "Hello");
%! assert (! isequal (i4, i5));
%!test
%! [t0, i0] = tfm_tokenize (gpt2, " the");
%! g2 = gpt2;
%! k = find (strcmp (g2.merges(:, 1), "\xc4\xa0t") & strcmp (g2.merges(:, 2), "he"));
%! assert (numel (k), 1);
%! g2.merges(k, :) = {"x", "y"};                 # no merge to "Ġthe" any more
%! [t2, i2] = tfm_tokenize (g2, " the");
%! assert (! isequal (i2, i0));
%! [t3, i3] = tfm_tokenize (gpt2, " the");
%! assert (i3, i0);
