## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{cfg} =} tfm_config (@var{arch}, @var{given})
## Complete and validate a Hugging Face config for architecture @var{arch}
## (a name of the architecture registry, @code{__tfm_arch__ ("list")}).
##
## @var{given} is a struct of config.json fields (as @code{jsondecode} returns
## them) or of @code{tfm_create} options.  Every field the Hugging Face config
## class (transformers 4.31) would fill is filled with its default; the alias
## names of the config class's @code{attribute_map} (GPT-2's
## @code{hidden_size} for @code{n_embd}, @dots{}) are mapped to the
## canonical field, the alias winning as in Hugging Face.  Unknown fields are
## kept, as Hugging Face keeps them.  The fields, their defaults, aliases and
## checks come from the registry's descriptor of @var{arch}
## (@code{__tfm_arch__ ("describe", @var{arch})}); nothing here is specific
## to an architecture.  Errors are @code{cka:config:*};
## @code{cka:config:tooLarge} when the model would not fit in the memory
## available (before anything is allocated).
## @end deftypefn

function cfg = tfm_config (arch, given, bytes_per_weight = 4)
  if (nargin < 2 || isempty (given))
    given = struct ();
  endif
  if (! (ischar (arch) && (isrow (arch) || isempty (arch))))
    error ("cka:config:unknownArch", "tfm_config: the architecture must be a string");
  endif
  d = __tfm_arch__ ("describe", arch);
  fields = d.fields;
  cfg = struct ("model_type", arch);
  for k = 1:numel (fields)
    cfg.(fields(k).name) = fields(k).default;
  endfor
  for f = fieldnames (given)'
    cfg.(f{1}) = given.(f{1});
  endfor
  ## HF sets the canonical field first, then applies the alias keys.
  for k = 1:numel (fields)
    for a = fields(k).aliases'
      if (isfield (given, a{1}))
        cfg.(fields(k).name) = given.(a{1});
      endif
    endfor
  endfor
  cfg.model_type = arch;
  kinds = {fields.kind};
  for k = find (strcmp (kinds, "pos_int"))
    check_positive_int (cfg, fields(k).name, arch);
  endfor
  for k = find (strcmp (kinds, "pos_int_null"))
    if (isempty (cfg.(fields(k).name)))
      cfg.(fields(k).name) = [];     # null, resolved by the registry (GPT-2: 4 * n_embd)
    else
      check_positive_int (cfg, fields(k).name, arch);
    endif
  endfor
  check_heads (cfg, d.hidden_field, d.heads_field);
  for k = find (strcmp (kinds, "act"))
    check_act (cfg, fields(k).name, d.activations);
  endfor
  for k = find (strcmp (kinds, "nonneg_int_null"))
    check_nonneg_int (cfg, fields(k).name, arch);
  endfor
  for k = find (! strcmp ({fields.check}, ""))
    check_supported (cfg, fields(k));
  endfor
  for k = find (strcmp (kinds, "nonneg_real"))
    check_nonneg_real (cfg, fields(k).name);
  endfor
  check_memory (cfg, bytes_per_weight);
  __tfm_arch__ ("check", arch, cfg);     # the core's checks of the descriptor
endfunction

function check_memory (cfg, bytes_per_weight)
  ## Sizes come from files and users: refuse a model that cannot fit before
  ## anything proportional to it is built (single weights: 4 bytes; 2 for a
  ## model whose matrices may stay 16-bit).
  [~, ~, n_params] = tfm_param_spec (cfg, true, false);
  cka_check_memory (bytes_per_weight * n_params, "cka:config:tooLarge",
                    sprintf ("tfm_config: the %s config describes %.4g parameters",
                             cfg.model_type, n_params));
endfunction

function tf = istrue (v)
  tf = ! isempty (v) && (islogical (v) || isnumeric (v)) && all (v(:) != 0);
endfunction

## A value this package does not support (Hugging Face may): the
## descriptor's check of field f.
function check_supported (cfg, f)
  v = cfg.(f.name);
  switch (f.check)
    case "false"
      bad = istrue (v);
    case "empty"
      bad = ! isempty (v) && ! isequal (v, struct ());
    case "one_of"
      bad = ! (ischar (v) && any (strcmp (v, f.allowed)));
    otherwise
      error ("cka:internal:registry", "tfm_config: unknown check \"%s\" of field %s",
             f.check, f.name);
  endswitch
  if (bad)
    if (ischar (v))
      shown = sprintf (" = \"%s\"", v);
    else
      shown = "";
    endif
    error ("cka:config:unsupported", "tfm_config: %s config field %s%s: %s",
           cfg.model_type, f.name, shown, f.why);
  endif
endfunction

function check_positive_int (cfg, f, arch)
  v = cfg.(f);
  if (! (isnumeric (v) && isscalar (v) && isreal (v) && isfinite (v)
         && v == fix (v) && v >= 1 && v < 2^31))
    error ("cka:config:badValue",
           "tfm_config: %s config field %s must be a positive integer", arch, f);
  endif
endfunction

function check_nonneg_int (cfg, f, arch)
  v = cfg.(f);
  if (isempty (v))
    return;   # null pad_token_id: no padding row
  endif
  if (! (isnumeric (v) && isscalar (v) && isreal (v) && v == fix (v) && v >= 0))
    error ("cka:config:badValue",
           "tfm_config: %s config field %s must be a non-negative integer", arch, f);
  endif
endfunction

function check_nonneg_real (cfg, f)
  v = cfg.(f);
  if (! (isnumeric (v) && isscalar (v) && isreal (v) && isfinite (v) && v >= 0))
    error ("cka:config:badValue",
           "tfm_config: config field %s must be a finite non-negative number", f);
  endif
endfunction

function check_heads (cfg, hidden, heads)
  if (mod (cfg.(hidden), cfg.(heads)) != 0)
    error ("cka:config:badValue",
           "tfm_config: %s (%d) must be a multiple of %s (%d)",
           hidden, cfg.(hidden), heads, cfg.(heads));
  endif
endfunction

function check_act (cfg, f, known)
  v = cfg.(f);
  if (! (ischar (v) && any (strcmp (v, known))))
    if (! ischar (v))
      v = "(not a string)";
    endif
    error ("cka:config:unknownActivation",
           "tfm_config: unknown activation %s = \"%s\" (supported: %s)",
           f, v, strjoin (known', ", "));
  endif
endfunction
