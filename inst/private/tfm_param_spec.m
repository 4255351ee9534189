## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {[@var{names}, @var{shapes}] =} tfm_param_spec (@var{cfg})
## @deftypefnx {} {[@var{names}, @var{shapes}] =} tfm_param_spec (@var{cfg}, @var{with_optional})
## @deftypefnx {} {[@var{names}, @var{shapes}, @var{n_params}, @var{init}] =} tfm_param_spec (@var{cfg}, @var{with_optional}, @var{list})
## Parameter list of the bare Hugging Face model described by @var{cfg}.
##
## @var{cfg} is a complete config as returned by @code{tfm_config} (its
## @code{model_type} field selects the architecture).  @var{names} is a
## column cellstr of the @code{state_dict} names of the bare model
## (transformers 4.31) in @code{state_dict} (registration) order.
## @var{shapes} is a column cell of the matching PyTorch shapes as row
## vectors of doubles: @code{[out, in]} for a Linear weight, @code{[in, out]}
## for a GPT-2 Conv1D weight, @code{[n]} for a 1-D tensor.  The
## corresponding Octave weight has @code{size (W)} equal to the shape,
## except that a 1-D tensor is an @code{[n 1]} column vector.
##
## @var{with_optional} (default true) includes the tensors a checkpoint may
## lack (BERT's @code{pooler.dense.*}).
##
## @var{n_params} is the number of parameters.  With @var{list} false
## (default true) only @var{n_params} is computed and @var{names},
## @var{shapes} are empty, at a cost independent of the layer count: the
## check a config gets before anything proportional to its sizes is built.
## A layer count above 4096 is refused (@code{cka:config:badValue}): the
## deepest published transformers have about a thousand layers, and every
## layer costs Octave-level work here and in the hook listing.
##
## @var{init} (with @var{list}) holds the initialisation rule of every
## parameter (see @code{__tfm_arch__}): columns @code{kind},
## @code{std_div}, @code{zero_row}, @code{optional}.
##
## The list itself comes from the architecture registry in C (the
## descriptor's parameter list, the one the forward binds), through
## @code{__tfm_arch__}; @code{tfm_load}, @code{tfm_save} and
## @code{tfm_create} all use it.
## @end deftypefn

function [names, shapes, n_params, init] = tfm_param_spec (cfg, with_pooler, list)
  if (nargin < 2)
    with_pooler = true;
  endif
  if (nargin < 3)
    list = true;
  endif
  if (! isstruct (cfg) || ! isfield (cfg, "model_type"))
    error ("cka:config:badValue", "tfm_param_spec: CFG must be a config struct with model_type");
  endif
  d = __tfm_arch__ ("describe", cfg.model_type);
  L = cfg.(d.layers_field);
  if (L > 4096)
    error ("cka:config:badValue",
           "tfm_param_spec: %s config field %s = %d is more layers than the 4096 accepted",
           cfg.model_type, d.layers_field, L);
  endif
  if (! list)
    n_params = __tfm_arch__ ("count", d.name, cfg, with_pooler);
    names = shapes = {};
    init = struct ();
    return;
  endif
  [names, shapes, init] = __tfm_arch__ ("params", d.name, cfg, with_pooler);
  n_params = sum (cellfun (@prod, shapes));
endfunction
%!test
%! cfg = tfm_config ("bert", struct ());
%! [n, s] = tfm_param_spec (cfg);
%! assert (numel (n), 199);
%! assert (sum (cellfun (@prod, s)), 109482240);
%! assert (n{1}, "embeddings.word_embeddings.weight");
%! assert (n{6}, "encoder.layer.0.attention.self.query.weight");
%! assert (n{end}, "pooler.dense.bias");
%! assert (s{1}, [30522 768]);
%! assert (s{4}, 768);
%! [n2, s2] = tfm_param_spec (cfg, false);
%! assert (numel (n2), 197);
%!test
%! cfg = tfm_config ("gpt2", struct ());
%! [n, s] = tfm_param_spec (cfg);
%! assert (numel (n), 148);
%! assert (sum (cellfun (@prod, s)), 124439808);
%! assert (n{5}, "h.0.attn.c_attn.weight");
%! assert (s{5}, [768 2304]);
%! assert (n{end}, "ln_f.bias");
%!test
%! cfg = tfm_config ("distilbert", struct ());
%! [n, s] = tfm_param_spec (cfg);
%! assert (numel (n), 100);
%! assert (sum (cellfun (@prod, s)), 66362880);
%! assert (n{5}, "transformer.layer.0.attention.q_lin.weight");
%!test
%! ## the count alone matches the list, without building it
%! for a = {"bert", "gpt2", "distilbert"}
%!   cfg = tfm_config (a{1}, struct ());
%!   [n, s, np] = tfm_param_spec (cfg, true);
%!   [n0, s0, np0] = tfm_param_spec (cfg, true, false);
%!   assert (np, sum (cellfun (@prod, s)));
%!   assert (np0, np);
%!   assert (isempty (n0) && isempty (s0));
%! endfor
%!error <unknown architecture> tfm_param_spec (struct ("model_type", "t5"))
%!error id=cka:config:badValue tfm_param_spec (setfield (tfm_config ("gpt2", struct ()), "n_layer", 5000), true, false)
