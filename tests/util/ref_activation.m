## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{y} =} ref_activation (@var{name}, @var{x})
## The Hugging Face activation @var{name} (a @code{hidden_act} string,
## spec section 2.4) applied element-wise to @var{x} in double precision
## (test helper, part of the naive reference forward
## @code{ref_decoder_forward}).  An unknown name is an error, as in HF.
## @end deftypefn
function y = ref_activation (name, x)
  x = double (x);
  switch (lower (name))
    case {"gelu", "gelu_python"}
      y = 0.5 * x .* (1 + erf (x / sqrt (2)));
    case {"gelu_new", "gelu_pytorch_tanh", "gelu_accurate"}
      y = 0.5 * x .* (1 + tanh (sqrt (2 / pi) * (x + 0.044715 * x .^ 3)));
    case "gelu_fast"
      y = 0.5 * x .* (1 + tanh (0.7978845608 * x .* (1 + 0.044715 * x .^ 2)));
    case "quick_gelu"
      y = x ./ (1 + exp (-1.702 * x));
    case "gelu_10"
      y = min (max (0.5 * x .* (1 + erf (x / sqrt (2))), -10), 10);
    case {"silu", "swish"}
      y = x ./ (1 + exp (-x));
    case "relu"
      y = max (x, 0);
    case "relu6"
      y = min (max (x, 0), 6);
    case "relu2"
      y = max (x, 0) .^ 2;
    case "sigmoid"
      y = 1 ./ (1 + exp (-x));
    case "tanh"
      y = tanh (x);
    case "mish"
      y = x .* tanh (log1p (exp (x)));
    case "linear"
      y = x;
    otherwise
      error ("ref_activation: unknown activation \"%s\"", name);
  endswitch
endfunction
