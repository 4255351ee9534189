## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {@var{S} =} cka_stats_fields ("init", @var{S}, @var{stats})
## @deftypefnx {} {@var{S} =} cka_stats_fields ("add", @var{S}, @var{batch}, @var{feats1}, @var{feats2}, @var{what})
## @deftypefnx {} {@var{E} =} cka_stats_fields ("result", @var{S}, @var{fname})
## @deftypefnx {} {@var{stats} =} cka_stats_fields ("options", @var{S})
## @deftypefnx {} {@var{names} =} cka_stats_fields ("derived", @var{S})
## @deftypefnx {} {@var{p} =} cka_stats_fields ("p_value", @var{perm}, @var{hxy})
## @deftypefnx {} {@var{names} =} cka_stats_fields ("sums")
## The state and results beyond the minibatch CKA sums, in one place.
##
## "init" stores @var{stats} (from @code{cka_stats_options}) in the
## accumulator @var{S} with the sums it needs: @code{batch_hsic} (one column
## of HSIC values per batch) for the bootstrap, @code{perm_hsic_xy}
## (L1 x L2 x P) for the permutation test, @code{fsums} (cka_fsums) for
## the full estimator, Procrustes, SVCCA and PWCCA, @code{rsa_sums}
## (cka_rsa_sums) for RSA.  "add" adds one batch (@var{batch}: struct
## hxy, hxx, hyy, hperm; features as cells, @var{feats2} [] for the same).
## "result" returns the fields a result gets: @code{estimator},
## @code{ci_low}, @code{ci_high}, @code{ci_level}, @code{n_bootstrap},
## @code{p_value}, @code{n_permutations} and one L1-by-L2 matrix per extra
## measure (@code{procrustes}, @code{svcca}, @code{pwcca}, @code{rsa}).
## "options" returns @var{S}'s options, the defaults for a struct written
## before they existed; "derived" the names of @var{S}'s fields that
## "result" computes (a result keeps them, not the sums behind them);
## "p_value" the permutation p-values from permuted and observed HSIC sums;
## "sums" the names of the extra sums "init" may add.
## @end deftypefn

function out = cka_stats_fields (verb, S, varargin)
  switch (verb)
    case "init"
      out = init (S, varargin{:});
    case "add"
      out = add (S, varargin{:});
    case "result"
      out = result (S, varargin{:});
    case "p_value"
      out = p_value (S, varargin{:});
    case "sums"
      ## the extra sums "init" may add, which checkpoints, shards and
      ## merges carry along
      out = {"batch_hsic", "perm_hsic_xy", "fsums", "rsa_sums"};
    case "options"
      out = stats_of (S);
    case "derived"
      ## the result fields that come from sums a result does not keep
      out = intersect (fieldnames (S), {"ci_low", "ci_high", "ci_level", "n_bootstrap", ...
                                        "p_value", "n_permutations", "procrustes", "svcca", ...
                                        "pwcca", "rsa", "estimator"});
    otherwise
      error ("cka:internal:badVerb", "cka_stats_fields: unknown verb %s", verb);
  endswitch
endfunction

function st = stats_of (S)
  if (isfield (S, "stats"))
    st = S.stats;
  else
    st = cka_stats_options ("cka", cka_stats_options ("defaults"), S.config);
  endif
endfunction

## p = (1 + #{permuted >= observed}) / (1 + P) of every pair: perm holds
## the permuted HSIC sums (L1 x L2 x P), hxy the observed ones.  The CKA
## denominators of the permuted values are the observed ones, so the HSIC
## sums compare; the slack of 1e-12 counts a permutation that reproduces
## the observed pairing up to rounding as at least as high.
function p = p_value (perm, hxy)
  exceed = sum (perm >= hxy - 1e-12 * abs (hxy), 3);
  p = (1 + exceed) / (1 + size (perm, 3));
endfunction

function S = init (S, st)
  L1 = numel (S.layers1);  L2 = numel (S.layers2);
  S.stats = st;
  if (st.bootstrap > 0)
    S.batch_hsic = zeros (L1 * L2 + L1 + L2, 0);
  endif
  if (st.permutations > 0)
    cka_check_memory (8 * L1 * L2 * st.permutations, "cka:input:tooLarge",
                      sprintf ("the permutation sums of %d x %d layer pairs x %d permutations",
                               L1, L2, st.permutations));
    S.perm_hsic_xy = zeros (L1, L2, st.permutations);
  endif
  if (cka_stats_options ("needs", st))
    S.fsums = cka_fsums ("init", L1, L2);
  endif
  if (ismember ("rsa", st.measures))
    S.rsa_sums = cka_rsa_sums ("init", L1, L2);
  endif
endfunction

function S = add (S, b, X, Y, what)
  if (isfield (S, "batch_hsic"))
    S.batch_hsic(:, end+1) = [b.hxy(:); b.hxx(:); b.hyy(:)];
  endif
  if (isfield (S, "perm_hsic_xy"))
    S.perm_hsic_xy += b.hperm;
  endif
  if (isfield (S, "fsums"))
    S.fsums = cka_fsums ("add", S.fsums, X, Y, what);
  endif
  if (isfield (S, "rsa_sums"))
    S.rsa_sums = cka_rsa_sums ("add", S.rsa_sums, X, Y);
  endif
endfunction

function E = result (S, fname = "cka_matrix")
  st = stats_of (S);
  L1 = numel (S.layers1);  L2 = numel (S.layers2);
  E = struct ("estimator", st.estimator);
  if (st.bootstrap > 0)
    if (S.n_batches < 2)
      error ("cka:input:tooFewBatches",
             "%s: the bootstrap resamples batches: it needs at least 2 batches, got %d",
             fname, S.n_batches);
    endif
    if (S.n_batches < 10)
      warning ("cka:bootstrap:fewBatches",
               ["%s: the bootstrap resamples %d batches: with fewer than 10 the intervals " ...
                "are rough (use a smaller BatchSize for more batches)"], fname, S.n_batches);
    endif
    [E.ci_low, E.ci_high] = cka_bootstrap (S.batch_hsic, L1, L2, st.bootstrap, st.ci_level,
                                           st.seed, S.config.epsilon);
    E.ci_level = st.ci_level;
    E.n_bootstrap = st.bootstrap;
  endif
  if (st.permutations > 0)
    E.p_value = p_value (S.perm_hsic_xy, S.hsic_xy);
    E.n_permutations = st.permutations;
  endif
  if (ismember ("rsa", st.measures))
    E.rsa = cka_rsa_sums ("value", S.rsa_sums);
  endif
  fm = intersect (st.measures, {"procrustes", "svcca", "pwcca"}, "stable");
  if (! isempty (fm))
    ## one eigendecomposition per layer serves all of them
    for [v, f] = cka_fsums ("values", S.fsums, fm, S.config, st)
      E.(f) = v;
    endfor
  endif
endfunction
