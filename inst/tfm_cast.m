## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{model} =} tfm_cast (@var{model}, @var{dtype})
## @deftypefnx {cka} {@var{w} =} tfm_cast (@var{model}, @var{name})
## Store the weight matrices of a CKA model as float32, bfloat16 or float16.
##
## @var{dtype} is @qcode{"single"} (or @qcode{"float32"}), @qcode{"bfloat16"}
## (or @qcode{"bf16"}) or @qcode{"float16"} (or @qcode{"f16"}, @qcode{"half"}).
## The weight matrices and embedding tables (every 2-D parameter) are
## converted; biases and norm vectors stay @code{single}, the precision the
## forward uses for them.  A 16-bit matrix is a @code{uint16} array of the
## same size holding the 16-bit numbers, and @code{@var{model}.dtype} says
## which type they are; it takes half the memory of @code{single}.  The
## forward passes (@code{tfm_forward}, @code{cka_compare}) widen them
## exactly to float32 a panel at a time inside the matrix products and
## accumulate in float32, so a 16-bit model computes what the float32 model
## with the same (rounded) weights computes.  Rounding to a 16-bit type is
## to nearest even, as PyTorch's @code{.to(torch.bfloat16)}; widening back
## to @code{single} is exact.
##
## With a parameter @var{name} instead of a type, returns that weight as a
## @code{single} array whatever its storage: the way to read the numbers
## of a 16-bit weight (@code{double (model.weights@{k@})} would give the
## raw 16-bit codes).  To edit a weight, assign a @code{single} array to
## @code{model.weights@{k@}}: a model may mix @code{single} and 16-bit
## matrices.
##
## @code{tfm_load} keeps F16/BF16 checkpoints in their stored precision
## (option @qcode{"DType"}); @code{tfm_create} takes the same option;
## @code{tfm_save} writes a 16-bit model in its own type by default.
##
## @example
## @group
## m = tfm_create ("llama", "hidden_size", 64, "intermediate_size", 128, ...
##                 "num_hidden_layers", 2, "num_attention_heads", 4, ...
##                 "vocab_size", 100);
## b = tfm_cast (m, "bfloat16");   # half the memory of the matrices
## w = tfm_cast (b, "layers.0.mlp.up_proj.weight");   # single 128x64
## @end group
## @end example
## @seealso{tfm_load, tfm_create, tfm_save, tfm_forward}
## @end deftypefn

function out = tfm_cast (model, dtype)
  if (nargin != 2)
    print_usage ();
  endif
  if (! (isstruct (model) && isscalar (model)
         && all (isfield (model, {"arch", "config", "names", "weights"}))
         && iscellstr (model.names) && iscell (model.weights)
         && numel (model.names) == numel (model.weights)))
    error ("cka:input:badModel",
           "tfm_cast: MODEL must be a model struct (from tfm_load or tfm_create)");
  endif
  if (! (ischar (dtype) && isrow (dtype)))
    error ("cka:input:badOption", "tfm_cast: DTYPE must be a type name or a parameter name");
  endif
  to = tfm_dtype_name (dtype);
  if (isempty (to))
    k = find (strcmp (model.names, dtype), 1);
    if (isempty (k))
      error ("cka:input:badOption",
             "tfm_cast: \"%s\" is neither a type (single, bfloat16, float16) nor a parameter of the model",
             dtype);
    endif
    out = widen (model, model.weights{k}, dtype);
    return;
  endif
  for k = 1:numel (model.weights)
    w = model.weights{k};
    if (! (ismatrix (w) && rows (w) > 1 && columns (w) > 1))
      continue;     # 1-D tensors stay single
    endif
    if (isa (w, "uint16"))
      w = widen (model, w, model.names{k});
    elseif (! isa (w, "single"))
      error ("cka:input:badWeight", "tfm_cast: weight \"%s\" is %s, not single or uint16",
             model.names{k}, class (w));
    endif
    if (! strcmp (to, "float32"))
      w = __tfm_cast__ (w, to);
    endif
    model.weights{k} = w;
  endfor
  model.dtype = to;
  out = model;
endfunction

function w = widen (model, w, name)
  if (isa (w, "uint16"))
    if (! (isfield (model, "dtype") && any (strcmp (model.dtype, {"bfloat16", "float16"}))))
      error ("cka:input:badWeight",
             "tfm_cast: weight \"%s\" is uint16, so model.dtype must be \"bfloat16\" or \"float16\"",
             name);
    endif
    w = __tfm_cast__ (w, "single", model.dtype);
  elseif (! isa (w, "single"))
    w = single (w);
  endif
endfunction

%!shared m
%! m = tfm_create ("llama", "hidden_size", 32, "intermediate_size", 48, ...
%!                 "num_hidden_layers", 1, "num_attention_heads", 4, "vocab_size", 50);

%!test
%! b = tfm_cast (m, "bfloat16");
%! assert (b.dtype, "bfloat16");
%! k = find (strcmp (m.names, "layers.0.mlp.up_proj.weight"));
%! assert (class (b.weights{k}), "uint16");
%! assert (size (b.weights{k}), size (m.weights{k}));
%! n = find (strcmp (m.names, "norm.weight"));
%! assert (class (b.weights{n}), "single");        # vectors stay single
%! w = tfm_cast (b, "layers.0.mlp.up_proj.weight");
%! assert (class (w), "single");
%! ## round to nearest even: bf16 keeps 8 significant bits
%! assert (max (abs (w(:) - m.weights{k}(:)) ./ abs (m.weights{k}(:))) <= 2^-8);
%! ## widening and rounding again changes nothing
%! assert (isequal (tfm_cast (tfm_cast (b, "single"), "bf16").weights{k}, b.weights{k}));

%!test
%! ## bf16 codes of known numbers: 1 = 0x3F80, -2 = 0xC000, 1 + 2^-8 ties to even (1)
%! mm = m;
%! k = find (strcmp (m.names, "layers.0.mlp.up_proj.weight"));
%! mm.weights{k}(1:3) = single ([1, -2, 1 + 2^-8]);
%! b = tfm_cast (mm, "bfloat16");
%! assert (double (b.weights{k}(1:3)), [16256, 49152, 16256]);
%! h = tfm_cast (mm, "float16");
%! assert (double (h.weights{k}(1:2)), [15360, 49152]);   # 0x3C00, 0xC000
%! assert (tfm_cast (h, "layers.0.mlp.up_proj.weight")(1:2), single ([1, -2]));

%!test
%! ## float16 to bfloat16 goes through the exact float32 value
%! h = tfm_cast (m, "f16");
%! b = tfm_cast (h, "bf16");
%! k = find (strcmp (m.names, "embed_tokens.weight"));
%! assert (tfm_cast (b, m.names{k}),
%!         tfm_cast (tfm_cast (tfm_cast (h, "single"), "bf16"), m.names{k}));

%!error <Invalid call> tfm_cast (1)
%!error <model struct> tfm_cast (struct ("a", 1), "bf16")
%!error <neither a type> tfm_cast (m, "fp8")
%!test
%! b = tfm_cast (m, "bfloat16");
%! b = rmfield (b, "dtype");
%! k = find (strcmp (m.names, "embed_tokens.weight"));
%! fail ("tfm_cast (b, b.names{k})", "model.dtype must be");
