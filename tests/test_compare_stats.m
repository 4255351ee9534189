## cka_compare's intervals, p-values, full-data estimator and other measures
## (issue 19) against the accumulators fed the same pooled features by
## hand: the streaming pass inside the forward hooks computes exactly what
## cka_update computes from tfm_forward's outputs; the fields round-trip
## through cka_save/cka_load; what does not combine is refused.

%!shared m, g, ids, L1, L2, feats, d
%! m = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 2,
%!                 "num_attention_heads", 2, "intermediate_size", 32,
%!                 "vocab_size", 50, "max_position_embeddings", 16, "Seed", 1);
%! g = tfm_create ("gpt2", "n_embd", 24, "n_layer", 2, "n_head", 2,
%!                 "vocab_size", 50, "n_positions", 16, "Seed", 2);
%! ids = mod ((0:47)' * 7 + (0:5) * 3 + floor ((0:47)' / 5), 50);
%! L1 = {"embeddings", "encoder.layer.0", "encoder.layer.1"};
%! L2 = {"h.0", "h.1"};
%! ## the pooled ("mean", no mask) features of every batch of 8, by hand
%! feats = cell (6, 2);
%! for b = 1:6
%!   rows = (b - 1) * 8 + (1:8);
%!   [~, a1] = tfm_forward (m, ids(rows, :), "Hooks", L1);
%!   [~, a2] = tfm_forward (g, ids(rows, :), "Hooks", L2);
%!   feats{b, 1} = cellfun (@(a) squeeze (mean (a, 2)), a1, "UniformOutput", false);
%!   feats{b, 2} = cellfun (@(a) squeeze (mean (a, 2)), a2, "UniformOutput", false);
%! endfor
%! d = tempname ();  mkdir (d);

%!function S = by_hand (feats, L1, L2, varargin)
%!  S = cka_accumulator (L1, L2, varargin{:});
%!  for b = 1:rows (feats)
%!    S = cka_update (S, feats{b, 1}, feats{b, 2});
%!  endfor
%!endfunction

%!test
%! ## p-values and intervals: batch k's permutations come from (Seed, k) in
%! ## both paths, the bootstrap from Seed: the same numbers
%! o = {"Permutations", 199, "Bootstrap", 300, "Seed", 7, "CILevel", 0.9};
%! warning ("off", "cka:bootstrap:fewBatches", "local");
%! R = cka_compare (m, g, ids, "Layers1", L1, "Layers2", L2, "Pooling", "mean",
%!                  "BatchSize", 8, "Progress", false, o{:});
%! E = cka_matrix (by_hand (feats, L1, L2, o{:}), "stats");
%! assert (R.cka, cka_matrix (by_hand (feats, L1, L2)), 1e-6);
%! assert (R.p_value, E.p_value);
%! assert (R.ci_low, E.ci_low, 1e-6);
%! assert (R.ci_high, E.ci_high, 1e-6);
%! assert ([R.n_permutations, R.n_bootstrap, R.ci_level], [199, 300, 0.9]);
%! assert (all (R.ci_low(:) <= R.cka(:) + 1e-12 & R.cka(:) <= R.ci_high(:) + 1e-12));
%! assert (all (R.p_value(:) >= 1 / 200 & R.p_value(:) <= 1));
%! ## another seed draws other permutations
%! R2 = cka_compare (m, g, ids, "Layers1", L1, "Layers2", L2, "Pooling", "mean",
%!                   "BatchSize", 8, "Progress", false, "Permutations", 199, "Seed", 8);
%! assert (! isequal (R2.p_value, R.p_value) || all (R.p_value(:) == 1 / 200));

%!test
%! ## the full-data estimator and the other measures from the same pass
%! o = {"Estimator", "full", "Measure", {"procrustes", "svcca", "pwcca", "rsa"}};
%! warning ("off", "cka:measure:fewSamples", "local");
%! R = cka_compare (m, g, ids, "Layers1", L1, "Layers2", L2, "Pooling", "mean",
%!                  "BatchSize", 8, "Progress", false, o{:});
%! S = by_hand (feats, L1, L2, o{:});
%! assert (R.estimator, "full");
%! assert (R.cka, cka_matrix (S), 1e-6);
%! for f = {"procrustes", "svcca", "pwcca", "rsa"}
%!   assert (R.(f{1}), cka_matrix (S, f{1}), 1e-5);
%!   assert (size (R.(f{1})), [3 2]);
%! endfor
%! ## full data = one batch of all 48 samples
%! X = arrayfun (@(k) cell2mat (cellfun (@(c) c{k}, feats(:, 1), "UniformOutput", false)),
%!              1:3, "UniformOutput", false);
%! Y = arrayfun (@(k) cell2mat (cellfun (@(c) c{k}, feats(:, 2), "UniformOutput", false)),
%!              1:2, "UniformOutput", false);
%! for i = 1:3
%!   for j = 1:2
%!     assert (R.cka(i,j), cka (X{i}, Y{j}), 1e-6);
%!   endfor
%! endfor
%! ## it differs from the minibatch estimator (so the test can fail)
%! assert (max (abs (R.cka(:) - cka_matrix (by_hand (feats, L1, L2))(:))) > 1e-3);

%!test
%! ## a self-comparison in one pass (both sides from the same hooks)
%! R = cka_compare (m, [], ids, "Layers1", L1, "Pooling", "mean", "BatchSize", 8,
%!                  "Progress", false, "Permutations", 99, "Measure", "rsa");
%! S = cka_accumulator (L1, L1, "Permutations", 99, "Measure", "rsa");
%! for b = 1:6
%!   S = cka_update (S, feats{b, 1}, feats{b, 1});
%! endfor
%! assert (R.p_value, cka_matrix (S, "stats").p_value);
%! assert (R.rsa, cka_matrix (S, "rsa"), 1e-6);
%! assert (diag (R.rsa), ones (3, 1), 1e-6);
%! assert (diag (R.p_value), 0.01 * ones (3, 1));     # a layer with itself: 1/(P+1)

%!test
%! ## the new fields round-trip through JSON and .mat
%! warning ("off", "cka:bootstrap:fewBatches", "local");
%! R = cka_compare (m, g, ids, "Layers1", L1, "Layers2", L2, "Pooling", "mean",
%!                  "BatchSize", 8, "Progress", false, "Bootstrap", 50, "Permutations", 20,
%!                  "Measure", {"svcca", "procrustes"});
%! for ext = {".json", ".mat"}
%!   f = fullfile (d, ["stats" ext{1}]);
%!   cka_save (R, f);
%!   Q = cka_load (f);
%!   for fld = {"ci_low", "ci_high", "p_value", "svcca", "procrustes"}
%!     assert (Q.(fld{1}), R.(fld{1}), 1e-14);
%!   endfor
%!   assert ([Q.ci_level Q.n_bootstrap Q.n_permutations], [0.95 50 20]);
%!   assert (Q.estimator, "minibatch");
%! endfor
%! ## a crafted file is refused, naming the field
%! good = R;
%! R.p_value(1) = 0;
%! f = fullfile (d, "bad-p.mat");
%! save ("-v7", f, "R");
%! R = good;
%! fail ("cka_load (f)", "p-values in \\(0, 1\\]");

%!test
%! ## merging results drops what cannot be combined, with a warning
%! warning ("off", "cka:bootstrap:fewBatches", "local");
%! R = cka_compare (m, g, ids, "Layers1", L1, "Layers2", L2, "Pooling", "mean",
%!                  "BatchSize", 8, "Progress", false, "Bootstrap", 20);
%! lastwarn ("");
%! M = cka_merge (R, R);
%! [~, id] = lastwarn ();
%! assert (id, "cka:merge:statsDropped");
%! assert (! any (isfield (M, {"ci_low", "ci_high", "n_bootstrap"})));
%! ## so does a new batch added to a result
%! lastwarn ("");
%! U = cka_update (R, feats{1, 1}, feats{1, 2});
%! [~, id] = lastwarn ();
%! assert (id, "cka:update:statsDropped");
%! assert (! any (isfield (U, {"ci_low", "ci_high", "n_bootstrap"})));
%! assert (U.n_batches, R.n_batches + 1);
%! ## accumulators keep them: per-batch values of both
%! o = {"Bootstrap", 100};
%! A = by_hand (feats(1:3, :), L1, L2, o{:});
%! B = by_hand (feats(4:6, :), L1, L2, o{:});
%! S = by_hand (feats, L1, L2, o{:});
%! MS = cka_merge (A, B);
%! assert (MS.batch_hsic, S.batch_hsic, 1e-12);
%! ## an accumulator of an earlier version (no stats) merges with one of the
%! ## default options, not with one of other options
%! old = rmfield (by_hand (feats(1:3, :), L1, L2), "stats");
%! new = by_hand (feats(4:6, :), L1, L2);
%! assert (cka_merge (old, new).n_batches, 6);
%! fail ("cka_merge (old, B)", "other Estimator");
%! assert (cka_matrix (MS, "stats").ci_low, cka_matrix (S, "stats").ci_low, 1e-12);

%!test
%! ## shards: merged, they give the single run's intervals (the per-batch
%! ## values in single-run order, bit for bit), p-values (batch k draws
%! ## the same permutations in any process) and measures
%! o = {"Layers1", L1, "Layers2", L2, "Pooling", "mean", "BatchSize", 4, "Progress", false, ...
%!      "Bootstrap", 200, "Permutations", 99, "Seed", 3, "Measure", {"svcca", "rsa"}};
%! warning ("off", "cka:measure:fewSamples", "local");
%! R = cka_compare (m, g, ids, o{:});
%! P = cell (1, 3);
%! for k = 1:3
%!   P{k} = cka_compare (m, g, ids, o{:}, "Shard", [k 3]);
%!   f = fullfile (d, sprintf ("shard%d.mat", k));
%!   cka_save (P{k}, f);
%! endfor
%! M = cka_merge (glob (fullfile (d, "shard*.mat")));
%! assert (M.cka, R.cka, 0);
%! assert (M.ci_low, R.ci_low, 0);
%! assert (M.ci_high, R.ci_high, 0);
%! assert (M.p_value, R.p_value);
%! assert (M.svcca, R.svcca, 1e-10);
%! assert (M.rsa, R.rsa, 1e-12);
%! ## two shards first (Incomplete), then the third
%! M2 = cka_merge (cka_merge (P{3}, P{1}, "Incomplete", true), P{2});
%! assert (M2.ci_low, R.ci_low, 0);
%! assert (M2.svcca, R.svcca, 1e-10);
%! ## a shard of other options is refused, naming them
%! Q = cka_compare (m, g, ids, o{:}, "Permutations", 98, "Shard", [2 3]);
%! fail ("cka_merge (P{1}, Q, P{3})", "Permutations");

%!test
%! ## a checkpoint holds the extra sums: an interrupted run resumes to the
%! ## uninterrupted result
%! o = {"Layers1", L1, "Layers2", L2, "Pooling", "mean", "BatchSize", 8, "Progress", false, ...
%!      "Bootstrap", 100, "Permutations", 49, "Estimator", "minibatch", "Measure", "procrustes"};
%! warning ("off", "cka:bootstrap:fewBatches", "local");
%! R = cka_compare (m, g, ids, o{:});
%! f = fullfile (d, "stats-ckpt.mat");
%! try
%!   cka_compare (m, g, ids, o{:}, "Checkpoint", f, ...
%!                "Callback", @(done, total, M) assert (done < 3, "stop"));
%! catch
%! end_try_catch
%! C = cka_load (f);
%! assert (C.n_batches, 3);
%! assert (columns (C.batch_hsic), 3);
%! Rr = cka_compare (m, g, ids, o{:}, "Resume", f);
%! assert (Rr.cka, R.cka, 1e-12);
%! assert (Rr.ci_low, R.ci_low, 1e-12);
%! assert (Rr.p_value, R.p_value);
%! assert (Rr.procrustes, R.procrustes, 1e-10);
%! ## resuming with other options is refused
%! fail ("cka_compare (m, g, ids, o{:}, \"Seed\", 5, \"Resume\", f)", "Seed");
%! fail ("cka_compare (m, g, ids, o{:}, \"Checkpoint\", fullfile (d, \"c.json\"))",
%!       "JSON Checkpoint");
%!error <feature-space sums .*70000 x 70000 features> cka_update (cka_accumulator (1, "Estimator", "full"), {zeros(4, 7e4)}, {zeros(4, 7e4)})

%!test
%! ## feature-space sums: batches wait in a pending buffer until 512 rows
%! ## are flushed into the sums at once; flushed + pending rows, a save and
%! ## load in between and a merge all give the one-batch values
%! randn ("state", 11);
%! X = randn (1400, 6) + 50;  Y = X(:, 1:4) * randn (4, 5) + randn (1400, 5);
%! o = {"Estimator", "full", "Measure", {"procrustes", "svcca", "pwcca"}};
%! A = cka_accumulator (1, 1, o{:});
%! for b = 1:7
%!   A = cka_update (A, {X((b-1)*100 + (1:100), :)}, {Y((b-1)*100 + (1:100), :)});
%! endfor
%! assert (numel (A.fsums.pending_x), 1);     # 600 flushed, 100 pending
%! f = fullfile (d, "pending.mat");
%! cka_save (A, f);
%! A = cka_load (f);
%! B = cka_accumulator (1, 1, o{:});
%! for b = 8:14
%!   B = cka_update (B, {X((b-1)*100 + (1:100), :) + 3}, {Y((b-1)*100 + (1:100), :)});
%! endfor
%! X(701:end, :) += 3;
%! M = cka_merge (A, B);
%! assert (cka_matrix (M), cka (X - 50, Y), 1e-8);    # (Gram matrices of X + 50 lose digits)
%! assert (cka_matrix (M, "procrustes"), cka (X, Y, "Measure", "procrustes"), 1e-8);
%! assert (cka_matrix (M, "svcca"), cka (X, Y, "Measure", "svcca"), 1e-8);
%! assert (cka_matrix (M, "pwcca"), cka (X, Y, "Measure", "pwcca"), 1e-8);
%! ## a crafted pending buffer is refused
%! A.fsums.pending_x{1} = A.fsums.pending_x{1}(:, 1:2);
%! fail ("cka_matrix (A)", "fsums must hold");

%!test
%! if (isfolder (d))
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! endif
