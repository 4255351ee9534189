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
