## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {cka} {@var{S} =} cka_merge (@var{S1}, @var{S2}, @dots{})
## Combine accumulators (or @code{cka_compare} results) computed on
## different data: the HSIC sums, sample and batch counts are added.
##
## Shards of a data set processed in different Octave sessions or on
## different machines give, merged, the same matrix as one run over all
## batches (up to the order of floating-point additions).  All inputs must
## have the same layers, model names and CKA configuration
## (@code{cka:input:mergeMismatch} otherwise).  When the inputs are
## @code{cka_compare} results, the merged result has its matrix
## (@code{cka}) recomputed and its elapsed times added.
## @seealso{cka_accumulator, cka_update, cka_compare, cka_save}
## @end deftypefn

function S = cka_merge (varargin)
  if (nargin < 1)
    print_usage ();
  endif
  args = varargin;
  for k = 1:nargin
    args{k} = cka_check_state (args{k}, "cka_merge", "struct", sprintf ("argument %d", k));
  endfor
  S = args{1};
  for k = 2:nargin
    A = args{k};
    if (! isequal (A.layers1(:), S.layers1(:)) || ! isequal (A.layers2(:), S.layers2(:)))
      error ("cka:input:mergeMismatch",
             "cka_merge: argument %d has different layers than argument 1", k);
    endif
    if (isfield (A, "model1_name") && isfield (S, "model1_name")
        && ! (strcmp (A.model1_name, S.model1_name) && strcmp (A.model2_name, S.model2_name)))
      error ("cka:input:mergeMismatch",
             "cka_merge: argument %d compares %s with %s, argument 1 %s with %s", k,
             A.model1_name, A.model2_name, S.model1_name, S.model2_name);
    endif
    if (! same_config (A.config, S.config))
      error ("cka:input:mergeMismatch",
             "cka_merge: argument %d has a different CKA configuration than argument 1", k);
    endif
    S.hsic_xy += A.hsic_xy;
    S.hsic_xx += A.hsic_xx;
    S.hsic_yy += A.hsic_yy;
    S.n_samples += A.n_samples;
    S.n_batches += A.n_batches;
    if (isfield (S, "batch_sizes") && isfield (A, "batch_sizes"))
      S.batch_sizes = [S.batch_sizes; A.batch_sizes];
    endif
    if (isfield (S, "timing") && isfield (A, "timing"))
      for f = fieldnames (S.timing)'
        if (isfield (A.timing, f{1}) && isnumeric (S.timing.(f{1}))
            && isnumeric (A.timing.(f{1})))
          S.timing.(f{1}) += A.timing.(f{1});
        endif
      endfor
    endif
  endfor
  if (nargin > 1 && isfield (S, "checkpoint"))
    ## a checkpoint's header describes its own batches only
    S = rmfield (S, "checkpoint");
    S.kind = "cka_accumulator";
  endif
  if (isfield (S, "cka"))
    S.cka = cka_matrix (S);
  endif
endfunction

function tf = same_config (a, b)
  tf = (strcmp (a.kernel, b.kernel) && isequal (a.sigma, b.sigma)
        && logical (a.unbiased) == logical (b.unbiased) && a.epsilon == b.epsilon
        && strcmp (a.dtype, b.dtype));
endfunction

%!test
%! ## two halves merged = one run
%! randn ("state", 5);
%! X = randn (32, 5);  Y = [X, randn(32, 2)] * randn (7, 4);
%! feats = @(r) {X(r,:), X(r,:).^2};
%! one = cka_accumulator (2, 1);
%! for b = 0:3
%!   r = b*8 + (1:8);
%!   one = cka_update (one, feats (r), {Y(r,:)});
%! endfor
%! h1 = cka_accumulator (2, 1);  h2 = h1;
%! for b = 0:1
%!   r = b*8 + (1:8);  h1 = cka_update (h1, feats (r), {Y(r,:)});
%!   r = (b+2)*8 + (1:8);  h2 = cka_update (h2, feats (r), {Y(r,:)});
%! endfor
%! M = cka_merge (h1, h2);
%! assert (cka_matrix (M), cka_matrix (one), 1e-13);
%! assert (M.n_samples, 32);
%! assert (M.n_batches, 4);
%! assert (cka_merge (one), one);
%!error <Invalid call> cka_merge ()
%!error id=cka:input:notAccumulator cka_merge (cka_accumulator (1), 3)
%!error id=cka:input:mergeMismatch cka_merge (cka_accumulator (1), cka_accumulator (2))
%!error id=cka:input:mergeMismatch cka_merge (cka_accumulator (1), cka_accumulator (1, "Kernel", "rbf"))
%!error id=cka:input:mergeMismatch cka_merge (cka_accumulator (1), cka_accumulator (1, "Model1Name", "gpt2"))
%!shared S
%! S = cka_update (cka_accumulator (2, 1), {randn(6, 2), randn(6, 3)}, {randn(6, 2)});
%!error <argument 2: field hsic_xy holds NaN> cka_merge (S, setfield (S, "hsic_xy", [NaN; 1]))
%!error id=cka:input:notAccumulator cka_merge (S, setfield (S, "hsic_xx", [Inf; 1]))
%!error <field hsic_yy must be a real double> cka_merge (S, setfield (S, "hsic_yy", "a"))
%!error <field hsic_xy must be 2x1> cka_merge (S, setfield (S, "hsic_xy", [1 2]))
%!error <n_samples is 7 but batch_sizes add up to 6> cka_merge (S, setfield (S, "n_samples", 7))
%!error <field n_batches must be a non-negative integer> cka_merge (S, setfield (S, "n_batches", -1))
%!error <config.kernel> cka_merge (S, setfield (S, "config", setfield (S.config, "kernel", "poly")))
%!error <field layers1> cka_merge (S, setfield (S, "layers1", {1, 2}))
