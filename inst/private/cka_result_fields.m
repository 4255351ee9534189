## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{s} =} cka_result_fields (@var{R}, @var{fname})
## The parts of a @code{cka_compare} result that the plots use.
##
## Returns a struct with fields @code{cka} (the L1-by-L2 matrix),
## @code{layers1}, @code{layers2} (cellstr, or @code{[]} when absent),
## @code{model1_name}, @code{model2_name} (strings, or @code{""} when absent),
## and the uncertainty of the values, each @code{[]} when absent: @code{ci_low},
## @code{ci_high} (bootstrap confidence interval, L1-by-L2), @code{ci_level},
## @code{n_bootstrap}, @code{p_value} (permutation test, L1-by-L2),
## @code{n_permutations}.  @var{R} may also be a plain numeric matrix, in which
## case only @code{cka} is set.  This is the single place that knows the
## result's field names.
## @end deftypefn

function s = cka_result_fields (R, fname)
  s = struct ("cka", [], "layers1", [], "layers2", [],
              "model1_name", "", "model2_name", "", "ci_low", [],
              "ci_high", [], "ci_level", [], "n_bootstrap", [], "p_value", [],
              "n_permutations", []);
  if (isnumeric (R) || islogical (R))
    s.cka = R;
    return;
  endif
  if (! isstruct (R) || ! isscalar (R))
    error ("cka:plot:badInput",
           "%s: expected a CKA matrix or a cka_compare result struct, got a %s",
           fname, class (R));
  endif
  s.cka = first_field (R, {"cka", "matrix", "M"});
  if (isempty (s.cka) || ! isnumeric (s.cka))
    error ("cka:plot:badInput",
           "%s: the result struct has no numeric 'cka' field", fname);
  endif
  s.layers1 = as_cellstr (first_field (R, {"layers1", "layer_names1"}));
  s.layers2 = as_cellstr (first_field (R, {"layers2", "layer_names2"}));
  s.model1_name = as_str (first_field (R, {"model1_name", "name1"}));
  s.model2_name = as_str (first_field (R, {"model2_name", "name2"}));
  for f = {"ci_low", "ci_high", "ci_level", "n_bootstrap", "p_value", "n_permutations"}
    s.(f{1}) = first_field (R, f);
  endfor
endfunction

function v = first_field (R, names)
  v = [];
  for k = 1:numel (names)
    if (isfield (R, names{k}))
      v = R.(names{k});
      return;
    endif
  endfor
endfunction

function c = as_cellstr (v)
  if (iscellstr (v))
    c = v(:)';
  elseif (ischar (v) && ! isempty (v))
    c = cellstr (v)';
  else
    c = [];
  endif
endfunction

function s = as_str (v)
  if (ischar (v))
    s = v;
  else
    s = "";
  endif
endfunction
