## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {@var{S} =} cka_check_state (@var{S}, @var{fname}, @var{source})
## @deftypefnx {} {@var{S} =} cka_check_state (@var{S}, @var{fname}, "struct", @var{label})
## Validate an accumulator, a @code{cka_compare} result or a checkpoint
## (the one place that knows what their sums and counts must be) and return
## it with its shapes normalised.
##
## @var{source} is @qcode{"struct"} for a value passed by the user (errors
## are @code{cka:input:notAccumulator}) or the name of the file it was read
## from (errors are @code{cka:io:badFormat}, and vectors decoded from JSON
## are reshaped: JSON does not keep column/row shapes).  Every message
## names the field at fault, and the argument (@var{label}, default
## @qcode{"S"}) or the file.
##
## Checked: @code{layers1}, @code{layers2} non-empty cellstrs (a string is
## one layer); @code{hsic_xy} a real finite double @var{L1}x@var{L2} matrix,
## @code{hsic_xx}, @code{hsic_yy} real finite double vectors of @var{L1},
## @var{L2} elements (returned as columns); @code{n_samples},
## @code{n_batches} non-negative integers; @code{batch_sizes} (if present)
## @code{n_batches} positive integers summing to @code{n_samples};
## @code{config} a struct with exactly the fields kernel, sigma, unbiased,
## epsilon, dtype and valid values (see @code{cka_config}); @code{kind},
## @code{format}, @code{format_version}, model names, @code{cka},
## @code{requested_layers1/2}, @code{n_dropped} when present.
## @end deftypefn

function S = cka_check_state (S, fname, source, label = "S")
  from_file = ! strcmp (source, "struct");
  if (from_file)
    id = "cka:io:badFormat";
    where = sprintf ("%s: '%s'", fname, source);
  else
    id = "cka:input:notAccumulator";
    where = sprintf ("%s: %s", fname, label);
  endif
  bad = @(varargin) error (id, "%s: %s", where, sprintf (varargin{:}));
  if (! (isstruct (S) && isscalar (S)))
    if (from_file)
      bad ("holds no result struct");
    endif
    error (id, "%s: %s must be an accumulator from cka_accumulator or a cka_compare result, not a %s",
           fname, label, class (S));
  endif
  need = {"layers1", "layers2", "hsic_xy", "hsic_xx", "hsic_yy", "config", ...
          "n_samples", "n_batches"};
  miss = need(! isfield (S, need));
  if (! isempty (miss))
    if (from_file)
      bad ("is not a result written by cka_save: no field %s", strjoin (miss, ", "));
    endif
    error (id, "%s: %s must be an accumulator from cka_accumulator or a cka_compare result (it has no field %s)",
           fname, label, strjoin (miss, ", "));
  endif

  if (from_file && isfield (S, "format"))
    if (! (ischar (S.format) && strcmp (S.format, "octave-cka")))
      bad ("field format is not \"octave-cka\"");
    endif
    if (! (isfield (S, "format_version") && isnumeric (S.format_version)
           && isscalar (S.format_version) && S.format_version == 1))
      bad ("field format_version is not a known version (1)");
    endif
  endif
  S = rmfield (S, intersect (fieldnames (S), {"format", "format_version", "shape_hsic_xy"}));
  if (isfield (S, "kind")
      && ! (ischar (S.kind) && any (strcmp (S.kind, {"cka_accumulator", "cka_result", ...
                                                    "cka_checkpoint", "cka_partial"}))))
    bad ("field kind is not cka_accumulator, cka_result, cka_checkpoint or cka_partial");
  endif

  S.layers1 = layer_list (S.layers1, "layers1", bad);
  S.layers2 = layer_list (S.layers2, "layers2", bad);
  L1 = numel (S.layers1);  L2 = numel (S.layers2);
  S.hsic_xy = sums (S.hsic_xy, L1, L2, "hsic_xy", from_file, bad);
  S.hsic_xx = sums (S.hsic_xx, L1, 1, "hsic_xx", true, bad);
  S.hsic_yy = sums (S.hsic_yy, L2, 1, "hsic_yy", true, bad);
  S.n_samples = count (S.n_samples, "n_samples", bad);
  S.n_batches = count (S.n_batches, "n_batches", bad);
  if (isfield (S, "batch_sizes"))
    b = S.batch_sizes;
    if (! (isnumeric (b) && isreal (b) && ! issparse (b) && (isvector (b) || isempty (b))
           && all (isfinite (b(:))) && all (b(:) == fix (b(:))) && all (b(:) >= 1)))
      bad ("field batch_sizes must be a vector of positive integers");
    endif
    S.batch_sizes = double (reshape (b, [], 1));
    if (numel (S.batch_sizes) != S.n_batches)
      bad ("n_batches is %d but batch_sizes lists %d batches", S.n_batches, numel (S.batch_sizes));
    endif
    if (sum (S.batch_sizes) != S.n_samples)
      bad ("n_samples is %d but batch_sizes add up to %d", S.n_samples, sum (S.batch_sizes));
    endif
  endif
  if (S.n_batches > S.n_samples)
    bad ("n_batches (%d) exceeds n_samples (%d)", S.n_batches, S.n_samples);
  endif
  if (S.n_batches == 0 && any ([S.hsic_xy(:); S.hsic_xx; S.hsic_yy] != 0))
    bad ("holds HSIC sums but no batch");
  endif

  c = S.config;
  cf = {"kernel", "sigma", "unbiased", "epsilon", "dtype"};
  if (! (isstruct (c) && isscalar (c) && all (isfield (c, cf)) && numel (fieldnames (c)) == 5))
    bad ("field config must be a struct with the fields %s", strjoin (cf, ", "));
  endif
  if (! (ischar (c.kernel) && any (strcmp (c.kernel, {"linear", "rbf"}))))
    bad ("config.kernel must be \"linear\" or \"rbf\"");
  endif
  if (! (ischar (c.dtype) && any (strcmp (c.dtype, {"double", "single"}))))
    bad ("config.dtype must be \"double\" or \"single\"");
  endif
  u = c.unbiased;
  if (! (isscalar (u) && (islogical (u) || (isnumeric (u) && isreal (u) && any (u == [0 1])))))
    bad ("config.unbiased must be true or false");
  endif
  e = c.epsilon;
  if (! (isnumeric (e) && isreal (e) && isscalar (e) && isfinite (e) && e >= 0))
    bad ("config.epsilon must be a finite non-negative number");
  endif
  s = c.sigma;
  if (! (isempty (s) || (isnumeric (s) && isreal (s) && isscalar (s) && isfinite (s) && s > 0)))
    bad ("config.sigma must be [] or a positive finite bandwidth");
  endif
  c.unbiased = logical (u);
  c.epsilon = double (e);
  if (isempty (s))
    c.sigma = [];
  else
    c.sigma = double (s);
  endif
  S.config = orderfields (c, cf);

  for f = {"model1_name", "model2_name", "pooling"}
    if (isfield (S, f{1}) && ! (ischar (S.(f{1})) && (isrow (S.(f{1})) || isempty (S.(f{1})))))
      bad ("field %s must be a string", f{1});
    endif
  endfor
  for f = {"requested_layers1", "requested_layers2"}
    if (isfield (S, f{1}))
      S.(f{1}) = layer_list (S.(f{1}), f{1}, bad);
    endif
  endfor
  if (isfield (S, "n_dropped"))
    S.n_dropped = count (S.n_dropped, "n_dropped", bad);
  endif
  if (isfield (S, "cka"))
    m = S.cka;
    if (! (isnumeric (m) && isreal (m) && ! issparse (m) && numel (m) == L1 * L2
           && (isequal (size (m), [L1 L2]) || (from_file && isvector (m)))))
      bad ("field cka must be a real %dx%d matrix", L1, L2);
    endif
    S.cka = reshape (double (m), L1, L2);
  endif
  if (isfield (S, "same_model"))
    v = S.same_model;
    if (! (isscalar (v) && (islogical (v) || (isnumeric (v) && any (v == [0 1])))))
      bad ("field same_model must be true or false");
    endif
    S.same_model = logical (v);
  endif
  if (isfield (S, "kind") && strcmp (S.kind, "cka_partial"))
    S = check_shard (S, bad);
  endif
  S = check_stats (S, L1, L2, from_file, bad);
endfunction

## The fields of issue 19: a result's intervals, p-values and other
## measures; an accumulator's options and extra sums.
function S = check_stats (S, L1, L2, from_file, bad)
  for f = {"ci_low", "ci_high", "p_value", "procrustes", "svcca", "pwcca", "rsa"}
    if (isfield (S, f{1}))
      m = S.(f{1});
      if (isempty (m) && from_file)
        m = NaN (L1, L2);      # JSON writes an all-NaN matrix as null
      endif
      if (! (isnumeric (m) && isreal (m) && ! issparse (m) && numel (m) == L1 * L2
             && (isequal (size (m), [L1 L2]) || (from_file && isvector (m)))))
        bad ("field %s must be a real %dx%d matrix", f{1}, L1, L2);
      endif
      S.(f{1}) = reshape (double (m), L1, L2);
    endif
  endfor
  if (isfield (S, "p_value") && any (S.p_value(:) <= 0 | S.p_value(:) > 1))
    bad ("field p_value must hold p-values in (0, 1]");
  endif
  for f = {"n_bootstrap", "n_permutations"}
    if (isfield (S, f{1}))
      S.(f{1}) = count (S.(f{1}), f{1}, bad);
    endif
  endfor
  if (isfield (S, "ci_level"))
    v = S.ci_level;
    if (! (isnumeric (v) && isreal (v) && isscalar (v) && v > 0 && v < 1))
      bad ("field ci_level must be a number between 0 and 1");
    endif
  endif
  if (isfield (S, "estimator")
      && ! (ischar (S.estimator) && any (strcmp (S.estimator, {"minibatch", "full"}))))
    bad ("field estimator must be \"minibatch\" or \"full\"");
  endif
  if (! isfield (S, "stats"))
    ## (batch_hsic belongs to shards too)
    extra = setdiff (intersect (fieldnames (S), cka_stats_fields ("sums")), {"batch_hsic"});
    if (! isempty (extra))
      bad ("field %s needs the field stats", extra{1});
    endif
    return;
  endif
  st = S.stats;
  names = {"measures", "estimator", "bootstrap", "permutations", "ci_level", "seed", ...
           "svcca_variance"};
  if (! (isstruct (st) && isscalar (st) && all (isfield (st, names))
         && numel (fieldnames (st)) == numel (names)))
    bad ("field stats must be a struct with the fields %s", strjoin (names, ", "));
  endif
  opts = struct ("Measure", {st.measures}, "Estimator", st.estimator, "Bootstrap",
                 st.bootstrap, "Permutations", st.permutations, "CILevel", st.ci_level,
                 "Seed", st.seed, "SVCCAVariance", st.svcca_variance);
  try
    st = cka_stats_options ("stats", opts, S.config);
  catch e
    bad ("field stats: %s", e.message);
  end_try_catch
  S.stats = st;
  nt = L1 * L2 + L1 + L2;
  if (st.bootstrap > 0)
    if (! (isfield (S, "batch_hsic") && isnumeric (S.batch_hsic) && isreal (S.batch_hsic)
           && numel (S.batch_hsic) == nt * S.n_batches && all (isfinite (S.batch_hsic(:)))))
      bad ("field batch_hsic must hold %d finite values per batch (%d batches)", nt,
           S.n_batches);
    endif
    S.batch_hsic = reshape (double (S.batch_hsic), nt, S.n_batches);
  endif
  if (st.permutations > 0)
    if (! (isfield (S, "perm_hsic_xy") && isnumeric (S.perm_hsic_xy)
           && isreal (S.perm_hsic_xy) && numel (S.perm_hsic_xy) == L1 * L2 * st.permutations
           && all (isfinite (S.perm_hsic_xy(:)))))
      bad ("field perm_hsic_xy must hold %dx%dx%d finite sums", L1, L2, st.permutations);
    endif
    S.perm_hsic_xy = reshape (double (S.perm_hsic_xy), L1, L2, st.permutations);
  endif
  if (ismember ("rsa", st.measures))
    r = cka_ifelse (isfield (S, "rsa_sums"), S.rsa_sums, []);
    shapes = {"pairs", [1 1]; "sx", [L1 1]; "sxx", [L1 1]; "sy", [L2 1]; "syy", [L2 1];
              "sxy", [L1 L2]};
    ok = isstruct (r) && isscalar (r) && all (isfield (r, shapes(:,1)));
    for k = 1:rows (shapes)
      ok = ok && isnumeric (r.(shapes{k,1})) && isreal (r.(shapes{k,1})) ...
           && numel (r.(shapes{k,1})) == prod (shapes{k,2}) ...
           && all (isfinite (r.(shapes{k,1})(:)));
      if (ok)
        r.(shapes{k,1}) = reshape (double (r.(shapes{k,1})), shapes{k,2});
      endif
    endfor
    if (! ok)
      bad ("field rsa_sums must hold the RSA sums of %dx%d layers", L1, L2);
    endif
    S.rsa_sums = r;
  endif
  if (cka_stats_options ("needs", st))
    if (! (isfield (S, "fsums") && cka_fsums ("valid", S.fsums, L1, L2)))
      bad ("field fsums must hold the feature-space sums of %dx%d layers", L1, L2);
    endif
  endif
endfunction

## A shard of cka_compare ("Shard"): which shards it holds, the global
## indices of its batches, and the provenance cka_merge compares.
function S = check_shard (S, bad)
  need = {"shard", "provenance", "batch_sizes", "batch_hsic", "model1_name", "model2_name", ...
          "same_model", "pooling", "n_dropped", "timing"};
  miss = need(! isfield (S, need));
  if (! isempty (miss))
    bad ("is a shard (cka_partial) without the field %s", strjoin (miss, ", "));
  endif
  h = S.shard;
  if (! (isstruct (h) && isscalar (h) && all (isfield (h, {"index", "count", "batches", "computed"}))))
    bad ("field shard must be a struct with index, count, batches and computed");
  endif
  h.count = count (h.count, "shard.count", bad);
  h.batches = count (h.batches, "shard.batches", bad);
  idx = h.index;
  if (! (isnumeric (idx) && isreal (idx) && ! isempty (idx) && isvector (idx)
         && all (idx == fix (idx)) && all (idx >= 1) && all (idx <= h.count)
         && numel (unique (idx)) == numel (idx)))
    bad ("field shard.index must list distinct shards between 1 and shard.count (%d)", h.count);
  endif
  h.index = double (idx(:)');
  c = h.computed;
  if (isempty (c))
    c = zeros (0, 1);
  endif
  if (! (isnumeric (c) && isreal (c) && isvector (c) || isempty (c)))
    bad ("field shard.computed must be a vector of batch indices");
  endif
  c = double (c(:));
  if (! (all (c == fix (c)) && all (c >= 1) && all (c <= h.batches) && all (diff (c) > 0)
         && numel (c) == S.n_batches))
    bad ("field shard.computed must list the n_batches (%d) batch indices, increasing, up to shard.batches",
         S.n_batches);
  endif
  h.computed = c;
  S.shard = h;
  ## each batch's HSIC values, a column [hxy(:); hxx; hyy] per computed batch
  L1 = numel (S.layers1);  L2 = numel (S.layers2);
  R = L1 * L2 + L1 + L2;
  t = S.batch_hsic;
  if (isempty (t))
    t = zeros (R, 0);
  endif
  if (! (isnumeric (t) && isreal (t) && ! issparse (t) && numel (t) == R * S.n_batches
         && all (isfinite (t(:)))))
    bad ("field batch_hsic must hold %d finite values for each of the %d batches", R, S.n_batches);
  endif
  S.batch_hsic = reshape (double (t), R, S.n_batches);
  P = S.provenance;
  str = {"pooling", "model1_config", "model1_weights", "model2_config", "model2_weights", "data"};
  flags = {"ignore_mask", "drop_last", "same_model", "data2"};
  if (! (isstruct (P) && isscalar (P) && all (isfield (P, [str, flags, {"batch_size"}]))))
    bad ("field provenance must be a struct with the fields %s", strjoin ([str, flags], ", "));
  endif
  P = cka_check_fields (P, str, flags, bad, "field provenance.%s");
  P.batch_size = count (P.batch_size, "provenance.batch_size", bad);
  S.provenance = P;
  T = S.timing;
  if (! (isstruct (T) && isscalar (T) && isfield (T, "elapsed") && isfield (T, "batches")))
    bad ("field timing must be a struct with elapsed and batches");
  endif
endfunction

function L = layer_list (L, what, bad)
  if (ischar (L) && (isrow (L) || isempty (L)))
    L = {L};
  endif
  if (! (iscellstr (L) && ! isempty (L) && isvector (L)
         && all (cellfun (@(s) isrow (s) || isempty (s), L))))
    bad ("field %s must be a non-empty list of layer names", what);
  endif
  L = reshape (L, [], 1);
endfunction

function x = sums (x, r, c, what, allow_vector, bad)
  if (! (isa (x, "double") && isreal (x) && ! issparse (x)))
    bad ("field %s must be a real double array (got %s%s)", what,
         cka_ifelse (issparse (x), "sparse ", ""), class (x));
  endif
  if (! (isequal (size (x), [r c]) || (allow_vector && numel (x) == r * c && isvector (x))))
    bad ("field %s must be %dx%d, not %s", what, r, c,
         strjoin (arrayfun (@num2str, size (x), "uniformoutput", false), "x"));
  endif
  if (! all (isfinite (x(:))))
    bad ("field %s holds NaN or Inf", what);
  endif
  x = reshape (double (x), r, c);
endfunction

function n = count (n, what, bad)
  if (! (isnumeric (n) && isreal (n) && isscalar (n) && isfinite (n) && n >= 0 && n == fix (n)))
    bad ("field %s must be a non-negative integer", what);
  endif
  n = double (n);
endfunction
