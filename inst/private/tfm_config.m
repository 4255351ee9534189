## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{cfg} =} tfm_config (@var{arch}, @var{given})
## Complete and validate a Hugging Face config for architecture @var{arch}
## (@qcode{"bert"}, @qcode{"gpt2"} or @qcode{"distilbert"}).
##
## @var{given} is a struct of config.json fields (as @code{jsondecode} returns
## them) or of @code{tfm_create} options.  Every field the Hugging Face config
## class (transformers 4.31) would fill is filled with its default; the alias
## names of GPT-2 (@code{hidden_size} for @code{n_embd}, @dots{}) and
## DistilBERT (@code{hidden_size} for @code{dim}, @dots{}) are mapped to the
## canonical field, the alias winning as in Hugging Face.  Unknown fields are
## kept, as Hugging Face keeps them.  Errors are @code{cka:config:*};
## @code{cka:config:tooLarge} when the model would not fit in the memory
## available (before anything is allocated).
## @end deftypefn

function cfg = tfm_config (arch, given)
  if (nargin < 2 || isempty (given))
    given = struct ();
  endif
  [defaults, aliases, ints] = arch_defaults (arch);
  cfg = defaults;
  for f = fieldnames (given)'
    cfg.(f{1}) = given.(f{1});
  endfor
  ## HF sets the canonical field first, then applies the alias keys.
  for k = 1:2:numel (aliases)
    if (isfield (given, aliases{k}))
      cfg.(aliases{k+1}) = given.(aliases{k});
    endif
  endfor
  cfg.model_type = arch;
  for k = 1:numel (ints)
    check_positive_int (cfg, ints{k}, arch);
  endfor
  switch (arch)
    case "bert"
      check_heads (cfg, "hidden_size", "num_attention_heads");
      check_act (cfg, "hidden_act");
      check_nonneg_int (cfg, "pad_token_id", arch);
      if (! any (strcmp (cfg.position_embedding_type, {"absolute"})))
        error ("cka:config:unsupported",
               "tfm_config: position_embedding_type \"%s\" is not supported (only \"absolute\")",
               char (cfg.position_embedding_type));
      endif
      if (istrue (cfg.is_decoder) || istrue (cfg.add_cross_attention))
        error ("cka:config:unsupported",
               "tfm_config: BERT decoders (is_decoder / add_cross_attention) are not supported");
      endif
      if (! isempty (cfg.pruned_heads) && ! isequal (cfg.pruned_heads, struct ()))
        error ("cka:config:unsupported",
               "tfm_config: checkpoints with pruned_heads are not supported");
      endif
    case "gpt2"
      if (isempty (cfg.n_inner))
        cfg.n_inner = [];     # null: 4 * n_embd, resolved by tfm_inner_size
      else
        check_positive_int (cfg, "n_inner", arch);
      endif
      check_heads (cfg, "n_embd", "n_head");
      check_act (cfg, "activation_function");
      if (istrue (cfg.add_cross_attention))
        error ("cka:config:unsupported",
               "tfm_config: GPT-2 with add_cross_attention is not supported");
      endif
    case "distilbert"
      check_heads (cfg, "dim", "n_heads");
      check_act (cfg, "activation");
      check_nonneg_int (cfg, "pad_token_id", arch);
  endswitch
  check_nonneg_real (cfg, "initializer_range");
  check_memory (cfg);
endfunction

function check_memory (cfg)
  ## Sizes come from files and users: refuse a model that cannot fit before
  ## anything proportional to it is built (the weights are single: 4 bytes).
  [~, ~, n_params] = tfm_param_spec (cfg, true, false);
  cka_check_memory (4 * n_params, "cka:config:tooLarge",
                    sprintf ("tfm_config: the %s config describes %.4g parameters",
                             cfg.model_type, n_params));
endfunction

function [d, aliases, ints] = arch_defaults (arch)
  if (! ischar (arch))
    error ("cka:config:unknownArch", "tfm_config: the architecture must be a string");
  endif
  switch (arch)
    case "bert"
      d = struct ("model_type", "bert", "vocab_size", 30522, "hidden_size", 768,
                  "num_hidden_layers", 12, "num_attention_heads", 12,
                  "intermediate_size", 3072, "hidden_act", "gelu",
                  "hidden_dropout_prob", 0.1, "attention_probs_dropout_prob", 0.1,
                  "max_position_embeddings", 512, "type_vocab_size", 2,
                  "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                  "pad_token_id", 0, "position_embedding_type", "absolute",
                  "use_cache", true, "classifier_dropout", [],
                  "is_decoder", false, "add_cross_attention", false,
                  "chunk_size_feed_forward", 0, "pruned_heads", struct ());
      aliases = {};
      ints = {"vocab_size", "hidden_size", "num_hidden_layers", ...
              "num_attention_heads", "intermediate_size", ...
              "max_position_embeddings", "type_vocab_size"};
    case "gpt2"
      d = struct ("model_type", "gpt2", "vocab_size", 50257, "n_positions", 1024,
                  "n_embd", 768, "n_layer", 12, "n_head", 12, "n_inner", [],
                  "activation_function", "gelu_new", "resid_pdrop", 0.1,
                  "embd_pdrop", 0.1, "attn_pdrop", 0.1,
                  "layer_norm_epsilon", 1e-5, "initializer_range", 0.02,
                  "scale_attn_weights", true,
                  "scale_attn_by_inverse_layer_idx", false,
                  "reorder_and_upcast_attn", false, "add_cross_attention", false,
                  "use_cache", true, "bos_token_id", 50256, "eos_token_id", 50256);
      aliases = {"hidden_size", "n_embd", "max_position_embeddings", "n_positions", ...
                 "num_attention_heads", "n_head", "num_hidden_layers", "n_layer"};
      ints = {"vocab_size", "n_positions", "n_embd", "n_layer", "n_head"};
    case "distilbert"
      d = struct ("model_type", "distilbert", "vocab_size", 30522,
                  "max_position_embeddings", 512, "sinusoidal_pos_embds", false,
                  "n_layers", 6, "n_heads", 12, "dim", 768, "hidden_dim", 3072,
                  "dropout", 0.1, "attention_dropout", 0.1, "activation", "gelu",
                  "initializer_range", 0.02, "qa_dropout", 0.1,
                  "seq_classif_dropout", 0.2, "pad_token_id", 0);
      aliases = {"hidden_size", "dim", "num_attention_heads", "n_heads", ...
                 "num_hidden_layers", "n_layers"};
      ints = {"vocab_size", "max_position_embeddings", "n_layers", "n_heads", ...
              "dim", "hidden_dim"};
    otherwise
      error ("cka:config:unknownArch",
             "tfm_config: unknown architecture \"%s\" (supported: bert, gpt2, distilbert)",
             arch);
  endswitch
endfunction

function tf = istrue (v)
  tf = ! isempty (v) && (islogical (v) || isnumeric (v)) && all (v(:) != 0);
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

function check_act (cfg, f)
  known = {"gelu", "gelu_python", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", ...
           "gelu_accurate", "quick_gelu", "relu", "relu6", "silu", "swish", ...
           "sigmoid", "tanh", "linear"};
  v = cfg.(f);
  if (! (ischar (v) && any (strcmp (v, known))))
    if (! ischar (v))
      v = "(not a string)";
    endif
    error ("cka:config:unknownActivation",
           "tfm_config: unknown activation %s = \"%s\" (supported: %s)",
           f, v, strjoin (known, ", "));
  endif
endfunction
