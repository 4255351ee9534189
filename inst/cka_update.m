## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{S} =} cka_update (@var{S}, @var{feats1}, @var{feats2})
## @deftypefnx {cka} {@var{S} =} cka_update (@var{S}, @var{feats1})
## @deftypefnx {cka} {[@var{S}, @var{batch}] =} cka_update (@dots{})
## Add one mini-batch of features to the streaming-CKA accumulator @var{S}
## (from @code{cka_accumulator}).
##
## @var{feats1} is a cell with one array per layer of @code{S.layers1}, in
## that order, @var{feats2} one per layer of @code{S.layers2}.  Each array
## holds the features of the same @math{n} samples, sample first:
## @math{n}-by-@math{d}, or of any rank (e.g. an activation
## @code{[batch, seq, hidden]}), single or double.  Features may come from
## anywhere (@code{tfm_forward}, another program, a file).  With
## @var{feats2} omitted, the two sides are the same features (allowed when
## @code{S.layers1} and @code{S.layers2} are the same list): one Gram matrix
## per layer serves both.
##
## Each array becomes an @math{n}-by-@math{n} Gram matrix; then the HSIC of
## every pair is added to @code{S.hsic_xy}, @code{S.hsic_xx},
## @code{S.hsic_yy} (pytorch-cka's minibatch accumulation).  The unbiased
## estimator needs @math{n > 3}, the biased one @math{n > 1}.
## The accumulator's other sums (@code{cka_accumulator} options
## @qcode{"Estimator"}, @qcode{"Measure"}, @qcode{"Bootstrap"},
## @qcode{"Permutations"}) are updated from the same batch; the
## permutations of batch @var{k} (the @var{k}-th update) are drawn from the
## accumulator's @qcode{"Seed"} and @var{k}.
## @var{S} may also be a @code{cka_compare} result (its @code{cka} matrix is
## updated).  @var{batch} returns this batch's values (fields @code{hsic_xy},
## @code{hsic_xx}, @code{hsic_yy}, @code{n}).
##
## @seealso{cka_accumulator, cka_matrix, cka_merge}
## @end deftypefn

function [S, batch] = cka_update (S, feats1, feats2)
  if (nargin < 2)
    print_usage ();
  endif
  S = cka_check_state (S, "cka_update", "struct");
  feats1 = as_cell (feats1, numel (S.layers1), "feats1", "layers1");
  if (nargin < 3 || (isempty (feats2) && ! iscell (feats2)))
    if (! isequal (S.layers1, S.layers2))
      error ("cka:input:missingFeatures",
             "cka_update: feats2 is needed: the two sides have different layers");
    endif
    feats2 = [];
  else
    feats2 = as_cell (feats2, numel (S.layers2), "feats2", "layers2");
  endif
  [~, iopts] = cka_resolve_config ("cka_update", struct ("Config", S.config),
                                   struct ("Config", true, "Kernel", false,
                                           "Sigma", false, "Unbiased", false,
                                           "Epsilon", false, "Dtype", false));
  perm = [];
  if (isfield (S, "stats"))
    perm = cka_stats_options ("perm", S.stats);
  endif
  k = S.n_batches + 1;                 # the stream of this batch's permutations
  if (isempty (feats2))
    [hxy, hxx, hyy, n, hperm] = __cka_update__ (feats1, [], iopts, S.layers1, {}, perm, k);
  else
    [hxy, hxx, hyy, n, hperm] = __cka_update__ (feats1, feats2, iopts, S.layers1, S.layers2,
                                                perm, k);
  endif
  if (isfield (S, "stats"))
    S = cka_stats_fields ("add", S, struct ("hxy", hxy, "hxx", hxx, "hyy", hyy,
                                            "hperm", hperm),
                          feats1, feats2, "cka_update");
  endif
  S = cka_acc_add (S, hxy, hxx, hyy, n);
  if (isfield (S, "cka"))
    S.cka = cka_matrix (S);  # a cka_compare result stays consistent
    ## ... and loses what it cannot update: a result keeps its intervals,
    ## p-values and measures, not the sums they come from
    stale = cka_stats_fields ("derived", S);
    if (! isempty (stale) && ! isfield (S, "stats"))
      S = rmfield (S, stale);
      warning ("cka:update:statsDropped",
               ["cka_update: the result's %s cannot be updated with a new batch (it keeps " ...
                "no per-batch values or feature-space sums) and are removed; use " ...
                "cka_accumulator with the same options to keep them"], strjoin (stale', ", "));
    endif
  endif
  if (nargout > 1)
    batch = struct ("hsic_xy", hxy, "hsic_xx", hxx, "hsic_yy", hyy, "n", n);
  endif
endfunction

function F = as_cell (F, L, what, lname)
  if (isnumeric (F) && L == 1)
    F = {F};
  endif
  if (! iscell (F))
    error ("cka:input:type", "cka_update: %s must be a cell of per-layer feature arrays", what);
  endif
  if (numel (F) != L)
    error ("cka:input:layerCount",
           "cka_update: %s has %d arrays but the accumulator has %d %s",
           what, numel (F), L, lname);
  endif
endfunction

%!shared X, Y, Z
%! randn ("state", 3);
%! X = randn (40, 6);  Y = X * randn (6, 4) + 0.5 * randn (40, 4);  Z = randn (40, 2, 3);

%!test
%! ## one batch = the matrix-level function
%! S = cka_update (cka_accumulator (2, 2), {X, Y}, {Y, Z});
%! M = cka_matrix (S);
%! assert (M(1,1), cka (X, Y), -1e-12);
%! assert (M(2,2), cka (Y, Z), -1e-12);
%! assert (S.n_samples, 40);
%! assert (S.n_batches, 1);
%!test
%! ## sums over batches
%! S = cka_accumulator (1, 1, "Kernel", "rbf");
%! [S, b1] = cka_update (S, {X(1:20,:)}, {Y(1:20,:)});
%! [S, b2] = cka_update (S, {X(21:40,:)}, {Y(21:40,:)});
%! assert (S.hsic_xy, b1.hsic_xy + b2.hsic_xy);
%! K = X(1:20,:)*X(1:20,:)';
%! assert (S.batch_sizes, [20; 20]);
%!test
%! ## same features on both sides
%! S1 = cka_update (cka_accumulator (2), {X, Y});
%! S2 = cka_update (cka_accumulator (2), {X, Y}, {X, Y});
%! assert (S1.hsic_xy, S2.hsic_xy, -1e-14);
%! assert (S1.hsic_yy, S2.hsic_yy, -1e-14);
%! assert (diag (cka_matrix (S1)), ones (2, 1), 1e-6);
%!test
%! ## a numeric array is accepted for a one-layer side
%! S = cka_update (cka_accumulator (1, 1), X, Y);
%! assert (cka_matrix (S), cka (X, Y), -1e-12);

%!error <Invalid call> cka_update (cka_accumulator (1))
%!error id=cka:input:notAccumulator cka_update (struct (), {1})
%!error id=cka:input:layerCount cka_update (cka_accumulator (2, 1), {X}, {Y})
%!error id=cka:input:missingFeatures cka_update (cka_accumulator (2, 1), {X, X})
%!error id=cka:input:sampleMismatch cka_update (cka_accumulator (1, 1), {X}, {Y(1:30,:)})
%!error id=cka:input:sampleMismatch cka_update (cka_accumulator (2, 1), {X, Y(1:30,:)}, {Y})
%!error id=cka:input:tooFewSamples cka_update (cka_accumulator (1, 1), {X(1:3,:)}, {Y(1:3,:)})
%!error id=cka:input:nonFinite cka_update (cka_accumulator (1, 1), {[X(1:end-1,:); NaN(1,6)]}, {Y})
%!error <layer 'b'> cka_update (cka_accumulator ({"a", "b"}, 1), {X, [Y(1:end-1,:); Inf(1,4)]}, {Y})
%!error id=cka:input:type cka_update (cka_accumulator (1, 1), {"abc"}, {Y})
%!error <S: field hsic_xy holds NaN> cka_update (setfield (cka_accumulator (1, 1), "hsic_xy", NaN), {X}, {Y})
%!error <S: field hsic_xx must be 1x1> cka_update (setfield (cka_accumulator (1, 1), "hsic_xx", [0 0]), {X}, {Y})
%!error <S: n_batches is 0 but batch_sizes lists 1> cka_update (setfield (cka_accumulator (1, 1), "batch_sizes", 4), {X}, {Y})
%!error <config.epsilon> cka_update (setfield (cka_accumulator (1, 1), "config", setfield (cka_config (), "epsilon", NaN)), {X}, {Y})
%!error id=cka:input:notAccumulator cka_update (setfield (cka_accumulator (1, 1), "layers1", 3), {X}, {Y})
