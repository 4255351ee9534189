## cka_compare end to end (our float32 forward + our CKA) against every
## pytorch-cka reference matrix in tests/fixtures/cka (1e-5 absolute, the
## fixtures README's suggestion; sensitivity_rel_1e_6 <= 9.4e-7), and its
## properties and errors on the fixture models.

%!shared M, D, files
%! M = struct ();
%! for name = {"bert", "gpt2", "distilbert", "bert_finetuned"}
%!   M.(name{1}) = tfm_load (fixture_path ("models", name{1}));
%! endfor
%! D = load (fixture_path ("cka", "data_d32x16.mat"));
%! files = dir (fixture_path ("cka", "*__*.mat"));

%!function names = tfm_modules_all (m)
%!  names = tfm_modules (m);
%!endfunction

%!function A = tfm_fwd (m, ids, mask, hook)
%!  [~, acts] = __tfm_forward__ (m, ids, mask, [], {hook}, false);
%!  A = double (acts{1});
%!endfunction

%!function b = gen (varargin)
%!  ## a batch generator for function-handle data: gen ("reset", ids, bs)
%!  persistent ids pos bs;
%!  b = [];
%!  if (nargin > 0)
%!    ids = varargin{2};  bs = varargin{3};  pos = 0;
%!    return;
%!  endif
%!  if (pos >= rows (ids))
%!    return;
%!  endif
%!  r = pos + 1 : min (pos + bs, rows (ids));
%!  pos = r(end);
%!  b = struct ("input_ids", ids(r,:));
%!endfunction

%!function record_cb (k, total, Mx)
%!  global CKA_TEST_CALLS
%!  CKA_TEST_CALLS(end+1, :) = [k, total, Mx(1,1)];
%!endfunction

%!test
%! worst = 0;  n = 0;
%! for k = 1:numel (files)
%!   r = load (fixture_path ("cka", files(k).name));
%!   o = {"Kernel", r.kernel, "Unbiased", logical(r.unbiased), "Epsilon", r.epsilon, ...
%!        "BatchSize", r.batch_size, "Progress", false, ...
%!        "Layers1", r.layers1, "Layers2", r.layers2};
%!   if (! r.sigma_is_median_heuristic)
%!     o(end+1:end+2) = {"Sigma", r.sigma};
%!   endif
%!   if (r.same_model)
%!     m2 = [];
%!   else
%!     m2 = M.(r.model2);
%!   endif
%!   ## pytorch-cka calls model(input_ids) only: pass the ids (for the
%!   ## maskignored scenarios, their mask is what pytorch-cka ignored)
%!   R = cka_compare (M.(r.model1), m2, r.input_ids, o{:});
%!   err = max (abs (R.cka(:) - r.cka(:)));
%!   assert (err <= 1e-5, "%s: max abs error %g", files(k).name, err);
%!   assert (R.layers1, r.layers1(:));
%!   assert (R.layers2, r.layers2(:));
%!   assert (R.n_samples, 32);
%!   assert (R.n_batches, numel (r.batch_sizes));
%!   worst = max (worst, err);  n++;
%! endfor
%! assert (n, 45);
%! printf ("    worst |CKA - pytorch-cka| end to end over %d references: %.3g\n", n, worst);

%!test
%! ## the mask-ignored scenario with the mask in the data and IgnoreMask
%! r = load (fixture_path ("cka", "bert_vs_gpt2_maskignored__linear_unbiased.mat"));
%! data = struct ("input_ids", r.input_ids, "attention_mask", r.attention_mask);
%! R = cka_compare (M.bert, M.gpt2, data, "IgnoreMask", true, "Progress", false);
%! assert (R.cka, r.cka, 1e-5);
%! ## with the mask used (model + pooling) the result differs
%! R2 = cka_compare (M.bert, M.gpt2, data, "Progress", false);
%! assert (max (abs (R2.cka(:) - r.cka(:))) > 1e-3);

%!test
%! ## default layers are the blocks; same model = one forward serves both sides
%! r = load (fixture_path ("cka", "gpt2_self__linear_unbiased.mat"));
%! R = cka_compare (M.gpt2, [], r.input_ids, "Progress", false);
%! assert (R.layers1, {"h.0"; "h.1"; "h.2"; "h.3"});
%! assert (R.same_model, true);
%! assert (R.cka, r.cka, 1e-5);
%! assert (R.cka, R.cka.', 1e-12);
%! ## comparing a model with an identical copy gives the same matrix
%! R2 = cka_compare (M.gpt2, M.gpt2, r.input_ids, "Progress", false);
%! assert (R2.cka, R.cka, 1e-12);

%!test
%! ## unknown layers are errors (pytorch-cka drops them with a warning); the
%! ## invalidnames reference is the valid subset
%! r = load (fixture_path ("cka", "bert_vs_gpt2_invalidnames__linear_unbiased.mat"));
%! try
%!   cka_compare (M.bert, M.gpt2, r.input_ids, "Layers1", r.layers1_requested, ...
%!                "Layers2", r.layers2_requested, "Progress", false);
%!   error ("no error");
%! catch e
%!   assert (e.identifier, "cka:input:unknownLayer");
%!   assert (! isempty (strfind (e.message, "encoder.layer.99")));
%! end_try_catch
%! ok1 = r.layers1_requested(ismember (r.layers1_requested, tfm_modules_all (M.bert)));
%! ok2 = r.layers2_requested(ismember (r.layers2_requested, tfm_modules_all (M.gpt2)));
%! R = cka_compare (M.bert, M.gpt2, r.input_ids, "Layers1", ok1, "Layers2", ok2, ...
%!                  "Progress", false);
%! assert (size (R.cka), [2 2]);
%! assert (R.cka, r.cka, 1e-5);
%! ## pytorch-cka's behaviour on request: drop with a warning
%! lastwarn ("");
%! R2 = cka_compare (M.bert, M.gpt2, r.input_ids, "Layers1", r.layers1_requested, ...
%!                   "Layers2", r.layers2_requested, "IgnoreUnknownLayers", true, ...
%!                   "Progress", false);
%! [~, id] = lastwarn ();
%! assert (id, "cka:compare:unknownLayer");
%! assert (R2.cka, r.cka, 1e-5);
%! assert (R2.layers1, r.layers1(:));
%! assert (R2.requested_layers2, r.layers2_requested(:));

%!test
%! ## shards merged = one run; save/load round trip of a result
%! ids = D.input_ids;
%! o = {"Progress", false, "Layers1", {"encoder.layer.1", "pooler"}};
%! R = cka_compare (M.bert, M.distilbert, ids, o{:});
%! A = cka_compare (M.bert, M.distilbert, ids(1:16,:), o{:});
%! B = cka_compare (M.bert, M.distilbert, ids(17:32,:), o{:});
%! C = cka_merge (A, B);
%! assert (C.cka, R.cka, 1e-12);
%! assert (C.n_samples, 32);
%! for ext = {".json", ".mat"}
%!   f = [tempname() ext{1}];
%!   unwind_protect
%!     cka_save (R, f);
%!     T = cka_load (f);
%!     assert (T.cka, R.cka, -1e-15);
%!     assert (T.layers1, R.layers1);
%!     assert (cka_matrix (cka_merge (T, T)), R.cka, 1e-8);
%!   unwind_protect_cleanup
%!     unlink (f);
%!   end_unwind_protect
%! endfor

%!test
%! ## function-handle data, Data2 (a second stream), Callback
%! ids = D.input_ids;
%! global CKA_TEST_CALLS
%! CKA_TEST_CALLS = zeros (0, 3);
%! R0 = cka_compare (M.bert, M.gpt2, ids, "Progress", false, "Callback", @record_cb);
%! assert (CKA_TEST_CALLS(:, 1:2), [(1:4)', 4 * ones(4, 1)]);
%! assert (CKA_TEST_CALLS(end, 3), R0.cka(1,1), 1e-15);
%! gen ("reset", ids, 8);
%! R1 = cka_compare (M.bert, M.gpt2, @gen, "Progress", false, "Callback", @record_cb);
%! assert (R1.cka, R0.cka, 1e-12);
%! assert (isnan (CKA_TEST_CALLS(end, 2)));
%! R2 = cka_compare (M.bert, M.gpt2, struct ("input_ids", ids), "Data2", ids, ...
%!                   "Progress", false);
%! assert (R2.cka, R0.cka, 1e-12);
%! ## Data2 feeds model2: giving it other ids changes the result
%! R3 = cka_compare (M.bert, M.gpt2, ids, "Data2", mod (ids + 1, 1000), "Progress", false);
%! assert (max (abs (R3.cka(:) - R0.cka(:))) > 1e-3);
%! clear -global CKA_TEST_CALLS

%!test
%! ## pooling modes: "tokens" ignores padding (the tokens of a padded batch
%! ## are the valid tokens of the rows), mean/first/last run with a mask
%! ids = D.input_ids(1:8, 1:10);
%! mask = ones (size (ids));  mask(2, 7:end) = 0;  mask(5, 4:end) = 0;
%! o = {"Progress", false, "Layers1", {"embeddings", "encoder.layer.0"}, ...
%!      "Layers2", {"embeddings"}};
%! R = cka_compare (M.bert, [], ids, "AttentionMask", mask, "Pooling", "tokens", o{:});
%! assert (R.n_samples, sum (mask(:)));
%! ## features computed directly from the forward: valid tokens only
%! X = {};
%! hooks = {"embeddings", "encoder.layer.0"};
%! for h = 1:2
%!   A = tfm_fwd (M.bert, ids, mask, hooks{h});
%!   F = [];
%!   for b = 1:rows (ids)
%!     F = [F; reshape(A(b, mask(b,:) > 0, :), [], size (A, 3))];
%!   endfor
%!   X{h} = F;
%! endfor
%! assert (R.cka(2,1), cka (X{2}, X{1}), 1e-10);
%! ## the padded positions' content does not matter
%! ids2 = ids;  ids2(mask == 0) = 7;
%! R2 = cka_compare (M.bert, [], ids2, "AttentionMask", mask, "Pooling", "tokens", o{:});
%! assert (R2.cka, R.cka, 1e-6);
%! for p = {"mean", "first", "last", "flatten"}
%!   Rp = cka_compare (M.bert, [], ids, "AttentionMask", mask, "Pooling", p{1}, o{:});
%!   Rq = cka_compare (M.bert, [], ids2, "AttentionMask", mask, "Pooling", p{1}, o{:});
%!   assert (Rp.n_samples, 8);
%!   assert (Rq.cka, Rp.cka, 1e-6);
%! endfor
%! ## mean pooling = cka of the masked means
%! A = tfm_fwd (M.bert, ids, mask, "encoder.layer.0");
%! E = tfm_fwd (M.bert, ids, mask, "embeddings");
%! mp = @(A) squeeze (sum (A .* mask, 2)) ./ sum (mask, 2);
%! Rm = cka_compare (M.bert, [], ids, "AttentionMask", mask, "Pooling", "mean", o{:});
%! assert (Rm.cka(2,1), cka (mp (A), mp (E)), 1e-10);

%!test
%! ## DropLast: a final batch with n <= 3 is an error unless dropped
%! ids = D.input_ids(1:10, :);
%! try
%!   cka_compare (M.bert, [], ids, "BatchSize", 4, "Progress", false);
%!   error ("no error");
%! catch e
%!   assert (e.identifier, "cka:input:tooFewSamples");
%! end_try_catch
%! R = cka_compare (M.bert, [], ids, "BatchSize", 4, "DropLast", true, "Progress", false);
%! assert (R.n_samples, 8);
%! assert (R.n_dropped, 2);
%! ## the biased estimator accepts n = 2
%! R = cka_compare (M.bert, [], ids, "BatchSize", 4, "Unbiased", false, "Progress", false);
%! assert (R.n_samples, 10);

%!function b = next_rows (ids)
%!  ## 13 batches of 4 rows (cycling through ids), then the end
%!  global cka_test_k
%!  cka_test_k += 1;
%!  if (cka_test_k > 13)
%!    b = [];
%!  else
%!    r = mod ((cka_test_k - 1) * 4 + (0:3), rows (ids)) + 1;
%!    b = ids(r, :);
%!  endif
%!endfunction

%!test
%! ## progress output: sparse lines when stdout is not a terminal
%! out = evalc ("cka_compare (M.bert, [], D.input_ids, 'BatchSize', 4, 'Progress', true);");
%! lines = strsplit (strtrim (out), "\n");
%! assert (numel (lines) >= 2 && numel (lines) <= 9);
%! assert (! isempty (strfind (out, "8/8 batches")));
%! assert (! isempty (strfind (out, "ETA")));
%! ## function-handle data (total unknown): the last line gives the count that ran
%! global cka_test_k
%! cka_test_k = 0;
%! out = evalc ("cka_compare (M.bert, [], @() next_rows (D.input_ids), 'Progress', true);");
%! lines = strsplit (strtrim (out), "\n");
%! assert (! isempty (regexp (lines{end}, ' 13 batches ', "once")), lines{end});

%!error id=cka:input:unknownLayer cka_compare (M.bert, [], D.input_ids, "Layers1", {"h.0"}, "Progress", false)
%!error id=cka:input:unknownLayer cka_compare (M.bert, [], D.input_ids, "Layers1", {"encoder.layer"}, "Progress", false)
%!error id=cka:input:unknownOption cka_compare (M.bert, [], D.input_ids, "Layer1", {"h.0"})
%!error id=cka:input:emptyData cka_compare (M.bert, [], zeros (0, 5))
%!error id=cka:input:emptyData cka_compare (M.bert, [], @() [])
%!error id=cka:input:nonIntegerIds cka_compare (M.bert, [], [1.5 2])
%!error id=cka:input:badData cka_compare (M.bert, [], {1})
%!error id=cka:input:sampleMismatch cka_compare (M.bert, M.gpt2, D.input_ids, "Data2", D.input_ids(1:30,:), "Progress", false)
%!error id=cka:input:notModel cka_compare (struct ("a", 1), [], D.input_ids)
%!error id=cka:input:notBatched cka_compare (M.bert, [], D.input_ids, "Layers1", {"embeddings.position_embeddings"}, "Progress", false)
%!error id=cka:input:badPooling cka_compare (M.bert, [], D.input_ids, "Layers1", {"pooler"}, "Pooling", "tokens", "Progress", false)
%!error id=cka:input:badOption cka_compare (M.bert, [], D.input_ids, "Pooling", "max")
%!error id=cka:input:maskShape cka_compare (M.bert, [], D.input_ids, "AttentionMask", ones (3))
