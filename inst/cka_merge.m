## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{S} =} cka_merge (@var{S1}, @var{S2}, @dots{})
## @deftypefnx {cka} {@var{R} =} cka_merge (@var{files})
## @deftypefnx {cka} {@var{R} =} cka_merge (@dots{}, "Incomplete", @var{tf})
## Combine CKA sums computed on different data: the shards of a split
## @code{cka_compare} run, or accumulators and results of different data.
##
## Each argument is a struct (an accumulator, a @code{cka_compare} result or
## a shard), a file name written by @code{cka_save}, or a cellstr of file
## names (e.g.@: @code{glob ("shards/*.mat")}).
##
## @strong{Shards.}  When the inputs are the partial results of
## @code{cka_compare (@dots{}, "Shard", [k N])} (@code{kind}
## @qcode{"cka_partial"}), @code{cka_merge} checks that they come from the
## same run (the same models, by a fingerprint of their config and weights;
## the same data, by a fingerprint of every batch; the same layers, CKA
## options, @qcode{"Pooling"}, @qcode{"BatchSize"}, @qcode{"IgnoreMask"},
## @qcode{"DropLast"} and number of shards) and that every shard 1 to
## @var{N} is given exactly once, and adds the HSIC values of their
## batches (each shard keeps them, @code{batch_hsic}) one batch after the
## other in the order of a single run.  The result is the
## @code{cka_compare} result of the whole run (@code{batch_sizes} in the
## order of a single run; @code{scale_out} records the number of shards),
## equal to a single-process run bit for bit (with the same threads: the
## forward's float32 sums depend on them).  A shard of another run,
## a shard given twice or a missing shard is @code{cka:input:mergeMismatch}
## with a message naming it, e.g.@: @qcode{"argument 3 (shard 2 of 4):
## model1 weights differ from argument 1's"} or @qcode{"shards 3, 4 of 4 are
## missing"}.  With @qcode{"Incomplete"}, @code{true} a subset of the shards
## merges into one partial result (for merging in stages).
##
## @strong{Other sums.}  Accumulators and results of disjoint data (e.g.@:
## from @code{cka_update}) are added as they are: HSIC sums, sample and batch
## counts.  They must have the same layers, model names and CKA
## configuration (@code{cka:input:mergeMismatch} otherwise); results get
## their matrix (@code{cka}) recomputed and their elapsed times added.
## Shards and other sums do not mix.  Accumulators with the options of
## @code{cka_accumulator} (@qcode{"Estimator"}, @qcode{"Measure"},
## @qcode{"Bootstrap"}, @qcode{"Permutations"}) merge when their options are
## the same: per-batch values follow each other (the bootstrap resamples the
## batches of all), permutation, feature-space and RSA sums add, so the
## merged accumulator gives the intervals, p-values and measures of all the
## data.  Results keep only the intervals, p-values and measures, not their
## sums: merging results drops them with the warning
## @code{cka:merge:statsDropped}.
##
## @example
## @group
## ## after running the N shards (e.g.@: a Slurm job array) into shards/
## R = cka_merge (glob ("shards/shard-*.mat"));
## plot_cka_heatmap (R);
## @end group
## @end example
## @seealso{cka_compare, cka_accumulator, cka_update, cka_save, cka_load}
## @end deftypefn

function S = cka_merge (varargin)
  if (nargin < 1)
    print_usage ();
  endif
  [args, labels, incomplete] = merge_inputs (varargin);
  partial = cellfun (@(a) isfield (a, "kind") && strcmp (a.kind, "cka_partial"), args);
  if (any (partial))
    if (! all (partial))
      error ("cka:input:mergeMismatch",
             "cka_merge: %s is a shard (cka_compare \"Shard\") but %s is not; shards merge only with shards of the same run",
             labels{find (partial, 1)}, labels{find (! partial, 1)});
    endif
    S = merge_shards (args, labels, incomplete);
    return;
  endif
  if (incomplete)
    error ("cka:input:badOption", "cka_merge: \"Incomplete\" applies to shards only");
  endif
  S = args{1};
  for k = 2:numel (args)
    A = args{k};
    same_layers (A, S, labels{k});
    if (isfield (A, "model1_name") && isfield (S, "model1_name")
        && ! (strcmp (A.model1_name, S.model1_name) && strcmp (A.model2_name, S.model2_name)))
      error ("cka:input:mergeMismatch",
             "cka_merge: %s compares %s with %s, argument 1 %s with %s", labels{k},
             A.model1_name, A.model2_name, S.model1_name, S.model2_name);
    endif
    same_config (A, S, labels{k});
    ## (an accumulator of an earlier version has no stats: the defaults,
    ## as cka_shard_mismatch compares shards)
    if (! isequal (cka_stats_fields ("options", A), cka_stats_fields ("options", S)))
      error ("cka:input:mergeMismatch",
             "cka_merge: %s has other Estimator, Measure, Bootstrap or Permutations options than the first argument",
             labels{k});
    endif
    S = add_stats (S, A, labels{k});
    S = add_sums (S, A);
    if (isfield (S, "timing") && isfield (A, "timing"))
      for f = fieldnames (S.timing)'
        if (isfield (A.timing, f{1}) && isnumeric (S.timing.(f{1}))
            && isnumeric (A.timing.(f{1})))
          S.timing.(f{1}) += A.timing.(f{1});
        endif
      endfor
    endif
  endfor
  if (numel (args) > 1 && isfield (S, "checkpoint"))
    ## a checkpoint's header describes its own batches only
    S = rmfield (S, "checkpoint");
    S.kind = "cka_accumulator";
  endif
  if (isfield (S, "cka"))
    S.cka = cka_matrix (S);
  endif
  derived = cka_stats_fields ("derived", S);
  if (numel (args) > 1 && ! isempty (derived))
    ## a result keeps its intervals, p-values and measures, not the sums
    ## they come from: they cannot be combined
    S = rmfield (S, derived);
    warning ("cka:merge:statsDropped",
             ["cka_merge: the results' %s cannot be combined (a result does not keep the " ...
              "per-batch values and feature-space sums they come from); the merged " ...
              "result has only the CKA matrix; merge accumulators (cka_accumulator) to " ...
              "keep them"], strjoin (derived', ", "));
  endif
endfunction

## The extra sums of two accumulators (or shards) with the same options:
## permutation, feature-space and RSA sums add; per-batch values follow
## each other (shards: merged with the sums, in single-run order).
function S = add_stats (S, A, label, per_batch = true)
  if (per_batch && isfield (S, "batch_hsic"))
    S.batch_hsic = [S.batch_hsic, A.batch_hsic];
  endif
  if (isfield (S, "perm_hsic_xy"))
    S.perm_hsic_xy += A.perm_hsic_xy;
  endif
  if (isfield (S, "fsums"))
    try
      S.fsums = cka_fsums ("merge", S.fsums, A.fsums);
    catch e
      error ("cka:input:mergeMismatch", "cka_merge: %s: %s", label, e.message);
    end_try_catch
  endif
  if (isfield (S, "rsa_sums"))
    S.rsa_sums = cka_rsa_sums ("merge", S.rsa_sums, A.rsa_sums);
  endif
endfunction

## The HSIC sums of per-batch columns [hxy(:); hxx; hyy], added one batch
## after the other from zero, as cka_compare adds them.
function [xy, xx, yy] = ordered_sums (terms, L1, L2)
  xy = zeros (L1, L2);  xx = zeros (L1, 1);  yy = zeros (L2, 1);
  for j = 1:columns (terms)
    xy += reshape (terms(1:L1*L2, j), L1, L2);
    xx += terms(L1*L2+(1:L1), j);
    yy += terms(L1*L2+L1+(1:L2), j);
  endfor
endfunction

## Structs, file names and cellstrs of file names, validated; a trailing
## "Incomplete", tf option.
function [args, labels, incomplete] = merge_inputs (in)
  incomplete = false;
  n = numel (in);
  if (n >= 2 && ischar (in{n-1}) && strcmpi (in{n-1}, "Incomplete"))
    v = in{n};
    if (! (isscalar (v) && (islogical (v) || isnumeric (v))))
      error ("cka:input:badOption", "cka_merge: Incomplete must be true or false");
    endif
    incomplete = logical (v);
    in = in(1:n-2);
  endif
  if (isempty (in))
    print_usage ();
  endif
  args = {};  labels = {};
  for k = 1:numel (in)
    a = in{k};
    if (ischar (a) && isrow (a))
      a = {a};
    endif
    if (iscellstr (a))
      if (isempty (a))
        error ("cka:input:emptyData", "cka_merge: argument %d lists no file", k);
      endif
      for f = a(:)'
        args{end+1} = cka_load (f{1});
        labels{end+1} = sprintf ("'%s'", f{1});
      endfor
    else
      labels{end+1} = sprintf ("argument %d", k);
      args{end+1} = cka_check_state (a, "cka_merge", "struct", labels{end});
    endif
  endfor
endfunction

function same_layers (A, S, label)
  if (! isequal (A.layers1(:), S.layers1(:)) || ! isequal (A.layers2(:), S.layers2(:)))
    error ("cka:input:mergeMismatch",
           "cka_merge: %s has different layers than the first argument", label);
  endif
endfunction

function same_config (A, S, label)
  a = A.config;  b = S.config;
  if (! (strcmp (a.kernel, b.kernel) && isequal (a.sigma, b.sigma)
         && logical (a.unbiased) == logical (b.unbiased) && a.epsilon == b.epsilon
         && strcmp (a.dtype, b.dtype)))
    error ("cka:input:mergeMismatch",
           "cka_merge: %s has a different CKA configuration than the first argument", label);
  endif
endfunction

function S = add_sums (S, A)
  S.hsic_xy += A.hsic_xy;
  S.hsic_xx += A.hsic_xx;
  S.hsic_yy += A.hsic_yy;
  S.n_samples += A.n_samples;
  S.n_batches += A.n_batches;
  if (isfield (S, "batch_sizes") && isfield (A, "batch_sizes"))
    S.batch_sizes = [S.batch_sizes; A.batch_sizes];
  endif
endfunction

## Shards of one run: same provenance, each shard once, summed in shard order.
function S = merge_shards (args, labels, incomplete)
  first = args{1};
  N = first.shard.count;
  where = @(k) sprintf ("%s (shard %s of %d)", labels{k},
                        strjoin (arrayfun (@num2str, args{k}.shard.index(:)', "uniformoutput",
                                           false), ","), args{k}.shard.count);
  owner = zeros (1, N);
  for k = 1:numel (args)
    A = args{k};
    if (A.shard.count != N)
      error ("cka:input:mergeMismatch",
             "cka_merge: %s belongs to a run of %d shards, %s to one of %d", where (k),
             A.shard.count, labels{1}, N);
    endif
    d = cka_shard_mismatch (A, first);
    if (! isempty (d))
      error ("cka:input:mergeMismatch", "cka_merge: %s: %s from %s's", where (k), d, labels{1});
    endif
    ## the merge adds the per-batch values: they must be what the sums hold
    [xy, xx, yy] = ordered_sums (A.batch_hsic, numel (A.layers1), numel (A.layers2));
    got = [xy(:); xx; yy];  want = [A.hsic_xy(:); A.hsic_xx; A.hsic_yy];
    if (any (abs (got - want) > 1e-12 * max (1, abs (want))))
      error ("cka:input:mergeMismatch",
             "cka_merge: %s: its per-batch HSIC values (batch_hsic) do not add up to its sums (an edited file?)",
             where (k));
    endif
    for i = A.shard.index(:)'
      if (owner(i))
        error ("cka:input:mergeMismatch", "cka_merge: shard %d of %d is given twice (%s and %s)",
               i, N, labels{owner(i)}, labels{k});
      endif
      owner(i) = k;
    endfor
  endfor
  missing = find (! owner);
  if (! isempty (missing) && ! incomplete)
    error ("cka:input:mergeMismatch", "cka_merge: shard%s %s of %d %s missing",
           cka_ifelse (numel (missing) > 1, "s", ""),
           strjoin (arrayfun (@num2str, missing, "uniformoutput", false), ", "), N,
           cka_ifelse (numel (missing) > 1, "are", "is"));
  endif

  ## every batch of every shard, in the order of a single run; the sums
  ## are added again batch by batch in that order from zero, exactly as one
  ## process adds them: the merged sums are the single run's, bit for bit
  order = unique (owner(owner > 0), "stable");
  S = args{order(1)};
  computed = S.shard.computed(:);
  terms = S.batch_hsic;
  elapsed = S.timing.elapsed;
  for k = order(2:end)
    A = args{k};
    S = add_sums (S, A);
    S = add_stats (S, A, labels{k}, false);
    S.n_dropped += A.n_dropped;
    S.timing.batches += A.timing.batches;
    elapsed(end+1) = A.timing.elapsed;
    computed = [computed; A.shard.computed(:)];
    terms = [terms, A.batch_hsic];
  endfor
  [computed, i] = sort (computed);
  S.batch_sizes = S.batch_sizes(i);
  S.batch_hsic = terms(:,i);
  [S.hsic_xy, S.hsic_xx, S.hsic_yy] = ordered_sums (S.batch_hsic, numel (S.layers1),
                                                    numel (S.layers2));
  S.shard.index = find (owner);
  S.shard.computed = computed;
  S.timing.elapsed = max (elapsed);      # shards run side by side
  if (incomplete)
    return;                              # a partial of several shards
  endif
  if (S.n_batches == 0)
    error ("cka:input:tooFewSamples",
           "cka_merge: every batch was dropped as too small for the estimator");
  endif
  if (isfield (S, "fsums"))
    S.fsums = cka_fsums ("flush", S.fsums);   # once, for every measure below
  endif
  R = struct ("kind", "cka_result", "cka", cka_matrix (S),
              "layers1", {S.layers1}, "layers2", {S.layers2},
              "requested_layers1", {S.layers1}, "requested_layers2", {S.layers2},
              "model1_name", S.model1_name, "model2_name", S.model2_name,
              "same_model", S.same_model, "config", S.config, "pooling", S.pooling,
              "hsic_xy", S.hsic_xy, "hsic_xx", S.hsic_xx, "hsic_yy", S.hsic_yy,
              "n_samples", S.n_samples, "n_batches", S.n_batches,
              "batch_sizes", S.batch_sizes, "n_dropped", S.n_dropped,
              "timing", S.timing, "provenance", S.provenance,
              "scale_out", struct ("mode", "shards", "shards", N, "where", ""));
  if (! cka_stats_options ("is_default", cka_stats_fields ("options", S), S.config))
    ## intervals from the per-batch values in single-run order: the same
    ## resamples as one process; p-values and measures from the added sums
    for [v, f] = cka_stats_fields ("result", S, "cka_merge")
      R.(f) = v;
    endfor
  endif
  S = R;
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
