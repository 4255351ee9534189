## cka_compare on real sentences: each model reads them through its own tokenizer.

%!function m = masked_mean (a, mask)
%!  w = double (mask);
%!  m = squeeze (sum (double (a) .* w, 2)) ./ sum (w, 2);
%!endfunction

%!shared texts, tb, tg, bert, gpt2
%! texts = strsplit (strtrim (fileread (fixture_path ("corpus", "austen_64.txt"))), "\n");
%! tb = tfm_tokenizer (fixture_path ("tokenizers", "bert-base-uncased"));
%! tg = tfm_tokenizer (fixture_path ("tokenizers", "gpt2"));
%! ## random init with the real vocabulary sizes of the two tokenizers
%! bert = tfm_create ("bert", "hidden_size", 32, "num_hidden_layers", 2,
%!                    "num_attention_heads", 4, "intermediate_size", 64,
%!                    "vocab_size", 30522, "max_position_embeddings", 128, "Seed", 3);
%! gpt2 = tfm_create ("gpt2", "n_embd", 32, "n_layer", 2, "n_head", 4,
%!                    "vocab_size", 50257, "n_positions", 128, "Seed", 4);

%!test
%! ## BERT vs GPT-2 on 64 corpus sentences, mean pooling over real tokens
%! R = cka_compare (bert, gpt2, texts, "Tokenizer1", tb, "Tokenizer2", tg,
%!                  "Pooling", "mean", "BatchSize", 16, "Progress", false);
%! assert (size (R.cka), [2 2]);
%! assert (R.n_samples, 64);
%! assert (all (isfinite (R.cka(:))));
%! ## the same computation by hand: encode, forward with the mask, mean over tokens
%! eb = tfm_encode (tb, texts, "MaxLength", 128);
%! eg = tfm_encode (tg, texts, "MaxLength", 128);
%! S = cka_accumulator (tfm_modules (bert, "blocks"), tfm_modules (gpt2, "blocks"));
%! for b = 1:4
%!   r = (b-1)*16 + (1:16);
%!   [~, a1] = tfm_forward (bert, eb.input_ids(r,:), "AttentionMask", eb.attention_mask(r,:),
%!                          "TokenTypeIds", eb.token_type_ids(r,:),
%!                          "Hooks", tfm_modules (bert, "blocks"));
%!   [~, a2] = tfm_forward (gpt2, eg.input_ids(r,:), "AttentionMask", eg.attention_mask(r,:),
%!                          "Hooks", tfm_modules (gpt2, "blocks"));
%!   S = cka_update (S, cellfun (@(a) masked_mean (a, eb.attention_mask(r,:)), a1, "uniformoutput", false),
%!                      cellfun (@(a) masked_mean (a, eg.attention_mask(r,:)), a2, "uniformoutput", false));
%! endfor
%! assert (R.cka, cka_matrix (S), 1e-6);

%!test
%! ## a tokenizer attached to the model struct; one model with itself
%! m = bert;  m.tokenizer = tb;
%! R = cka_compare (m, [], texts(1:16), "Progress", false);
%! assert (diag (R.cka), ones (2, 1), 1e-6);

%!error id=cka:input:misalignedTokens
%! cka_compare (bert, gpt2, texts(1:8), "Tokenizer1", tb, "Tokenizer2", tg, "Progress", false);
%!error id=cka:input:noTokenizer
%! cka_compare (bert, gpt2, texts(1:8), "Progress", false);
%!error id=cka:input:emptyData
%! cka_compare (bert, [], {}, "Tokenizer1", tb, "Progress", false);

%!test
%! ## sentences longer than the model's positions are cut, and said once
%! short = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 1,
%!                     "num_attention_heads", 2, "intermediate_size", 16,
%!                     "vocab_size", 30522, "max_position_embeddings", 12, "Seed", 1);
%! lastwarn ("");
%! R = cka_compare (short, [], texts(1:8), "Tokenizer1", tb, "Pooling", "mean", "Progress", false);
%! [msg, id] = lastwarn ();
%! assert (id, "cka:compare:truncated");
%! assert (! isempty (regexp (msg, '^cka_compare: \d+ of 8 sentences are longer than the 12 tokens')));
%! ## a MaxLength the user gives is no surprise: no warning
%! lastwarn ("");
%! R2 = cka_compare (short, [], texts(1:8), "Tokenizer1", tb, "Pooling", "mean", "Progress", false,
%!                   "MaxLength", 10);
%! [~, id] = lastwarn ();
%! assert (id, "");
%! assert (R.n_samples, 8);
