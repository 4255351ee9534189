## Issue 19: the other similarity measures (Procrustes, SVCCA, PWCCA, RSA),
## the exact full-data CKA estimator, the batch bootstrap and the
## permutation test, checked against naive double-precision textbook
## implementations written below (nv_*), and against statistical
## properties on simulated data (fixed seeds: every block is
## deterministic).
##
## Definitions used by the naive references:
##  - unbiased HSIC (Song et al. 2012) of Gram matrices K, L with zeroed
##    diagonals Kt, Lt:
##    (tr(Kt Lt) + 1'Kt1 1'Lt1/((n-1)(n-2)) - 2/(n-2) 1'Kt Lt 1) / (n(n-3));
##    biased HSIC: tr(K H L H)/(n-1)^2, H = I - 11'/n;
##    CKA = hsic(K,L)/sqrt(hsic(K,K) hsic(L,L)); minibatch CKA sums each
##    HSIC over the batches first; the full-data CKA uses the N x N Gram
##    matrices of all samples;
##  - Procrustes (Ding et al. 2021): 2 - 2 ||X'Y||_* for centred X, Y of
##    unit Frobenius norm;
##  - SVCCA (Raghu et al. 2017): each side reduced to the top singular
##    directions whose cumulative share of variance first reaches
##    SVCCAVariance, then the mean canonical correlation;
##  - PWCCA (Morcos et al. 2018): canonical correlations rho_i weighted by
##    alpha_i = sum_j |<h_i, x_j>| (h_i the unit canonical variates of X);
##  - RSA (Kriegeskorte et al. 2008): Pearson correlation of the
##    upper-triangle entries of the two RDMs 1 - corr(x_a, x_b); over
##    batches, the entries of every batch's RDM, concatenated.

%!function h = nv_hsic (K, L, unbiased)
%!  n = rows (K);
%!  if (unbiased)
%!    Kt = K - diag (diag (K));
%!    Lt = L - diag (diag (L));
%!    o = ones (n, 1);
%!    h = (trace (Kt * Lt) + sum (Kt(:)) * sum (Lt(:)) / ((n-1) * (n-2)) ...
%!         - 2 / (n-2) * (o' * Kt * Lt * o)) / (n * (n-3));
%!  else
%!    H = eye (n) - ones (n) / n;
%!    h = trace (K * H * L * H) / (n-1)^2;
%!  endif
%!endfunction

%!function c = nv_cka (X, Y, unbiased)
%!  ## CKA of one set of samples (no epsilon): X, Y n x d
%!  K = X * X';  L = Y * Y';
%!  c = nv_hsic (K, L, unbiased) / sqrt (nv_hsic (K, K, unbiased) * nv_hsic (L, L, unbiased));
%!endfunction

%!function c = nv_cka_minibatch (Xb, Yb, unbiased)
%!  ## minibatch CKA: Xb, Yb cells of per-batch features
%!  hxy = hxx = hyy = 0;
%!  for b = 1:numel (Xb)
%!    K = Xb{b} * Xb{b}';  L = Yb{b} * Yb{b}';
%!    hxy += nv_hsic (K, L, unbiased);
%!    hxx += nv_hsic (K, K, unbiased);
%!    hyy += nv_hsic (L, L, unbiased);
%!  endfor
%!  c = hxy / sqrt (hxx * hyy);
%!endfunction

%!function d = nv_procrustes (X, Y)
%!  X = X - mean (X, 1);  Y = Y - mean (Y, 1);
%!  X = X / norm (X, "fro");  Y = Y / norm (Y, "fro");
%!  d = 2 - 2 * sum (svd (X' * Y));
%!endfunction

%!function Q = nv_basis (A)
%!  ## orthonormal basis of the column space of A (directions of non-zero variance)
%!  [U, S] = svd (A, "econ");
%!  s = diag (S);
%!  Q = U(:, s > max (s) * max (size (A)) * eps);
%!endfunction

%!function R = nv_svd_reduce (X, keep)
%!  Xc = X - mean (X, 1);
%!  [U, S] = svd (Xc, "econ");
%!  s = diag (S);
%!  s = s(s > max (s) * max (size (Xc)) * eps);        # drop null directions
%!  share = cumsum (s .^ 2) / sum (s .^ 2);
%!  k = find (share >= keep - 1e-12, 1);               # guard: keep = 1 takes them all
%!  R = U(:, 1:k) * diag (s(1:k));
%!endfunction

%!function v = nv_svcca (X, Y, keep)
%!  Xr = nv_svd_reduce (X, keep);  Yr = nv_svd_reduce (Y, keep);
%!  Xr = Xr - mean (Xr, 1);  Yr = Yr - mean (Yr, 1);
%!  [Qx, ~] = qr (Xr, 0);  [Qy, ~] = qr (Yr, 0);
%!  rho = svd (Qx' * Qy);
%!  v = mean (rho(1:min (columns (Xr), columns (Yr))));
%!endfunction

%!function v = nv_pwcca (X, Y)
%!  Xc = X - mean (X, 1);  Yc = Y - mean (Y, 1);
%!  Qx = nv_basis (Xc);  Qy = nv_basis (Yc);
%!  [U, S] = svd (Qx' * Qy);
%!  k = min (columns (Qx), columns (Qy));
%!  rho = diag (S)(1:k);
%!  H = Qx * U(:, 1:k);                     # canonical variates of X, unit norm
%!  alpha = sum (abs (H' * Xc), 2);         # sum_j |<h_i, x_j>|
%!  v = sum (alpha .* rho) / sum (alpha);
%!endfunction

%!function r = nv_pearson (a, b)
%!  a = a(:) - mean (a(:));  b = b(:) - mean (b(:));
%!  r = (a' * b) / sqrt ((a' * a) * (b' * b));
%!endfunction

%!function d = nv_rdm_upper (A)
%!  n = rows (A);
%!  d = zeros (n * (n-1) / 2, 1);
%!  t = 0;
%!  for a = 1:n-1
%!    for b = a+1:n
%!      t += 1;
%!      d(t) = 1 - nv_pearson (A(a,:), A(b,:));
%!    endfor
%!  endfor
%!endfunction

%!function v = nv_rsa (Xb, Yb)
%!  ## Xb, Yb: one matrix, or cells of per-batch features
%!  if (! iscell (Xb))
%!    Xb = {Xb};  Yb = {Yb};
%!  endif
%!  dx = dy = [];
%!  for b = 1:numel (Xb)
%!    dx = [dx; nv_rdm_upper(Xb{b})];
%!    dy = [dy; nv_rdm_upper(Yb{b})];
%!  endfor
%!  v = nv_pearson (dx, dy);
%!endfunction

%!function [X, Y] = nv_data (seed, n, d1, d2)
%!  ## X with a decaying spectrum (so that SVCCA's reduction drops
%!  ## directions) and a non-zero mean; Y partly a linear map of X, plus noise
%!  randn ("state", seed);
%!  X = randn (n, d1) * diag (logspace (0, -1.5, d1)) * orth (randn (d1)) + randn (1, d1);
%!  Y = X * randn (d1, d2) + 0.7 * randn (n, d2) * diag (logspace (0, -1, d2)) - 2;
%!endfunction

%!function r = nv_rel (a, b)
%!  r = abs (a - b) / max (abs (b), realmin);
%!endfunction

## ---- 1. each measure against its naive implementation ---------------------

%!test
%! ## cka (X, Y, "Measure", m) on small random data, several shapes (d1 != d2)
%! cases = [1 30 5 8; 2 45 12 7; 3 60 9 11; 4 40 6 6];
%! for t = 1:rows (cases)
%!   [X, Y] = nv_data (cases(t,1), cases(t,2), cases(t,3), cases(t,4));
%!   for unb = [true false]
%!     ref = nv_cka (X, Y, unb);
%!     got = cka (X, Y, "Unbiased", unb, "Epsilon", 0);
%!     assert (nv_rel (got, ref) < 1e-10, "case %d cka: %.17g vs %.17g", t, got, ref);
%!     assert (cka (X, Y, "Unbiased", unb, "Measure", "cka", "Epsilon", 0), got, -1e-14);
%!   endfor
%!   ## the default epsilon 1e-6 only perturbs the value slightly
%!   assert (abs (cka (X, Y) - nv_cka (X, Y, true)) < 1e-6);
%!   ref = nv_procrustes (X, Y);
%!   got = cka (X, Y, "Measure", "procrustes");
%!   assert (nv_rel (got, ref) < 1e-8, "case %d procrustes: %.17g vs %.17g", t, got, ref);
%!   for keep = [0.99 0.9 0.6]
%!     ref = nv_svcca (X, Y, keep);
%!     got = cka (X, Y, "Measure", "svcca", "SVCCAVariance", keep);
%!     assert (nv_rel (got, ref) < 1e-6, "case %d svcca %g: %.17g vs %.17g", t, keep, got, ref);
%!   endfor
%!   assert (cka (X, Y, "Measure", "svcca"), cka (X, Y, "Measure", "svcca", "SVCCAVariance", 0.99));
%!   ref = nv_pwcca (X, Y);
%!   got = cka (X, Y, "Measure", "pwcca");
%!   assert (nv_rel (got, ref) < 1e-6, "case %d pwcca: %.17g vs %.17g", t, got, ref);
%!   ref = nv_pwcca (Y, X);           # not symmetric: the weights come from the first side
%!   got = cka (Y, X, "Measure", "pwcca");
%!   assert (nv_rel (got, ref) < 1e-6, "case %d pwcca (Y, X): %.17g vs %.17g", t, got, ref);
%!   ref = nv_rsa (X, Y);
%!   got = cka (X, Y, "Measure", "rsa");
%!   assert (nv_rel (got, ref) < 1e-8, "case %d rsa: %.17g vs %.17g", t, got, ref);
%! endfor

%!test
%! ## the reductions of SVCCA really drop directions on these data (else the
%! ## SVCCAVariance cases above would not test the reduction), PWCCA's
%! ## weights matter (weighted != plain mean) and it is asymmetric
%! [X, Y] = nv_data (2, 45, 12, 7);
%! assert (columns (nv_svd_reduce (X, 0.9)) < 12);
%! assert (columns (nv_svd_reduce (X, 0.6)) < columns (nv_svd_reduce (X, 0.99)));
%! assert (abs (nv_svcca (X, Y, 0.9) - nv_svcca (X, Y, 0.99)) > 1e-3);
%! assert (abs (cka (X, Y, "Measure", "pwcca") - cka (Y, X, "Measure", "pwcca")) > 1e-3);
%! rho = svd (nv_basis (X - mean (X))' * nv_basis (Y - mean (Y)));
%! assert (abs (cka (X, Y, "Measure", "pwcca") - mean (rho)) > 1e-3);

%!test
%! ## an accumulator with several layers and every measure, one batch:
%! ## each entry (i, j) is the measure of layer i of side 1 and layer j of side 2
%! [X1, Y1] = nv_data (5, 50, 5, 7);
%! [X2, Y2] = nv_data (6, 50, 9, 4);
%! Y1 = Y1 + 0.5 * X2(:, 1:7);                # some relation across the pairs
%! F1 = {X1, X2};  F2 = {Y1, Y2};
%! S = cka_accumulator ({"a", "b"}, {"c", "d"}, "Measure", {"procrustes", "svcca", "pwcca", "rsa"},
%!                      "SVCCAVariance", 0.95, "Epsilon", 0);
%! S = cka_update (S, F1, F2);
%! E = cka_matrix (S, "stats");
%! M = cka_matrix (S);
%! for i = 1:2
%!   for j = 1:2
%!     X = F1{i};  Y = F2{j};
%!     assert (nv_rel (M(i,j), nv_cka (X, Y, true)) < 1e-10);
%!     assert (nv_rel (cka_matrix (S, "procrustes")(i,j), nv_procrustes (X, Y)) < 1e-8);
%!     assert (nv_rel (cka_matrix (S, "svcca")(i,j), nv_svcca (X, Y, 0.95)) < 1e-6);
%!     assert (nv_rel (cka_matrix (S, "pwcca")(i,j), nv_pwcca (X, Y)) < 1e-6);
%!     assert (nv_rel (cka_matrix (S, "rsa")(i,j), nv_rsa (X, Y)) < 1e-8);
%!   endfor
%! endfor
%! for m = {"procrustes", "svcca", "pwcca", "rsa"}
%!   assert (E.(m{1}), cka_matrix (S, m{1}), 0);
%!   assert (size (E.(m{1})), [2 2]);
%! endfor
%! assert (E.estimator, "minibatch");
%! assert (! isfield (E, "ci_low") && ! isfield (E, "p_value"));

%!test
%! ## over several batches: Procrustes, SVCCA and PWCCA use all the samples
%! ## (feature-space sums), RSA the pairs within each batch
%! [X, Y] = nv_data (8, 66, 7, 5);
%! edges = cumsum ([0 9 20 14 23]);
%! S = cka_accumulator (1, 1, "Measure", {"procrustes", "svcca", "pwcca", "rsa"});
%! Xb = Yb = {};
%! for b = 1:numel (edges) - 1
%!   r = edges(b)+1:edges(b+1);
%!   Xb{b} = X(r,:);  Yb{b} = Y(r,:);
%!   S = cka_update (S, Xb(b), Yb(b));
%! endfor
%! assert (S.n_samples, 66);
%! assert (nv_rel (cka_matrix (S, "procrustes"), nv_procrustes (X, Y)) < 1e-8);
%! assert (nv_rel (cka_matrix (S, "svcca"), nv_svcca (X, Y, 0.99)) < 1e-6);
%! assert (nv_rel (cka_matrix (S, "pwcca"), nv_pwcca (X, Y)) < 1e-6);
%! ref = nv_rsa (Xb, Yb);
%! assert (nv_rel (cka_matrix (S, "rsa"), ref) < 1e-8);
%! ## (the batched RSA is not the RSA of all pairs: the test tells them apart)
%! assert (abs (ref - nv_rsa (X, Y)) > 1e-3);

## ---- 2. invariances ---------------------------------------------------------

%!test
%! randn ("state", 11);
%! n = 40;  d = 7;
%! X = randn (n, d) * diag (1:d);
%! Q = orth (randn (d));
%! A = randn (d) + 3 * eye (d);               # invertible
%! assert (cond (A) < 1e3);
%! t = 5 * randn (1, d);
%! ## Procrustes: 0 for a rotation, also scaled and translated
%! assert (abs (cka (X, X * Q, "Measure", "procrustes")) < 1e-8);
%! assert (abs (cka (X, 3.5 * X * Q + t, "Measure", "procrustes")) < 1e-8);
%! assert (abs (cka (X + t, 0.2 * X * Q, "Measure", "procrustes")) < 1e-8);
%! ## and clearly not 0 for a non-orthogonal map (the test can fail)
%! assert (cka (X, X * A, "Measure", "procrustes") > 1e-3);
%! ## SVCCA and PWCCA: 1 for any invertible linear map (all directions kept)
%! assert (cka (X, X * A + t, "Measure", "svcca", "SVCCAVariance", 1), 1, 1e-8);
%! assert (cka (X, X * A + t, "Measure", "pwcca"), 1, 1e-8);
%! assert (cka (X * A, X, "Measure", "pwcca"), 1, 1e-8);
%! ## default SVCCAVariance: a rotation and scaling keep the same subspace
%! assert (cka (X, 2 * X * Q, "Measure", "svcca"), 1, 1e-8);
%! ## a low-rank X: the reduction keeps its 3-dimensional subspace on both sides
%! Z = randn (n, 3) * randn (3, d);
%! assert (cka (Z, Z * A, "Measure", "svcca", "SVCCAVariance", 1), 1, 1e-8);
%! assert (cka (Z, Z * A, "Measure", "pwcca"), 1, 1e-8);
%! ## and not 1 for unrelated data
%! Y = randn (n, d);
%! assert (cka (X, Y, "Measure", "svcca") < 0.9);
%! assert (cka (X, Y, "Measure", "pwcca") < 0.9);
%! ## CKA: orthogonal transforms and isotropic scaling, both estimators
%! Y = X(:, 1:4) * randn (4, 5) + randn (n, 5);
%! for est = {"minibatch", "full"}
%!   o = {"Epsilon", 0, "Estimator", est{1}};
%!   c0 = cka (X, Y, o{:});
%!   assert (cka (X * Q * 3, Y, o{:}), c0, 1e-10);
%!   assert (cka (X, 0.25 * Y, o{:}), c0, 1e-10);
%!   assert (abs (cka (X * A, Y, o{:}) - c0) > 1e-3);   # not invariant to any A
%! endfor
%! ## RSA: the RDM is invariant to scaling each sample
%! assert (cka (X, diag (1 + rand (n, 1)) * X, "Measure", "rsa"), 1, 1e-12);

## ---- 3. the exact full-data CKA -------------------------------------------

%!shared Xf, Yf, sizes
%! randn ("state", 21);
%! sizes = [7 13 5 20 11];
%! N = sum (sizes);
%! Xf = randn (N, 6) * diag ([3 2 1 1 0.5 0.2]);
%! Yf = [Xf(:, 1:3) * randn(3, 6), randn(N, 3)] + 0.5 * randn (N, 9);

%!function S = nv_feed (S, X, Y, sizes)
%!  edges = cumsum ([0 sizes]);
%!  for b = 1:numel (sizes)
%!    r = edges(b)+1:edges(b+1);
%!    S = cka_update (S, {X(r,:)}, {Y(r,:)});
%!  endfor
%!endfunction

%!test
%! ## 5 batches of unequal sizes = the unbiased / biased CKA of the full
%! ## 56 x 56 Gram matrices
%! for unb = [true false]
%!   ref = nv_cka (Xf, Yf, unb);
%!   S = nv_feed (cka_accumulator (1, 1, "Estimator", "full", "Unbiased", unb, "Epsilon", 0),
%!                Xf, Yf, sizes);
%!   got = cka_matrix (S);
%!   assert (nv_rel (got, ref) < 1e-10, "unbiased %d: %.17g vs %.17g", unb, got, ref);
%!   assert (cka_matrix (S, "stats").estimator, "full");
%!   ## one batch, and cka () itself
%!   S1 = nv_feed (cka_accumulator (1, 1, "Estimator", "full", "Unbiased", unb, "Epsilon", 0),
%!                 Xf, Yf, rows (Xf));
%!   assert (cka_matrix (S1), got, -1e-12);
%!   assert (cka (Xf, Yf, "Estimator", "full", "Unbiased", unb, "Epsilon", 0), got, -1e-12);
%!   ## minibatch over one batch is the same number
%!   assert (cka (Xf, Yf, "Unbiased", unb, "Epsilon", 0), got, -1e-12);
%!   ## the default epsilon only perturbs it slightly
%!   S = nv_feed (cka_accumulator (1, 1, "Estimator", "full", "Unbiased", unb), Xf, Yf, sizes);
%!   assert (abs (cka_matrix (S) - ref) < 1e-6);
%! endfor

%!test
%! ## large feature means (1e4, and different per side and per feature): the
%! ## reference is the naive CKA of the data without them (CKA does not
%! ## change under translation of the features); a direct sum of the
%! ## feature-space terms would lose ~8 digits here
%! randn ("state", 22);
%! m1 = 1e4 + 10 * randn (1, columns (Xf));
%! m2 = -3e4 + 10 * randn (1, columns (Yf));
%! for unb = [true false]
%!   ref = nv_cka (Xf, Yf, unb);
%!   assert (nv_rel (nv_cka (Xf + 3, Yf - 2, unb), ref) < 1e-12);  # translation invariance
%!   S = nv_feed (cka_accumulator (1, 1, "Estimator", "full", "Unbiased", unb, "Epsilon", 0),
%!                Xf + m1, Yf + m2, sizes);
%!   got = cka_matrix (S);
%!   assert (nv_rel (got, ref) < 1e-8, "large mean, unbiased %d: %.17g vs %.17g", unb, got, ref);
%!   ## the first batch need not have the mean of the others
%!   Xs = Xf + m1;  Xs(1:sizes(1), :) -= 5e3;
%!   Ys = Yf + m2;  Ys(1:sizes(1), :) += 5e3;
%!   S = nv_feed (cka_accumulator (1, 1, "Estimator", "full", "Unbiased", unb, "Epsilon", 0),
%!                Xs, Ys, sizes);
%!   ref2 = nv_cka (Xs - mean (Xs), Ys - mean (Ys), unb);
%!   assert (nv_rel (cka_matrix (S), ref2) < 1e-8);
%! endfor
%! ## the other measures too
%! S = nv_feed (cka_accumulator (1, 1, "Measure", {"procrustes", "pwcca"}), Xf + m1, Yf + m2,
%!              sizes);
%! assert (nv_rel (cka_matrix (S, "procrustes"), nv_procrustes (Xf, Yf)) < 1e-8);
%! assert (nv_rel (cka_matrix (S, "pwcca"), nv_pwcca (Xf, Yf)) < 1e-6);

%!test
%! ## several layers, full estimator: every entry is the full-data CKA of its
%! ## pair; the split into batches does not matter
%! Z = Xf(:, 1:2) .^ 2 + 0.1 * randn (rows (Xf), 2);
%! S = cka_accumulator (2, 2, "Estimator", "full", "Epsilon", 0);
%! S2 = S;
%! edges = cumsum ([0 sizes]);
%! for b = 1:numel (sizes)
%!   r = edges(b)+1:edges(b+1);
%!   S = cka_update (S, {Xf(r,:), Z(r,:)}, {Yf(r,:), Xf(r,1:3)});
%! endfor
%! S2 = cka_update (S2, {Xf(1:30,:), Z(1:30,:)}, {Yf(1:30,:), Xf(1:30,1:3)});
%! S2 = cka_update (S2, {Xf(31:end,:), Z(31:end,:)}, {Yf(31:end,:), Xf(31:end,1:3)});
%! L1 = {Xf, Z};  L2 = {Yf, Xf(:,1:3)};
%! M = cka_matrix (S);
%! for i = 1:2
%!   for j = 1:2
%!     assert (nv_rel (M(i,j), nv_cka (L1{i}, L2{j}, true)) < 1e-10);
%!   endfor
%! endfor
%! assert (cka_matrix (S2), M, -1e-10);
%! ## the same features on both sides (feats2 omitted): exactly 1 on the diagonal
%! S3 = cka_accumulator (2, "Estimator", "full", "Epsilon", 0);
%! S3 = cka_update (S3, {Xf(1:20,:), Z(1:20,:)});
%! S3 = cka_update (S3, {Xf(21:end,:), Z(21:end,:)});
%! assert (diag (cka_matrix (S3)), [1; 1], 1e-12);
%! assert (cka_matrix (S3)(1,2), nv_cka (Xf, Z, true), -1e-10);

## ---- 4. the minibatch estimator --------------------------------------------

%!test
%! ## sums of per-batch HSIC values, then the ratio
%! for unb = [true false]
%!   Xb = Yb = {};
%!   edges = cumsum ([0 sizes]);
%!   for b = 1:numel (sizes)
%!     r = edges(b)+1:edges(b+1);
%!     Xb{b} = Xf(r,:);  Yb{b} = Yf(r,:);
%!   endfor
%!   ref = nv_cka_minibatch (Xb, Yb, unb);
%!   S = nv_feed (cka_accumulator (1, 1, "Unbiased", unb, "Epsilon", 0), Xf, Yf, sizes);
%!   assert (nv_rel (cka_matrix (S), ref) < 1e-10);
%!   ## the explicit estimator name, and the extra measures do not change it
%!   S = nv_feed (cka_accumulator (1, 1, "Unbiased", unb, "Epsilon", 0, "Estimator", "minibatch",
%!                                 "Measure", "rsa"), Xf, Yf, sizes);
%!   assert (nv_rel (cka_matrix (S), ref) < 1e-10);
%!   ## the two estimators differ on these batches (so section 3 tests something)
%!   assert (abs (ref - nv_cka (Xf, Yf, unb)) > 1e-3);
%!   ## with the default epsilon: sum hxy / (sqrt (sum hxx * sum hyy) + 1e-6)
%!   S = nv_feed (cka_accumulator (1, 1, "Unbiased", unb), Xf, Yf, sizes);
%!   assert (abs (cka_matrix (S) - ref) < 1e-6);
%! endfor

## ---- 5. the batch bootstrap -------------------------------------------------

%!test
%! ## coverage of the 90% percentile intervals of minibatch CKA.  Model:
%! ## w ~ N(0, I_3), x = w A + 0.5 e1, y = w B + e2: the population linear CKA
%! ## ||Sxy||^2 / (||Sxx|| ||Syy||) is known, and it is the limit of the
%! ## minibatch estimator (each unbiased HSIC is unbiased for ||cov||_F^2,
%! ## whatever the batch size).  200 independent experiments of 20 batches of
%! ## 12 samples, run as 20 accumulators of 10 independent layer pairs (the
%! ## diagonal of 10 x 10).  A correct batch bootstrap covers ~85-89% here
%! ## (the percentile bootstrap with 20 batches under-covers a little) and
%! ## its half-width is ~1.645 sd of the estimator across experiments; the
%! ## interval of a single batch (~sqrt(20) times too wide) covers ~100%, one
%! ## at a wrong level or of the wrong spread fails the width ratio.
%! randn ("state", 31);
%! A = randn (3, 4);  B = randn (3, 5);
%! Sxx = A' * A + 0.25 * eye (4);  Syy = B' * B + eye (5);  Sxy = A' * B;
%! truth = sumsq (Sxy(:)) / (norm (Sxx, "fro") * norm (Syy, "fro"));
%! G = 20;  L = 10;  nb = 20;  n = 12;
%! M = lo = hi = lo99 = hi99 = zeros (G * L, 1);
%! for g = 1:G
%!   S = cka_accumulator (L, L, "Bootstrap", 200, "CILevel", 0.9, "Seed", g);
%!   S99 = cka_accumulator (L, L, "Bootstrap", 200, "CILevel", 0.99, "Seed", g);
%!   for b = 1:nb
%!     F1 = F2 = cell (1, L);
%!     for l = 1:L
%!       w = randn (n, 3);
%!       F1{l} = w * A + 0.5 * randn (n, 4);
%!       F2{l} = w * B + randn (n, 5);
%!     endfor
%!     S = cka_update (S, F1, F2);
%!     S99 = cka_update (S99, F1, F2);
%!   endfor
%!   E = cka_matrix (S, "stats");
%!   E99 = cka_matrix (S99, "stats");
%!   k = (g-1) * L + (1:L);
%!   M(k) = diag (cka_matrix (S));
%!   lo(k) = diag (E.ci_low);  hi(k) = diag (E.ci_high);
%!   lo99(k) = diag (E99.ci_low);  hi99(k) = diag (E99.ci_high);
%! endfor
%! assert (E.ci_level, 0.9);
%! assert (E.n_bootstrap, 200);
%! assert (size (E.ci_low), [L L]);
%! assert (E.estimator, "minibatch");
%! covered = mean (lo <= truth & truth <= hi);
%! ratio = mean (hi - lo) / 2 / (1.645 * std (M));
%! ratio99 = mean (hi99 - lo99) / mean (hi - lo);
%! printf ("    bootstrap: truth %.4f, mean estimate %.4f, sd %.4f; 90%% coverage %.3f, half-width / (1.645 sd) %.3f, width 99%%/90%% %.3f\n",
%!         truth, mean (M), std (M), covered, ratio, ratio99);
%! assert (abs (mean (M) - truth) < 0.25 * std (M));   # the model's truth is right
%! assert (covered >= 0.75 && covered <= 0.97, "coverage %.3f", covered);
%! assert (ratio > 0.7 && ratio < 1.3, "width ratio %.3f", ratio);
%! ## the 99% intervals: wider, ~2.576/1.645 = 1.57 times for a normal spread
%! assert (all (lo99 <= lo + 1e-12 & hi <= hi99 + 1e-12));
%! assert (ratio99 > 1.3 && ratio99 < 1.9, "99%%/90%% width ratio %.3f", ratio99);
%! assert (mean (lo99 <= truth & truth <= hi99) >= 0.9);
%! ## the point estimate is inside its interval (nearly always)
%! assert (mean (lo <= M & M <= hi) > 0.95);

%!test
%! ## the bootstrap resamples batches: identical batches give a zero-width
%! ## interval at the estimate (a resampling of samples would not)
%! warning ("off", "cka:bootstrap:fewBatches", "local");
%! randn ("state", 32);
%! X = randn (15, 4);  Y = X * randn (4, 3) + randn (15, 3);
%! S = cka_accumulator (1, 1, "Bootstrap", 100, "Seed", 3);
%! for b = 1:12
%!   S = cka_update (S, {X}, {Y});
%! endfor
%! E = cka_matrix (S, "stats");
%! assert (E.ci_low, cka_matrix (S), -1e-12);
%! assert (E.ci_high, cka_matrix (S), -1e-12);
%! assert (E.ci_level, 0.95);      # the default level
%! ## different batches: a proper interval around the estimate; the same Seed
%! ## gives the same interval, another Seed a different one
%! S1 = cka_accumulator (1, 1, "Bootstrap", 100, "Seed", 3);
%! S2 = cka_accumulator (1, 1, "Bootstrap", 100, "Seed", 4);
%! for b = 1:12
%!   X = randn (15, 4);  Y = X * randn (4, 3) + randn (15, 3);
%!   S1 = cka_update (S1, {X}, {Y});
%!   S2 = cka_update (S2, {X}, {Y});
%! endfor
%! E1 = cka_matrix (S1, "stats");
%! assert (cka_matrix (S1, "stats"), E1);
%! E2 = cka_matrix (S2, "stats");
%! assert (E1.ci_low < cka_matrix (S1) && cka_matrix (S1) < E1.ci_high);
%! assert (E1.ci_high - E1.ci_low > 1e-3);
%! assert (E1.ci_low != E2.ci_low || E1.ci_high != E2.ci_high);
%! assert (cka_matrix (S1), cka_matrix (S2), 0);
%! ## two batches (the fewest; a warning, off here): still an interval
%! S = cka_accumulator (1, 1, "Bootstrap", 50);
%! S = cka_update (cka_update (S, {X}, {Y}), {X(1:10,:)}, {Y(1:10,:)});
%! E = cka_matrix (S, "stats");
%! assert (E.ci_low <= E.ci_high);

## ---- 6. the permutation test ------------------------------------------------

%!function D = nv_ks_discrete (p, P)
%!  ## max over the grid k/(P+1) of |empirical cdf - uniform cdf|
%!  t = (1:P+1) / (P+1);
%!  D = max (abs (mean (p(:) <= t + 1e-12, 1) - t));
%!endfunction

%!test
%! ## unrelated X and Y: p-values roughly uniform on {1, ..., 100}/100
%! randn ("state", 41);
%! P = 99;  R = 200;
%! p = zeros (R, 1);
%! for r = 1:R
%!   X = randn (20, 4);  Y = randn (20, 3);
%!   [c, p(r)] = cka (X, Y, "Permutations", P, "Seed", r);
%!   assert (c, cka (X, Y), 0);          # the permutations do not change the estimate
%! endfor
%! assert (all (abs (p * (P+1) - round (p * (P+1))) < 1e-9));
%! assert (min (p) >= 1/(P+1) && max (p) <= 1);
%! f05 = mean (p <= 0.05);  f50 = mean (p <= 0.5);  D = nv_ks_discrete (p, P);
%! printf ("    permutation null (cka): P(p<=0.05) %.3f, P(p<=0.5) %.3f, KS %.3f\n", f05, f50, D);
%! assert (f05 >= 0.01 && f05 <= 0.12, "fraction p <= 0.05: %.3f", f05);
%! assert (f50 >= 0.38 && f50 <= 0.62, "fraction p <= 0.5: %.3f", f50);
%! assert (D < 0.13, "KS distance %.3f", D);

%!test
%! ## identical (or strongly related) features: the smallest p-value, 1/(P+1)
%! randn ("state", 42);
%! X = randn (20, 5);
%! for P = [19 99 500]
%!   [~, p] = cka (X, X, "Permutations", P);
%!   assert (p, 1 / (P+1), 0);
%!   [~, p] = cka (X, 2 * X * orth (randn (5)) + 0.1 * randn (20, 5), "Permutations", P, "Seed", 9);
%!   assert (p, 1 / (P+1), 0);
%! endfor
%! ## the same Seed, the same p-value; other seeds differ (a borderline case)
%! Y = 0.1 * X(:, 1) * randn (1, 3) + randn (20, 3);
%! [~, p1] = cka (X, Y, "Permutations", 99, "Seed", 5);
%! [~, p2] = cka (X, Y, "Permutations", 99, "Seed", 5);
%! assert (p1, p2, 0);
%! ps = zeros (1, 6);
%! for s = 1:6
%!   [~, ps(s)] = cka (X, Y, "Permutations", 99, "Seed", s);
%! endfor
%! assert (numel (unique (ps)) > 1);
%! assert (all (ps > 1/100) && all (ps < 1));    # borderline indeed

%!test
%! ## the permuted statistics: the unbiased HSIC averages exactly 0 over all
%! ## permutations of one side (a U-statistic), so the mean of P = 3000
%! ## permuted values is 0 within a few standard errors, far from the
%! ## observed value of strongly related data
%! randn ("state", 43);
%! X = randn (25, 4);  Y = X * randn (4, 3) + 0.3 * randn (25, 3);
%! P = 3000;
%! S = cka_update (cka_accumulator (1, 1, "Permutations", P, "Seed", 1), {X}, {Y});
%! h = S.perm_hsic_xy(:);
%! assert (numel (h), P);
%! assert (S.hsic_xy, nv_hsic (X*X', Y*Y', true), -1e-6);  # epsilon 1e-6 in n(n-3)+eps
%! assert (abs (mean (h)) < 4 * std (h) / sqrt (P));
%! assert (max (h) < S.hsic_xy);
%! ## the permuted values are not all equal (real shuffles)
%! assert (std (h) > 1e-3 * abs (S.hsic_xy));
%! ## the p-value is the stated formula
%! E = cka_matrix (S, "stats");
%! assert (E.p_value, (1 + sum (h >= S.hsic_xy)) / (1 + P));
%! assert (E.n_permutations, P);

%!test
%! ## through an accumulator fed in batches (shuffled within each batch)
%! randn ("state", 44);
%! P = 99;  R = 150;
%! p = zeros (R, 1);
%! for r = 1:R
%!   S = cka_accumulator (1, 1, "Permutations", P, "Seed", r);
%!   for b = 1:3
%!     S = cka_update (S, {randn(12, 4)}, {randn(12, 3)});
%!   endfor
%!   p(r) = cka_matrix (S, "stats").p_value;
%! endfor
%! f05 = mean (p <= 0.05);  f50 = mean (p <= 0.5);  D = nv_ks_discrete (p, P);
%! printf ("    permutation null (accumulator): P(p<=0.05) %.3f, P(p<=0.5) %.3f, KS %.3f\n",
%!         f05, f50, D);
%! assert (f05 >= 0.01 && f05 <= 0.12, "fraction p <= 0.05: %.3f", f05);
%! assert (f50 >= 0.38 && f50 <= 0.62, "fraction p <= 0.5: %.3f", f50);
%! assert (D < 0.14, "KS distance %.3f", D);
%! ## identical features over batches: 1/(P+1); same Seed, same p
%! S = cka_accumulator (2, 1, "Permutations", P, "Seed", 7);
%! T = S;
%! U = cka_accumulator (2, 1, "Permutations", P, "Seed", 8);
%! Xb = {};
%! for b = 1:3
%!   X = randn (12, 4);  Xb{b} = X;
%!   Z = X(:, 1) * randn (1, 2) + 2 * randn (12, 2);     # weakly related: a middling p
%!   S = cka_update (S, {X, Z}, {X});
%!   T = cka_update (T, {X, Z}, {X});
%!   U = cka_update (U, {X, Z}, {X});
%! endfor
%! E = cka_matrix (S, "stats");
%! assert (size (E.p_value), [2 1]);
%! assert (E.p_value(1), 1 / (P+1), 0);
%! assert (E.p_value(2) > 1 / (P+1) && E.p_value(2) < 1);
%! assert (cka_matrix (T, "stats").p_value, E.p_value, 0);
%! assert (cka_matrix (U, "stats").p_value(2) != E.p_value(2));
%! ## one batch: the same permutations as cka () with the same Seed
%! X = randn (16, 4);  Y = X(:, 1) * randn (1, 3) + 2 * randn (16, 3);
%! [~, p1] = cka (X, Y, "Permutations", 99, "Seed", 12);
%! S = cka_update (cka_accumulator (1, 1, "Permutations", 99, "Seed", 12), {X}, {Y});
%! assert (cka_matrix (S, "stats").p_value, p1, 0);
%! ## over batches the permuted sums stay centred on 0 (within-batch
%! ## shuffles of the minibatch estimator), far below strongly related data
%! S = cka_accumulator (1, 1, "Permutations", 2000, "Seed", 3);
%! for b = 1:3
%!   S = cka_update (S, {Xb{b}}, {Xb{b} * randn(4, 3) + randn(12, 3)});
%! endfor
%! h = S.perm_hsic_xy(:);
%! assert (abs (mean (h)) < 4 * std (h) / sqrt (2000));
%! assert (cka_matrix (S, "stats").p_value, 1 / 2001, 0);

## ---- 7. errors --------------------------------------------------------------

%!shared Xe, Ye
%! randn ("state", 51);
%! Xe = randn (12, 4);  Ye = randn (12, 3);

%!error id=cka:input:badOption cka (Xe, Ye, "Estimator", "full", "Kernel", "rbf")
%!error id=cka:input:badOption cka_accumulator (1, 1, "Estimator", "full", "Kernel", "rbf")
%!error id=cka:input:badOption cka (Xe, Ye, "Measure", "foo")
%!error id=cka:input:badOption cka_accumulator (1, 1, "Measure", {"svcca", "foo"})
%!error id=cka:input:badOption cka_accumulator (1, 1, "Estimator", "full", "Bootstrap", 100)
%!error id=cka:input:badOption cka_accumulator (1, 1, "Estimator", "full", "Permutations", 9)
%!error id=cka:input:badOption cka (Xe, Ye, "Bootstrap", 100)
%!error id=cka:input:badOption cka (Xe, Ye, "Estimator", "exact")
%!error id=cka:input:badOption cka (Xe, Ye, "SVCCAVariance", 0, "Measure", "svcca")
%!error id=cka:input:badOption cka_matrix (cka_update (cka_accumulator (1, 1, "Measure", "pwcca"), {Xe}, {Ye}), "svcca")
%!error id=cka:input:badOption cka_matrix (cka_update (cka_accumulator (1, 1), {Xe}, {Ye}), "rsa")
%!error id=cka:input:tooFewBatches cka_matrix (cka_update (cka_accumulator (1, 1, "Bootstrap", 50), {Xe}, {Ye}), "stats")
%!error id=cka:input:featureMismatch
%! S = cka_accumulator (1, 1, "Estimator", "full");
%! S = cka_update (S, {Xe}, {Ye});
%! cka_update (S, {[Xe, Xe(:,1)]}, {Ye});
%!error id=cka:input:featureMismatch
%! S = cka_accumulator (1, 1, "Estimator", "full");
%! S = cka_update (S, {Xe}, {Ye});
%! cka_update (S, {Xe}, {Ye(:, 1:2)});
%!error id=cka:input:featureMismatch
%! S = cka_accumulator (1, 1, "Measure", "procrustes");
%! S = cka_update (S, {Xe}, {Ye});
%! cka_update (S, {Xe(:, 1:3)}, {Ye});
