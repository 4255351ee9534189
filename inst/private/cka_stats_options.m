## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{defaults} =} cka_stats_options ("defaults")
## @deftypefnx {} {@var{stats} =} cka_stats_options (@var{fname}, @var{opts}, @var{cfg})
## @deftypefnx {} {@var{tf} =} cka_stats_options ("is_default", @var{stats}, @var{cfg})
## @deftypefnx {} {[@var{fsums}, @var{features}] =} cka_stats_options ("needs", @var{stats})
## @deftypefnx {} {@var{perm} =} cka_stats_options ("perm", @var{stats})
## The options of the measures, the estimator, the bootstrap and the
## permutation test, shared by @code{cka}, @code{cka_accumulator} and
## @code{cka_compare}: their defaults (Name/Value names), and the validated
## struct @var{stats} with fields @code{measures} (cellstr, @qcode{"cka"}
## first), @code{estimator} (@qcode{"minibatch"} | @qcode{"full"}),
## @code{bootstrap}, @code{permutations} (counts, 0 = none),
## @code{ci_level}, @code{seed}, @code{svcca_variance}.  @var{cfg} is the
## resolved @code{cka_config}: the full estimator needs the linear kernel.
##
## "is_default": whether @var{stats} asks for nothing beyond minibatch CKA.
## "needs": whether they need the feature-space sums (the full estimator,
## Procrustes, SVCCA, PWCCA) and whether they need the pooled features at
## all (those, or RSA).  "perm": the permutation test's options for the
## MEX gateways, a struct @{permutations, seed@}, or @code{[]} without a
## test.  This is the one place that knows what each option requires.
## @end deftypefn

function [stats, features] = cka_stats_options (fname, opts, cfg)
  switch (fname)
    case "defaults"
      stats = struct ("Measure", "cka", "Estimator", "minibatch", "Bootstrap", 0,
                      "Permutations", 0, "CILevel", 0.95, "Seed", 0,
                      "SVCCAVariance", 0.99);
      return;
    case "is_default"
      stats = isequal (opts, cka_stats_options ("cka", cka_stats_options ("defaults"), cfg));
      return;
    case "needs"
      st = opts;
      stats = strcmp (st.estimator, "full") ...
              || any (ismember (st.measures, {"procrustes", "svcca", "pwcca"}));
      features = stats || ismember ("rsa", st.measures);
      return;
    case "perm"
      stats = [];
      if (opts.permutations > 0)
        stats = struct ("permutations", opts.permutations, "seed", opts.seed);
      endif
      return;
  endswitch
  known = {"cka", "procrustes", "svcca", "pwcca", "rsa"};
  m = opts.Measure;
  if (ischar (m) && (isrow (m) || isempty (m)))
    m = {m};
  endif
  if (! (iscellstr (m) && ! isempty (m)))
    error ("cka:input:badOption",
           "%s: Measure must be a name or a cellstr of names among %s", fname,
           strjoin (known, ", "));
  endif
  m = lower (m(:)');
  bad = m(! ismember (m, known));
  if (! isempty (bad))
    error ("cka:input:badOption", "%s: unknown Measure '%s' (known: %s)", fname, bad{1},
           strjoin (known, ", "));
  endif
  ## CKA is always computed (it is the result's main matrix): first, once
  m = [{"cka"}, unique(m(! strcmp (m, "cka")), "stable")];

  e = opts.Estimator;
  if (! (ischar (e) && any (strcmpi (e, {"minibatch", "full"}))))
    error ("cka:input:badOption", "%s: Estimator must be \"minibatch\" or \"full\"", fname);
  endif
  e = lower (e);
  if (strcmp (e, "full") && ! strcmp (cfg.kernel, "linear"))
    error ("cka:input:badOption",
           "%s: the full-data estimator needs the linear kernel (an RBF kernel has no feature-space sums)",
           fname);
  endif
  B = count_option (opts.Bootstrap, "Bootstrap", fname, 1e6);
  P = count_option (opts.Permutations, "Permutations", fname, 1e6);
  if (strcmp (e, "full") && (B > 0 || P > 0))
    error ("cka:input:badOption",
           ["%s: Bootstrap and Permutations resample the batches of the minibatch " ...
            "estimator; they do not combine with Estimator \"full\""], fname);
  endif
  lvl = opts.CILevel;
  if (! (isnumeric (lvl) && isscalar (lvl) && isreal (lvl) && lvl > 0 && lvl < 1))
    error ("cka:input:badOption", "%s: CILevel must be a number between 0 and 1 (e.g. 0.95)",
           fname);
  endif
  s = opts.Seed;
  if (! (isnumeric (s) && isscalar (s) && isreal (s) && s == fix (s) && s >= 0
         && s < flintmax ()))
    error ("cka:input:badOption", "%s: Seed must be a non-negative integer", fname);
  endif
  v = opts.SVCCAVariance;
  if (! (isnumeric (v) && isscalar (v) && isreal (v) && v > 0 && v <= 1))
    error ("cka:input:badOption",
           "%s: SVCCAVariance must be the share of variance to keep, in (0, 1]", fname);
  endif
  stats = struct ("measures", {m}, "estimator", e, "bootstrap", B, "permutations", P,
                  "ci_level", double (lvl), "seed", double (s), "svcca_variance", double (v));
endfunction

function n = count_option (n, what, fname, most)
  if (! (isnumeric (n) && isscalar (n) && isreal (n) && n == fix (n) && n >= 0 && n <= most))
    error ("cka:input:badOption", "%s: %s must be a count from 0 to %d", fname, what, most);
  endif
  n = double (n);
endfunction
