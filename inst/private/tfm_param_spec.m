## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {[@var{names}, @var{shapes}] =} tfm_param_spec (@var{cfg})
## @deftypefnx {} {[@var{names}, @var{shapes}] =} tfm_param_spec (@var{cfg}, @var{with_pooler})
## @deftypefnx {} {[@var{names}, @var{shapes}, @var{n_params}] =} tfm_param_spec (@var{cfg}, @var{with_pooler}, @var{list})
## Parameter list of the bare Hugging Face model described by @var{cfg}.
##
## @var{cfg} is a complete config as returned by @code{tfm_config} (its
## @code{model_type} field selects the architecture).  @var{names} is a
## column cellstr of the @code{state_dict} names of the bare model
## (@code{BertModel} including its pooler, @code{GPT2Model},
## @code{DistilBertModel}, transformers 4.31) in @code{state_dict}
## (registration) order.  @var{shapes} is a column cell of the matching
## PyTorch shapes as row vectors of doubles: @code{[out, in]} for a Linear
## weight, @code{[in, out]} for a GPT-2 Conv1D weight, @code{[n]} for a 1-D
## tensor.  The corresponding Octave weight has @code{size (W)} equal to the
## shape, except that a 1-D tensor is an @code{[n 1]} column vector.
##
## @var{with_pooler} (BERT only, default true) includes
## @code{pooler.dense.weight} and @code{pooler.dense.bias}.
##
## @var{n_params} is the number of parameters.  With @var{list} false
## (default true) only @var{n_params} is computed and @var{names},
## @var{shapes} are empty, at a cost independent of the layer count: the
## check a config gets before anything proportional to its sizes is built.
## A layer count above 4096 is refused (@code{cka:config:badValue}): the
## deepest published transformers have about a thousand layers, and every
## layer costs Octave-level work here and in the hook listing.
##
## This is the single place that lists the parameters of each architecture;
## @code{tfm_load}, @code{tfm_save} and @code{tfm_create} all use it.
## @end deftypefn

function [names, shapes, n_params] = tfm_param_spec (cfg, with_pooler, list)
  if (nargin < 2)
    with_pooler = true;
  endif
  if (nargin < 3)
    list = true;
  endif
  if (! isstruct (cfg) || ! isfield (cfg, "model_type"))
    error ("cka:config:badValue", "tfm_param_spec: CFG must be a config struct with model_type");
  endif
  switch (cfg.model_type)
    case "bert"
      H = cfg.hidden_size; I = cfg.intermediate_size;
      L = cfg.num_hidden_layers;  layers_field = "num_hidden_layers";
      head = {"embeddings.word_embeddings.weight",       [cfg.vocab_size, H];
              "embeddings.position_embeddings.weight",   [cfg.max_position_embeddings, H];
              "embeddings.token_type_embeddings.weight", [cfg.type_vocab_size, H];
              "embeddings.LayerNorm.weight",             H;
              "embeddings.LayerNorm.bias",               H};
      layer = {"attention.self.query.weight",     [H, H];
               "attention.self.query.bias",       H;
               "attention.self.key.weight",       [H, H];
               "attention.self.key.bias",         H;
               "attention.self.value.weight",     [H, H];
               "attention.self.value.bias",       H;
               "attention.output.dense.weight",   [H, H];
               "attention.output.dense.bias",     H;
               "attention.output.LayerNorm.weight", H;
               "attention.output.LayerNorm.bias", H;
               "intermediate.dense.weight",       [I, H];
               "intermediate.dense.bias",         I;
               "output.dense.weight",             [H, I];
               "output.dense.bias",               H;
               "output.LayerNorm.weight",         H;
               "output.LayerNorm.bias",           H};
      prefix = "encoder.layer.%d.";
      if (with_pooler)
        tail = {"pooler.dense.weight", [H, H];
                "pooler.dense.bias",   H};
      else
        tail = cell (0, 2);
      endif
    case "gpt2"
      E = cfg.n_embd; L = cfg.n_layer;  layers_field = "n_layer";
      if (isempty (cfg.n_inner))
        I = 4 * E;
      else
        I = cfg.n_inner;
      endif
      head = {"wte.weight", [cfg.vocab_size, E];
              "wpe.weight", [cfg.n_positions, E]};
      layer = {"ln_1.weight",        E;
               "ln_1.bias",          E;
               "attn.c_attn.weight", [E, 3*E];
               "attn.c_attn.bias",   3*E;
               "attn.c_proj.weight", [E, E];
               "attn.c_proj.bias",   E;
               "ln_2.weight",        E;
               "ln_2.bias",          E;
               "mlp.c_fc.weight",    [E, I];
               "mlp.c_fc.bias",      I;
               "mlp.c_proj.weight",  [I, E];
               "mlp.c_proj.bias",    E};
      prefix = "h.%d.";
      tail = {"ln_f.weight", E;
              "ln_f.bias",   E};
    case "distilbert"
      D = cfg.dim; I = cfg.hidden_dim; L = cfg.n_layers;  layers_field = "n_layers";
      head = {"embeddings.word_embeddings.weight",     [cfg.vocab_size, D];
              "embeddings.position_embeddings.weight", [cfg.max_position_embeddings, D];
              "embeddings.LayerNorm.weight",           D;
              "embeddings.LayerNorm.bias",             D};
      layer = {"attention.q_lin.weight",   [D, D];
               "attention.q_lin.bias",     D;
               "attention.k_lin.weight",   [D, D];
               "attention.k_lin.bias",     D;
               "attention.v_lin.weight",   [D, D];
               "attention.v_lin.bias",     D;
               "attention.out_lin.weight", [D, D];
               "attention.out_lin.bias",   D;
               "sa_layer_norm.weight",     D;
               "sa_layer_norm.bias",       D;
               "ffn.lin1.weight",          [I, D];
               "ffn.lin1.bias",            I;
               "ffn.lin2.weight",          [D, I];
               "ffn.lin2.bias",            D;
               "output_layer_norm.weight", D;
               "output_layer_norm.bias",   D};
      prefix = "transformer.layer.%d.";
      tail = cell (0, 2);
    otherwise
      error ("cka:config:unknownArch",
             "tfm_param_spec: unknown architecture \"%s\"", char (cfg.model_type));
  endswitch
  if (L > 4096)
    error ("cka:config:badValue",
           "tfm_param_spec: %s config field %s = %d is more layers than the 4096 accepted",
           cfg.model_type, layers_field, L);
  endif
  count = @(t) sum (cellfun (@prod, t(:,2)));
  n_params = count (head) + L * count (layer) + count (tail);
  if (! list)
    names = shapes = {};
    return;
  endif
  nl = rows (layer);
  n = rows (head) + L * nl + rows (tail);
  names = cell (n, 1);
  shapes = cell (n, 1);
  names(1:rows (head)) = head(:,1);
  shapes(1:rows (head)) = head(:,2);
  k = rows (head);
  for i = 0:L-1
    p = sprintf (prefix, i);
    names(k+1:k+nl) = strcat (p, layer(:,1));
    shapes(k+1:k+nl) = layer(:,2);
    k += nl;
  endfor
  names(k+1:end) = tail(:,1);
  shapes(k+1:end) = tail(:,2);
  shapes = cellfun (@double, shapes, "UniformOutput", false);
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
%!error <unknown architecture> tfm_param_spec (struct ("model_type", "llama"))
%!error id=cka:config:badValue tfm_param_spec (setfield (tfm_config ("gpt2", struct ()), "n_layer", 5000), true, false)
