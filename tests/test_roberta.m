## RoBERTa (RobertaModel, spec section 6), added through the architecture
## registry: the fixture checkpoint against Hugging Face 4.31 on every hook,
## position ids from the input ids (pad_token_id from the config), hub
## layouts (roberta. prefix, lm_head, no pooler), tfm_create, tfm_save and
## cka_compare.  Tolerance per hook: max|got - ref| <= 1e-5 * max(1, max|ref|).

%!function flat = rowmajor (A)
%!  flat = double (reshape (permute (A, [1, ndims(A):-1:2]), size (A, 1), []));
%!endfunction

%!function d = hub_copy (names, weights)
%!  ## a checkpoint folder with the fixture's config and the given tensors
%!  d = tempname ();
%!  mkdir (d);
%!  copyfile (fixture_path ("models", "roberta", "config.json"), d);
%!  shapes = cellfun (@(x) size (x), weights, "UniformOutput", false);
%!  for k = 1:numel (weights)
%!    if (columns (weights{k}) == 1) shapes{k} = rows (weights{k}); endif
%!  endfor
%!  safetensors_write (fullfile (d, "model.safetensors"), names, weights, "Shapes", shapes);
%!endfunction

%!test
%! ## every hook of the fixture, with and without the attention mask
%! model = fixture_model ("roberta");
%! assert (model.arch, "roberta");
%! assert (model.config.pad_token_id, 1);
%! d = load (fixture_path ("acts", "roberta.mat"));
%! [names, hookable] = tfm_modules (model);
%! assert (names(hookable), d.names);
%! assert (names(! hookable), d.skipped_names);
%! [last, acts] = tfm_forward (model, d.input_ids, "AttentionMask", d.attention_mask,
%!                             "Hooks", d.names);
%! worst = 0; worst_name = "";
%! for k = 1:numel (d.names)
%!   ref = d.acts{k};
%!   got = acts{k};
%!   assert (class (got), "single");
%!   assert (isequal (size (got), size (ref)), sprintf ("%s: size", d.names{k}));
%!   err = max (abs (double (got(:)) - double (ref(:))));
%!   tol = 1e-5 * max (1, max (abs (ref(:))));
%!   assert (err <= tol, sprintf ("roberta %s: max error %g > %g", d.names{k}, err, tol));
%!   if (err / tol > worst)
%!     worst = err / tol; worst_name = d.names{k};
%!   endif
%! endfor
%! printf ("      roberta: %d hooks, worst error %.3g of the tolerance (%s)\n",
%!         numel (d.names), worst, worst_name);
%! assert (last, d.last_hidden_state, 1e-5 * max (1, max (abs (d.last_hidden_state(:)))));
%! nomask = tfm_forward (model, d.input_ids);
%! ref = d.nomask_last_hidden_state;
%! assert (nomask, ref, 1e-5 * max (1, max (abs (ref(:)))));
%! [~, a] = tfm_forward (model, d.input_ids, "Hooks", "pooler");
%! assert (a{1}, d.nomask_pooler_output, 1e-5);
%! ## explicit zero token types are the default ones
%! h0 = tfm_forward (model, d.input_ids, "AttentionMask", d.attention_mask,
%!                   "TokenTypeIds", d.token_type_ids);
%! assert (h0, last);

%!test
%! ## position ids come from the ids: position_embeddings has a batch axis,
%! ## real tokens at pad+1, pad+2, ..., padding ids at pad (also mid-row)
%! model = fixture_model ("roberta");
%! P = model.weights{strcmp (model.names, "embeddings.position_embeddings.weight")};
%! ids = [5 1 7 9; 1 1 4 6];
%! [~, a] = tfm_forward (model, ids, "Hooks", "embeddings.position_embeddings");
%! assert (size (a{1}), [2 4 32]);
%! pos = [2 1 3 4; 1 1 2 3];                 # 0-based position ids (pad = 1)
%! for b = 1:2
%!   assert (squeeze (a{1}(b, :, :)), P(pos(b, :) + 1, :));
%! endfor
%! ## the longest sequence is max_position_embeddings - pad - 1
%! T = model.config.max_position_embeddings - 2;
%! h = tfm_forward (model, 5 * ones (1, T));
%! assert (size (h), [1 T 32]);
%! fail ("tfm_forward (model, 5 * ones (1, T + 1))", "position table");
%! try
%!   tfm_forward (model, 5 * ones (1, T + 1));
%! catch e
%!   assert (e.identifier, "cka:input:sequenceTooLong");
%! end_try_catch

%!test
%! ## another pad id from the config moves every position
%! model = fixture_model ("roberta");
%! m2 = model;
%! m2.config.pad_token_id = 0;
%! ids = [5 1 7 9];
%! [~, a] = tfm_forward (m2, ids, "Hooks", "embeddings.position_embeddings");
%! P = model.weights{strcmp (model.names, "embeddings.position_embeddings.weight")};
%! assert (squeeze (a{1}(1, :, :)), P([1 2 3 4] + 1, :));
%! m2.config.pad_token_id = [];
%! fail ("tfm_forward (m2, ids)", "pad_token_id");

%!test
%! ## type_vocab_size 1: any non-zero token type is out of range
%! model = fixture_model ("roberta");
%! try
%!   tfm_forward (model, [5 6 7], "TokenTypeIds", [0 1 0]);
%!   error ("no error");
%! catch e
%!   assert (e.identifier, "cka:input:tokenTypeOutOfRange");
%! end_try_catch

%!test
%! ## hub layout: RobertaForMaskedLM keys (roberta. prefix, lm_head.*, no
%! ## pooler) load as the bare model without a pooler, never an invented one
%! d = load (fixture_path ("acts", "roberta.mat"));
%! m = fixture_model ("roberta");
%! keep = ! strncmp (m.names, "pooler.", 7);
%! dir = hub_copy ([strcat("roberta.", m.names(keep)); {"lm_head.dense.weight"; "lm_head.bias"}],
%!                 [m.weights(keep); {single(ones (32, 32)); single(ones (1000, 1))}]);
%! unwind_protect
%!   warning ("off", "cka:load:unusedTensors", "local");
%!   lastwarn ("");
%!   h2 = tfm_load (dir);
%!   [~, id] = lastwarn ();
%!   assert (id, "cka:load:noPooler");
%!   warning ("off", "cka:load:noPooler", "local");
%!   assert (h2.names, m.names(keep));
%!   assert (h2.weights, m.weights(keep));
%!   last = tfm_forward (h2, d.input_ids, "AttentionMask", d.attention_mask);
%!   assert (last, d.last_hidden_state, 1e-5 * max (1, max (abs (d.last_hidden_state(:)))));
%!   assert (! any (strcmp (tfm_modules (h2), "pooler")));
%!   fail ("tfm_forward (h2, d.input_ids, 'Hooks', 'pooler')", "unknown hook");
%!   ## and saved back: a bare RobertaModel without pooler
%!   out = tempname ();
%!   tfm_save (h2, out);
%!   c = jsondecode (fileread (fullfile (out, "config.json")));
%!   assert (c.architectures, {"RobertaModel"});
%!   assert (c.model_type, "roberta");
%!   h3 = tfm_load (out);
%!   assert (h3.names, h2.names);
%!   assert (h3.weights, h2.weights);
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (out, "s");
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (dir, "s");
%! end_unwind_protect

%!test
%! ## architecture from "architectures" alone; save/load round trip
%! m = fixture_model ("roberta");
%! cfg = jsondecode (fileread (fixture_path ("models", "roberta", "config.json")));
%! cfg = rmfield (cfg, "model_type");
%! cfg.architectures = {"RobertaForMaskedLM"};
%! m2 = tfm_load (fixture_path ("models", "roberta", "model.safetensors"), "Config", cfg);
%! assert (m2.arch, "roberta");
%! assert (m2.weights, m.weights);
%! out = tempname ();
%! unwind_protect
%!   tfm_save (m, out, "Dtype", "bf16");
%!   m3 = tfm_load (out, "DType", "single");
%!   assert (m3.arch, "roberta");
%!   assert (m3.names, m.names);
%!   assert (m3.config.max_position_embeddings, 66);
%!   assert (m3.weights, m.weights, -2^-8);
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   if (isfolder (out)) rmdir (out, "s"); endif
%! end_unwind_protect

%!test
%! ## tfm_create: RobertaConfig defaults, _init_weights with both padding rows
%! m = tfm_create ("roberta", "hidden_size", 16, "num_hidden_layers", 2,
%!                 "num_attention_heads", 2, "intermediate_size", 24, "vocab_size", 40,
%!                 "max_position_embeddings", 20, "Seed", 4);
%! assert (m.arch, "roberta");
%! assert (m.config.pad_token_id, 1);
%! assert (m.config.bos_token_id, 0);
%! assert (m.config.eos_token_id, 2);
%! assert (m.config.type_vocab_size, 2);
%! assert (m.config.layer_norm_eps, 1e-12);
%! W = m.weights{strcmp (m.names, "embeddings.word_embeddings.weight")};
%! P = m.weights{strcmp (m.names, "embeddings.position_embeddings.weight")};
%! assert (all (W(2, :) == 0) && all (P(2, :) == 0));
%! assert (any (W(1, :) != 0) && any (P(1, :) != 0));
%! b = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 2,
%!                 "num_attention_heads", 2, "intermediate_size", 24, "vocab_size", 40,
%!                 "max_position_embeddings", 20, "Seed", 4);
%! assert (m.names, b.names);
%! assert (tfm_modules (m), tfm_modules (b));
%! h = tfm_forward (m, [0 5 6 7 2 1 1]);
%! assert (size (h), [1 7 16]);
%! d = tfm_create ("roberta");
%! assert (d.config.vocab_size, 50265);
%! assert (numel (d.names), 199);
%! fail ('tfm_create ("roberta", "pad_token_id", 70, "vocab_size", 50, "hidden_size", 8, "num_attention_heads", 2, "num_hidden_layers", 1)', "pad_token_id");

%!test
%! ## cka_compare on RoBERTa = CKA of the Hugging Face block outputs
%! model = fixture_model ("roberta");
%! d = load (fixture_path ("acts", "roberta.mat"));
%! data = struct ("input_ids", d.input_ids, "attention_mask", d.attention_mask);
%! R = cka_compare (model, [], data, "BatchSize", 6, "Progress", false);
%! assert (R.layers1, {"encoder.layer.0"; "encoder.layer.1"});
%! ref = zeros (2);
%! pad = repmat (d.attention_mask == 0, [1 1 32]);   # "flatten" zeroes padding positions
%! for i = 1:2
%!   for j = 1:2
%!     A = d.acts{strcmp (d.names, R.layers1{i})};  A(pad) = 0;
%!     B = d.acts{strcmp (d.names, R.layers1{j})};  B(pad) = 0;
%!     X = rowmajor (A);
%!     Y = rowmajor (B);
%!     ref(i, j) = cka (X, Y);
%!   endfor
%! endfor
%! assert (R.cka, ref, 1e-5);
%! ## against BERT: runs, sizes from both models
%! bert = fixture_model ("bert");
%! R2 = cka_compare (model, bert, d.input_ids, "BatchSize", 6, "Progress", false);
%! assert (size (R2.cka), [2 4]);
