## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{defaults} =} cka_option_defaults (@var{extra})
## The Name/Value defaults of the CKA options shared by every CKA function
## (@qcode{"Kernel"}, @qcode{"Sigma"}, @qcode{"Unbiased"}, @qcode{"Epsilon"},
## @qcode{"Dtype"}, @qcode{"Config"}), merged with the struct @var{extra} of
## the calling function's own options (for @code{parse_options}).
## The values are placeholders: @code{cka_resolve_config} only uses the
## options the caller actually gave.
## @end deftypefn

function defaults = cka_option_defaults (extra)
  if (nargin < 1)
    extra = struct ();
  endif
  defaults = struct ("Kernel", "linear", "Sigma", [], "Unbiased", true,
                     "Epsilon", 1e-6, "Dtype", "double", "Config", []);
  for f = fieldnames (extra)'
    defaults.(f{1}) = extra.(f{1});
  endfor
endfunction
