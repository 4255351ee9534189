## cka / hsic / Gram matrices against pytorch-cka (tests/fixtures, see the
## fixtures README): core/core_cases.mat (pure functions on random
## matrices, 1e-10) and the cka/ scenario references fed with the stored
## per-batch layer outputs cka/features/ (1e-8).
##
## The d32x16_mask feature files are not copied: they are identical
## (isequal) to the d32x16 ones for the layers they hold, since
## pytorch-cka ignores the attention mask; the *_maskignored scenarios are
## fed with the d32x16 features.

%!shared C, cfgs
%! d = load (fixture_path ("core", "core_cases.mat"));
%! C = {d.case1, d.case2, d.case3, d.case4};
%! cfgs = struct ("name", {"linear_unbiased", "linear_biased", "rbf_median_unbiased", ...
%!                         "rbf_median_biased", "rbf_sigma_unbiased"}, ...
%!                "kernel", {"linear", "linear", "rbf", "rbf", "rbf"}, ...
%!                "unbiased", {true, false, true, false, true});

%!test
%! ## Gram matrices: linear, RBF with the median heuristic, RBF with sigma
%! for k = 1:numel (C)
%!   c = C{k};
%!   lin = struct ("kernel", 0, "sigma", NaN, "unbiased", 1, "epsilon", 1e-6, "single", 0);
%!   assert (__cka_gram__ (c.X, lin), c.gram_linear_X, -1e-12);
%!   assert (__cka_gram__ (c.Y, lin), c.gram_linear_Y, -1e-12);
%!   rbf = lin;  rbf.kernel = 1;
%!   assert (__cka_gram__ (c.X, rbf), c.gram_rbf_median_X, -1e-12);
%!   rbf.sigma = c.rbf_sigma;
%!   assert (__cka_gram__ (c.X, rbf), c.gram_rbf_sigma_X, -1e-12);
%! endfor

%!test
%! ## cka (x, y, config) for the five configurations (epsilon 1e-6)
%! for k = 1:numel (C)
%!   c = C{k};
%!   for f = cfgs
%!     o = {"Kernel", f.kernel, "Unbiased", f.unbiased};
%!     if (strcmp (f.name, "rbf_sigma_unbiased"))
%!       o(end+1:end+2) = {"Sigma", c.rbf_sigma};
%!     endif
%!     got = cka (c.X, c.Y, o{:});
%!     ref = c.(["cka_" f.name]);
%!     assert (got, ref, 1e-10);
%!     assert (abs (got - ref) <= 1e-12 * max (1, abs (ref)));
%!     assert (cka (c.X, c.Y, "Config", cka_config (o{:})), got, 0);
%!   endfor
%! endfor

%!test
%! ## same tensor (pytorch-cka's `x is y` shortcut) = cka (X); clone = cka (X, X);
%! ## float32 input is converted to float64 first
%! for k = 1:numel (C)
%!   c = C{k};
%!   assert (cka (c.X), c.cka_linear_unbiased_X_X_same_tensor, -1e-12);
%!   assert (cka (c.X, c.X), c.cka_linear_unbiased_X_Xclone, -1e-12);
%!   assert (cka (c.X_float32, c.Y), c.cka_linear_unbiased_X32_Y, -1e-12);
%! endfor

%!test
%! ## 3-D inputs flattened per sample
%! d = load (fixture_path ("core", "core_cases.mat"));
%! c = d.case3d;
%! assert (cka (c.X, c.Y), c.cka_linear_unbiased, -1e-12);
%! assert (cka (c.X, c.Y, "Unbiased", false), c.cka_linear_biased, -1e-12);
%! assert (cka (c.X, c.Y, "Kernel", "rbf"), c.cka_rbf_median_unbiased, -1e-12);
%! assert (cka (c.X_flat_rowmajor, c.Y_flat_rowmajor), c.cka_linear_unbiased, -1e-12);

%!test
%! ## hsic accepts the Config struct (its unbiased/epsilon/dtype fields)
%! c = C{2};
%! K = c.gram_linear_X;  L = c.gram_linear_Y;
%! assert (hsic (K, L, "Config", cka_config ("Unbiased", false)), c.hsic_biased_KxKy, -1e-12);
%! assert (hsic (K, L, "Config", cka_config ("Epsilon", 1e-10)), ...
%!         c.hsic_unbiased_KxKy_eps_1e_10, -1e-12);

%!function F = load_feats (rel)
%!  persistent cache;
%!  if (isempty (cache))
%!    cache = struct ("key", {}, "F", {});
%!  endif
%!  rel = strrep (rel, "d32x16_mask__", "d32x16__");
%!  k = find (strcmp ({cache.key}, rel), 1);
%!  if (isempty (k))
%!    parts = strsplit (rel, "/");
%!    cache(end+1) = struct ("key", rel, "F", load (fixture_path (parts{:})));
%!    k = numel (cache);
%!  endif
%!  F = cache(k).F;
%!endfunction

%!test
%! ## every cka/ scenario reference, accumulators fed with the stored features
%! files = dir (fixture_path ("cka", "*__*.mat"));
%! assert (numel (files) >= 45);
%! feat_cache = struct ();
%! worst = 0;
%! for k = 1:numel (files)
%!   r = load (fixture_path ("cka", files(k).name));
%!   F1 = load_feats (r.features_model1);
%!   F2 = load_feats (r.features_model2);
%!   o = {"Kernel", r.kernel, "Unbiased", logical(r.unbiased), "Epsilon", r.epsilon};
%!   if (! r.sigma_is_median_heuristic)
%!     o(end+1:end+2) = {"Sigma", r.sigma};
%!   endif
%!   S = cka_accumulator (r.layers1, r.layers2, o{:});
%!   [~, i1] = ismember (r.layers1, F1.layers);
%!   [~, i2] = ismember (r.layers2, F2.layers);
%!   assert (all (i1 > 0) && all (i2 > 0));
%!   B = columns (F1.feat);
%!   for b = 1:B
%!     S = cka_update (S, F1.feat(i1, b), F2.feat(i2, b));
%!   endfor
%!   M = cka_matrix (S);
%!   err = max (abs (M(:) - r.cka(:)));
%!   worst = max (worst, err);
%!   assert (err <= 1e-8, "%s: max abs error %g", files(k).name, err);
%!   ## HSIC sums: relative to the largest entry (tiny RBF values cancel)
%!   sc = max (abs ([r.hsic_xy(:); r.hsic_xx(:); r.hsic_yy(:)]));
%!   assert (S.hsic_xy, r.hsic_xy, 1e-9 * sc);
%!   assert (S.hsic_xx, r.hsic_xx(:), 1e-9 * sc);
%!   assert (S.hsic_yy, r.hsic_yy(:), 1e-9 * sc);
%!   assert (S.n_samples, sum (r.batch_sizes));
%! endfor
%! printf ("    worst |CKA - pytorch-cka| over %d references from features: %.3g\n", ...
%!         numel (files), worst);
