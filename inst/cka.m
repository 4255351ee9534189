## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{c} =} cka (@var{X}, @var{Y})
## @deftypefnx {cka} {@var{c} =} cka (@var{X})
## @deftypefnx {cka} {@var{c} =} cka (@dots{}, @var{Name}, @var{Value}, @dots{})
## @deftypefnx {cka} {[@var{c}, @var{p}] =} cka (@dots{}, "Permutations", @var{P})
## Centered Kernel Alignment (CKA) between two representations of the same samples.
##
## @var{X} is @math{n}-by-@math{d_1} and @var{Y} @math{n}-by-@math{d_2}
## (real, single or double): row @var{i} of each holds the features of
## sample @var{i}.  Arrays with more dimensions are flattened per sample
## (the first dimension is the sample); pytorch-cka flattens in row-major
## order, which gives the same Gram matrix, since a kernel of two samples
## does not depend on the order of their features.  Features are converted
## to double first (unless @qcode{"Dtype"} is @qcode{"single"}).
##
## @example
## c = hsic (K, L) / (sqrt (max (hsic (K, K) * hsic (L, L), 0)) + epsilon)
## @end example
## with @var{K}, @var{L} the Gram matrices of @var{X} and @var{Y}: exactly
## pytorch-cka's @code{cka (x, y, config)}.  Because of @var{epsilon},
## @code{cka (X, X)} is @code{h / (h + epsilon)}, slightly below 1.
##
## Degenerate inputs, as in pytorch-cka: a constant (zero-variance)
## @var{X} or @var{Y} gives 0 (up to rounding, about 1e-9), not NaN, thanks
## to @var{epsilon}; a negative product of unbiased HSIC estimates is
## clamped to 0 before the square root (the product itself is never
## formed, so it cannot overflow).  Very large activations are safe: single
## inputs are multiplied in double (with @qcode{"Dtype"} @qcode{"single"} a
## Gram matrix that overflows single precision is recomputed in double),
## and double features above 1e100 are scaled by a power of two first (CKA
## does not depend on the scale; with a fixed RBF @qcode{"Sigma"} it does,
## and a Gram matrix that overflows is the error
## @code{cka:input:overflow}).  NaN or Inf features are the error
## @code{cka:input:nonFinite}.
##
## With one argument, @code{cka (@var{X})} is pytorch-cka's shortcut for a
## call with the @emph{same} tensor on both sides (@code{cka (x, x)}): one
## HSIC value @var{h} serves as HSIC(K,L), HSIC(K,K) and HSIC(L,L).
## @code{cka (@var{X}, @var{X})} computes the three values; they agree to the
## last bits.
##
## Options (or @code{"Config", cka_config (@dots{})}):
## @qcode{"Kernel"} (@qcode{"linear"} | @qcode{"rbf"}), @qcode{"Sigma"}
## (@code{[]} = median heuristic), @qcode{"Unbiased"} (default @code{true},
## needs @math{n > 3}), @qcode{"Epsilon"} (@code{1e-6}), @qcode{"Dtype"}
## (@qcode{"double"} | @qcode{"single"}); see @code{cka_config}.
##
## @qcode{"Estimator"}: @qcode{"minibatch"} (default) or @qcode{"full"}.
## Over one batch the two are the same number; @qcode{"full"} computes it
## from feature-space sums (X'Y, X'1, row norms: @math{d_1 d_2} memory
## instead of @math{n^2}), linear kernel only, and is the estimator that
## @code{cka_compare} and the accumulators stream over all the samples of
## all batches.
##
## @qcode{"Measure"} selects another similarity (or dissimilarity) measure
## of the same two representations; each is computed with LAPACK (SVD and
## symmetric eigensolvers) from centred features:
## @table @asis
## @item @qcode{"cka"} (default)
## Centered Kernel Alignment (Kornblith et al. 2019), as above.
## @item @qcode{"procrustes"}
## The orthogonal Procrustes distance of Ding et al. (2021):
## @math{2 - 2 ||X'Y||_*} for centred @var{X}, @var{Y} scaled to unit
## Frobenius norm (@math{||.||_*} the nuclear norm, the sum of singular
## values): 0 when @var{Y} is a rotation of @var{X}, at most 2.  A
## @emph{distance}: lower is more similar.  NaN for a constant layer.
## @item @qcode{"svcca"}
## SVCCA (Raghu et al. 2017): each side is reduced to the top principal
## directions that hold @qcode{"SVCCAVariance"} (default 0.99) of its
## variance, then the mean of the canonical correlations (CCA) of the
## two reduced representations.  1 when @var{Y} = @var{X} @var{A} for an
## invertible @var{A} (when the reduction keeps the same subspace).
## @item @qcode{"pwcca"}
## Projection-weighted CCA (Morcos et al. 2018): the canonical correlations
## rho_i of @var{X} and @var{Y} (every direction of non-zero
## variance), averaged with weights alpha_i = sum over j of |<h_i, x_j>|,
## how much of the neurons @math{x_j} of @var{X} the canonical variate
## @math{h_i} of @var{X} accounts for.  Not symmetric: the weights come
## from @var{X}.
## @item @qcode{"rsa"}
## Representational similarity analysis (Kriegeskorte et al. 2008): the
## Pearson correlation between the two representational dissimilarity
## matrices, @math{1 - corr(x_a, x_b)} over all pairs of samples
## @math{a < b}.
## @end table
## CCA-based measures need more samples than kept directions: with
## @math{n} at most the kept directions of both sides they approach 1 for any
## data (warning @code{cka:measure:fewSamples}).
##
## @qcode{"Permutations"}, @var{P} (default 0) also returns @var{p}, the
## p-value of a permutation test of "@var{X} and @var{Y} are no more similar
## than unrelated samples": CKA is recomputed with the rows of @var{Y}
## shuffled @var{P} times (seeded by @qcode{"Seed"}, default 0), and
## p = (1 + the number of permuted values >= the observed one) / (1 + P).  The null
## assumes the samples are exchangeable (independent draws); see
## @code{cka_compare} for the batched test.
##
## @example
## @group
## X = randn (50, 10);
## Q = orth (randn (10));
## cka (X, 3 * X * Q)       # invariant to rotations and scaling: ~1
## cka (X, randn (50, 8))   # unrelated: ~0
## cka (X, X * Q, "Measure", "procrustes")   # a rotation: distance ~0
## [c, p] = cka (X, X * randn (10) + randn (50, 10), "Permutations", 999)
## @end group
## @end example
## @seealso{cka_config, hsic, cka_compare, cka_accumulator}
## @end deftypefn

function [c, p] = cka (X, varargin)
  if (nargin < 1)
    print_usage ();
  endif
  same = (nargin == 1 || ischar (varargin{1}));
  if (same)
    Y = X;
    args = varargin;
  else
    Y = varargin{1};
    args = varargin(2:end);
  endif
  [opts, given] = parse_options ("cka", cka_option_defaults (cka_stats_options ("defaults")),
                                 args);
  [cfg, iopts] = cka_resolve_config ("cka", opts, given);
  stats = cka_stats_options ("cka", opts, cfg);
  if (numel (stats.measures) > 2 || (iscellstr (opts.Measure) && numel (opts.Measure) > 1))
    error ("cka:input:badOption",
           "cka: Measure must be one name here (an accumulator takes several)");
  endif
  if (stats.bootstrap > 0)
    error ("cka:input:badOption",
           "cka: Bootstrap resamples batches; use cka_accumulator or cka_compare with several batches");
  endif
  if (nargout > 1 && stats.permutations == 0)
    error ("cka:input:badOption", "cka: the p-value output needs \"Permutations\", P");
  endif
  check_features (X, "X");
  check_features (Y, "Y");
  if (size (X, 1) != size (Y, 1))
    error ("cka:input:sampleMismatch",
           "cka: X and Y must have the same number of samples (rows): X has %d, Y has %d",
           size (X, 1), size (Y, 1));
  endif
  n = size (X, 1);
  nmin = 2 + 2 * cfg.unbiased;
  if (n < nmin)
    error ("cka:input:tooFewSamples",
           "cka: the %s estimator needs n > %d samples, got n = %d",
           cka_ifelse (cfg.unbiased, "unbiased", "biased"), nmin - 1, n);
  endif
  if (! (strcmp (cfg.kernel, "rbf") && ! isempty (cfg.sigma)))
    ## CKA does not change when X (or Y) is scaled (linear kernel, RBF with
    ## the median bandwidth): features so large that their double Gram
    ## matrix would overflow are scaled by a power of two (exact)
    X = pow2_rescale (X);
    if (! same)
      Y = pow2_rescale (Y);
    endif
  endif
  measure = stats.measures{end};
  if (! strcmp (measure, "cka") || strcmp (stats.estimator, "full"))
    ## the measures of the accumulator, over one batch
    S = cka_accumulator (1, 1, "Config", cfg, "Measure", measure, "Estimator",
                         stats.estimator, "SVCCAVariance", stats.svcca_variance,
                         "Permutations", stats.permutations, "Seed", stats.seed);
    S = cka_update (S, {X}, {Y});
    c = cka_matrix (S, measure);
    if (nargout > 1)
      p = cka_matrix (S, "stats").p_value;
    endif
    return;
  endif
  perm = cka_stats_options ("perm", stats);
  if (same)
    [hxy, hxx, ~, ~, hperm] = __cka_update__ ({X}, [], iopts, {"X"}, {}, perm, 1);
    hxx = hxy;  hyy = hxy;
  else
    [hxy, hxx, hyy, ~, hperm] = __cka_update__ ({X}, {Y}, iopts, {"X"}, {"Y"}, perm, 1);
  endif
  if (stats.permutations > 0)
    p = cka_stats_fields ("p_value", hperm, hxy);
  endif
  ## sqrt (max (hxx * hyy, 0)) without forming the product (it overflows
  ## for very large activations); a negative product is clamped to 0
  if (sign (hxx) * sign (hyy) > 0)
    den = sqrt (abs (hxx)) * sqrt (abs (hyy));
  else
    den = 0;
  endif
  c = hxy / (den + cfg.epsilon);
endfunction

function A = pow2_rescale (A)
  m = max (abs (A(:)));
  if (isa (A, "double") && m > 1e100 && isfinite (m))
    A = A * pow2 (-ceil (log2 (m)));
  endif
endfunction

function check_features (A, name)
  if (! (isnumeric (A) && isreal (A)) || issparse (A) || ! isfloat (A))
    error ("cka:input:type", "cka: %s must be a real single or double array (got %s)",
           name, class (A));
  endif
endfunction

%!test
%! ## degenerate numerics (as pytorch-cka): a constant (zero-variance) layer
%! ## gives CKA 0, not NaN, with both estimators and kernels
%! X = randn (10, 4);  C = ones (10, 4);
%! assert (abs (cka (X, C)) < 1e-6);
%! assert (abs (cka (C, C)) < 1e-6);
%! assert (cka (X, C, "Unbiased", false), 0);
%! assert (abs (cka (X, C, "Kernel", "rbf")) < 1e-6);
%! assert (! isnan (cka (zeros (6, 3), zeros (6, 3))));

%!test
%! ## very large activations: no overflow of the Gram matrix or of the
%! ## HSIC product (single activations near realmax ("single") in double;
%! ## "Dtype" single falls back to double products; huge doubles rescaled)
%! randn ("state", 3);
%! X = randn (12, 5);  Y = X * randn (5, 4) + 0.1 * randn (12, 4);
%! ref = cka (X, Y);
%! assert (cka (single (1e37) * single (X), single (1e37) * single (Y)), ref, 1e-5);
%! assert (cka (single (1e30) * single (X), Y, "Dtype", "single"), ref, 1e-5);
%! assert (cka (1e200 * X, 1e150 * Y), ref, 1e-4);   # = features scaled to max |x| <= 1
%! assert (cka (1e200 * X, Y, "Kernel", "rbf"), cka (X, Y, "Kernel", "rbf"), 1e-4);
%! S = cka_update (cka_accumulator (1, 1), {single(1e37) * single(X)}, {single(1e37) * single(Y)});
%! assert (cka_matrix (S), ref, 1e-5);
%!error id=cka:input:overflow cka (1e200 * randn (8, 3), randn (8, 3), "Kernel", "rbf", "Sigma", 1)

%!test
%! ## a negative unbiased HSIC product is clamped before the square root:
%! ## the result is real and finite
%! S = cka_accumulator (2, 2);
%! S.hsic_xy = [0.1 0.2; 0.3 0.4];  S.hsic_xx = [-1e-3; 2];  S.hsic_yy = [3; 4];
%! S.n_batches = 1;  S.n_samples = 8;  S.batch_sizes = 8;
%! M = cka_matrix (S);
%! assert (isreal (M) && all (isfinite (M(:))));
%! assert (M(1,:), [0.1 0.2] / S.config.epsilon, -1e-12);

%!shared X, Y
%! randn ("state", 1);
%! X = randn (30, 8);  Y = X(:, 1:5) * randn (5, 6) + 0.3 * randn (30, 6);

%!test
%! ## the definition, in plain Octave
%! K = X*X';  L = Y*Y';
%! ref = hsic (K, L) / (sqrt (hsic (K, K) * hsic (L, L)) + 1e-6);
%! assert (cka (X, Y), ref, -1e-12);
%! n = 30;  H = eye (n) - 1/n;
%! hb = @(A, B) sum (sum ((H*A*H) .* (H*B*H))) / (n-1)^2;
%! ref = hb (K, L) / (sqrt (hb (K, K) * hb (L, L)) + 1e-6);
%! assert (cka (X, Y, "Unbiased", false), ref, -1e-12);
%!test
%! ## CKA (X, X) = h / (h + eps): 1 up to epsilon
%! h = hsic (X*X', X*X');
%! assert (cka (X, X), h / (h + 1e-6), -1e-13);
%! assert (cka (X), cka (X, X), -1e-14);
%! assert (cka (X, X, "Epsilon", 0), 1, 1e-13);
%! assert (cka (X, X, "Kernel", "rbf", "Epsilon", 0), 1, 1e-13);
%!test
%! ## invariance to orthogonal transforms and isotropic scaling; symmetry
%! Q = orth (randn (8));
%! for kern = {"linear", "rbf"}
%!   for unb = [true false]
%!     o = {"Kernel", kern{1}, "Unbiased", unb, "Epsilon", 0};
%!     c0 = cka (X, Y, o{:});
%!     assert (cka (X*Q, Y, o{:}), c0, 1e-10);
%!     assert (cka (X, Y, o{:}), cka (Y, X, o{:}), 1e-13);
%!   endfor
%!   o = {"Kernel", "linear", "Epsilon", 0};
%!   assert (cka (7.5 * X, Y, o{:}), cka (X, Y, o{:}), 1e-12);
%! endfor
%!test
%! ## the median heuristic is scale-invariant too
%! o = {"Kernel", "rbf", "Epsilon", 0};
%! assert (cka (4 * X, Y, o{:}), cka (X, Y, o{:}), 1e-10);
%!test
%! ## higher-rank input is flattened per sample (feature order does not matter)
%! A = randn (30, 4, 3);
%! ref = cka (reshape (permute (A, [1 3 2]), 30, []), Y);
%! assert (cka (A, Y), ref, -1e-13);
%!test
%! ## single input is converted to double; Dtype single multiplies in single
%! assert (cka (single (X), Y), cka (double (single (X)), Y), -1e-14);
%! assert (cka (X, Y, "Dtype", "single"), cka (X, Y), 1e-5);
%!test
%! cfg = cka_config ("Kernel", "rbf", "Sigma", 3, "Unbiased", false);
%! assert (cka (X, Y, "Config", cfg), ...
%!         cka (X, Y, "Kernel", "rbf", "Sigma", 3, "Unbiased", false), 0);

%!error <Invalid call> cka ()
%!error id=cka:input:sampleMismatch cka (ones (5, 2), ones (6, 2))
%!error id=cka:input:tooFewSamples cka (randn (3, 2), randn (3, 2))
%!error id=cka:input:tooFewSamples cka (randn (1, 2), randn (1, 2), "Unbiased", false)
%!error id=cka:input:nonFinite cka ([NaN; 1; 2; 3; 4], randn (5, 1))
%!error id=cka:input:nonFinite cka (randn (5, 1), [Inf; 1; 2; 3; 4])
%!error id=cka:input:type cka ({1}, 1)
%!error id=cka:input:type cka (int8 (ones (5)), ones (5))
%!error id=cka:input:unknownOption cka (ones (5), ones (5), "Kernal", "rbf")
