## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {[@var{cfg}, @var{iopts}] =} cka_resolve_config (@var{fname}, @var{opts}, @var{given})
## Build the validated CKA configuration from parsed options: start from the
## defaults, take a @qcode{"Config"} struct (from @code{cka_config}, or a
## result/accumulator's @code{config} field) if given, then apply the
## individual options the caller set.  @var{iopts} is the numeric form the
## MEX gateways read (kernel 0/1, sigma NaN for the median heuristic,
## unbiased, epsilon, single).
## @end deftypefn

function [cfg, iopts] = cka_resolve_config (fname, opts, given)
  cfg = struct ("kernel", "linear", "sigma", [], "unbiased", true,
                "epsilon", 1e-6, "dtype", "double");
  if (given.Config && ! isempty (opts.Config))
    c = opts.Config;
    if (! (isstruct (c) && isscalar (c)))
      error ("cka:input:badOption",
             "%s: Config must be a struct from cka_config (got a %s)", fname, class (c));
    endif
    for f = fieldnames (c)'
      k = find (strcmpi (f{1}, fieldnames (cfg)), 1);
      if (isempty (k))
        error ("cka:input:badOption",
               "%s: Config has an unknown field '%s' (expected kernel, sigma, unbiased, epsilon, dtype)",
               fname, f{1});
      endif
      fn = fieldnames (cfg){k};
      cfg.(fn) = c.(f{1});
    endfor
  endif
  map = {"Kernel", "kernel"; "Sigma", "sigma"; "Unbiased", "unbiased";
         "Epsilon", "epsilon"; "Dtype", "dtype"};
  for k = 1:rows (map)
    if (given.(map{k,1}))
      cfg.(map{k,2}) = opts.(map{k,1});
    endif
  endfor

  ## validate and normalise
  if (! (ischar (cfg.kernel) && any (strcmpi (cfg.kernel, {"linear", "rbf"}))))
    error ("cka:input:badOption", "%s: Kernel must be \"linear\" or \"rbf\"", fname);
  endif
  cfg.kernel = lower (cfg.kernel);
  s = cfg.sigma;
  if (! (isempty (s) || (isscalar (s) && isnumeric (s) && isreal (s)
                         && (isnan (s) || (isfinite (s) && s > 0)))))
    error ("cka:input:badOption",
           "%s: Sigma must be a positive bandwidth, or [] for the median heuristic", fname);
  endif
  if (! isempty (s) && isnan (s))
    s = [];
  endif
  cfg.sigma = double (s);
  u = cfg.unbiased;
  if (! (isscalar (u) && (islogical (u) || (isnumeric (u) && any (u == [0 1])))))
    error ("cka:input:badOption", "%s: Unbiased must be true or false", fname);
  endif
  cfg.unbiased = logical (u);
  e = cfg.epsilon;
  if (! (isscalar (e) && isnumeric (e) && isreal (e) && isfinite (e) && e >= 0))
    error ("cka:input:badOption", "%s: Epsilon must be a finite non-negative scalar", fname);
  endif
  cfg.epsilon = double (e);
  d = cfg.dtype;
  if (ischar (d) && any (strcmpi (d, {"float64", "float32"})))
    d = cka_ifelse (strcmpi (d, "float64"), "double", "single");
  endif
  if (! (ischar (d) && any (strcmpi (d, {"double", "single"}))))
    error ("cka:input:badOption", "%s: Dtype must be \"double\" or \"single\"", fname);
  endif
  cfg.dtype = lower (d);
  if (nargout > 1)
    iopts = struct ("kernel", double (strcmp (cfg.kernel, "rbf")),
                    "sigma", cka_ifelse (isempty (cfg.sigma), NaN, cfg.sigma),
                    "unbiased", double (cfg.unbiased), "epsilon", cfg.epsilon,
                    "single", double (strcmp (cfg.dtype, "single")));
  endif
endfunction
