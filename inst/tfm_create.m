## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{model} =} tfm_create (@var{arch})
## @deftypefnx {cka} {@var{model} =} tfm_create (@var{arch}, @var{Name}, @var{Value}, @dots{})
## @deftypefnx {cka} {@var{model} =} tfm_create (@var{config}, @dots{})
## Create a randomly initialised transformer model from a config, to compare with CKA.
##
## @var{arch} is @qcode{"bert"}, @qcode{"gpt2"}, @qcode{"distilbert"},
## @qcode{"roberta"}, @qcode{"gpt_neox"}, @qcode{"llama"}, @qcode{"qwen2"}
## or @qcode{"mistral"} (every architecture of the registry:
## @code{__tfm_arch__ ("list")}).
## The options are the Hugging Face config fields (matched
## case-insensitively, underscores optional), every other field taking its
## Hugging Face default (transformers 4.31; for Qwen2 and Mistral, which
## came later, their first release's):
##
## With a struct @var{config} first (the @code{config} of a loaded model,
## or a decoded config.json), the architecture is its @code{model_type} and
## its fields are the starting values, which options override: an
## untrained twin of a checkpoint is
## @code{tfm_create (model.config, "Seed", 1)}.
##
## @itemize
## @item BERT: @code{hidden_size}, @code{num_hidden_layers},
## @code{num_attention_heads}, @code{intermediate_size}, @code{vocab_size},
## @code{max_position_embeddings}, @code{type_vocab_size}, @code{hidden_act},
## @code{layer_norm_eps}, @code{pad_token_id}, @code{initializer_range}, @dots{}
## @item GPT-2: @code{n_embd}, @code{n_layer}, @code{n_head}, @code{n_inner},
## @code{n_positions}, @code{vocab_size}, @code{activation_function},
## @code{layer_norm_epsilon}, @code{initializer_range}, @dots{} (the aliases
## @code{hidden_size}, @code{num_hidden_layers}, @code{num_attention_heads},
## @code{max_position_embeddings} are accepted)
## @item DistilBERT: @code{dim}, @code{n_layers}, @code{n_heads},
## @code{hidden_dim}, @code{vocab_size}, @code{max_position_embeddings},
## @code{activation}, @code{sinusoidal_pos_embds}, @code{pad_token_id},
## @code{initializer_range}, @dots{} (aliases as for GPT-2)
## @item RoBERTa: BERT's fields with RobertaConfig's defaults
## (@code{vocab_size} 50265, @code{pad_token_id} 1, @code{bos_token_id} 0,
## @code{eos_token_id} 2); the @code{pad_token_id} rows of the word and
## position embeddings are 0
## @item GPT-NeoX (Pythia): @code{hidden_size}, @code{num_hidden_layers},
## @code{num_attention_heads}, @code{intermediate_size}, @code{vocab_size},
## @code{rotary_pct}, @code{rotary_emb_base}, @code{use_parallel_residual},
## @code{attention_bias}, @code{rope_scaling}, @code{hidden_act},
## @code{layer_norm_eps}, @dots{}
## @item Llama, Qwen2, Mistral: @code{hidden_size}, @code{num_hidden_layers},
## @code{num_attention_heads}, @code{num_key_value_heads}, @code{head_dim}
## (not Qwen2), @code{intermediate_size}, @code{vocab_size},
## @code{rope_theta}, @code{rope_scaling} (a struct such as
## @code{struct ("rope_type", "linear", "factor", 2)}; types linear,
## dynamic, llama3), @code{rms_norm_eps}, @code{pad_token_id}; Llama's
## @code{attention_bias} and @code{mlp_bias}; Qwen2's
## @code{use_sliding_window}, @code{sliding_window},
## @code{max_window_layers} (its q/k/v projections always have biases);
## Mistral's @code{sliding_window} (every layer; @code{[]} for none)
## @end itemize
##
## Three more options: @qcode{"Seed"} (default 0), a non-negative integer
## below 2^53, @qcode{"Name"}, the display name, and @qcode{"DType"}:
## @qcode{"single"} (default), @qcode{"bfloat16"} or @qcode{"float16"}, the
## storage of the weight matrices (each drawn in single, then rounded to
## nearest even, one at a time, so a model of 16-bit matrices never holds
## its float32 copy; see @code{tfm_cast}).
##
## The weights are initialised like Hugging Face's @code{_init_weights}:
## every Linear / Conv1D weight and every embedding table from
## @math{N(0, r^2)} with @var{r} = @code{initializer_range}, biases 0,
## LayerNorm and RMSNorm weights 1 and biases 0, the @code{pad_token_id} row
## of the word embeddings (BERT, DistilBERT, the Llama family) 0, and GPT-2's @code{c_proj.weight}
## matrices from @math{N(0, (r / sqrt (2 n_layer))^2)}.  With DistilBERT's
## @code{sinusoidal_pos_embds} true, the position table is the sinusoidal
## one.
##
## The random numbers come from a small portable generator in C, so a given
## @qcode{"Seed"} gives the same weights on every machine (not the numbers
## PyTorch would draw): parameter @var{k} (1-based, @code{state_dict} order)
## is filled in row-major (PyTorch) element order from the stream
## @var{k}-1 of the seed; a stream is a xoshiro256** generator seeded by
## splitmix64 from @code{bitxor (seed, stream * 0x9E3779B97F4A7C15)}
## (64-bit unsigned arithmetic), and
## normals are Box-Muller pairs of 53-bit uniforms, scaled in double and
## rounded to single.
##
## @var{model} is a struct with fields @code{arch}, @code{config},
## @code{names}, @code{weights}, @code{name}, @code{source} (empty: made, not
## loaded; see @code{tfm_load}) and @code{dtype}.
##
## @example
## @group
## model = tfm_create ("bert", "hidden_size", 256, "num_hidden_layers", 6,
##                     "num_attention_heads", 4, "intermediate_size", 512,
##                     "vocab_size", 1000, "Seed", 42);
## model.config.hidden_act
## @end group
## @end example
##
## @seealso{tfm_load, tfm_forward, tfm_modules}
## @end deftypefn

function model = tfm_create (arch, varargin)
  if (nargin < 1)
    print_usage ();
  endif
  start = struct ();
  if (isstruct (arch) && isscalar (arch))
    start = arch;
    if (! (isfield (start, "model_type") && ischar (start.model_type)))
      error ("cka:config:missingField", "tfm_create: the CONFIG struct needs a model_type string");
    endif
    arch = __tfm_arch__ ("model_type", start.model_type);
    if (isempty (arch))
      error ("cka:config:unknownArch",
             "tfm_create: model_type \"%s\" is not supported (supported: %s)",
             start.model_type, strjoin (__tfm_arch__ ("list")', ", "));
    endif
    start = rmfield (start, "model_type");
  elseif (! (ischar (arch) && isrow (arch)))
    error ("cka:config:unknownArch", "tfm_create: ARCH must be a string or a config struct");
  endif
  arch = lower (arch);
  d = __tfm_arch__ ("describe", arch);      # cka:config:unknownArch
  ## HF attribute_map aliases of the config class
  aliases = vertcat ({}, d.fields.aliases);
  fields = setdiff ({d.fields.name}', {"model_type"});
  known = [fields(:); aliases(:)];
  keys = lower (strrep (known, "_", ""));

  if (mod (numel (varargin), 2) != 0)
    error ("cka:input:badOption",
           "tfm_create: options must be Name, Value pairs (got an odd number of arguments)");
  endif
  seed = 0;
  name = "";
  dtype = "float32";
  given = start;
  for k = 1:2:numel (varargin)
    opt = varargin{k};
    if (! (ischar (opt) && isrow (opt)))
      error ("cka:input:badOption", "tfm_create: option names must be strings");
    endif
    key = lower (strrep (opt, "_", ""));
    val = varargin{k+1};
    if (strcmp (key, "seed"))
      if (! (isnumeric (val) && isscalar (val) && isreal (val) && val >= 0
             && val == fix (val) && val < 2^53))
        error ("cka:input:badSeed",
               "tfm_create: Seed must be an integer in [0, 2^53)");
      endif
      seed = double (val);
    elseif (strcmp (key, "name"))
      if (! ischar (val))
        error ("cka:input:badOption", "tfm_create: Name must be a string");
      endif
      name = val;
    elseif (strcmp (key, "dtype"))
      dtype = tfm_dtype_name (val);
      if (isempty (dtype))
        error ("cka:input:badOption",
               "tfm_create: DType must be \"single\", \"bfloat16\" or \"float16\"");
      endif
    else
      idx = find (strcmp (keys, key), 1);
      if (isempty (idx))
        error ("cka:input:unknownOption",
               "tfm_create: unknown option '%s' for %s (valid: Seed, Name, DType, %s)",
               opt, arch, strjoin (sort (known)', ", "));
      endif
      given.(known{idx}) = val;
    endif
  endfor
  cfg = tfm_config (arch, given, merge (strcmp (dtype, "float32"), 4, 2));
  for a = aliases'
    if (isfield (cfg, a{1}))
      cfg = rmfield (cfg, a{1});        # resolved into the canonical field
    endif
  endfor

  ## Hugging Face _init_weights, rule by rule from the registry
  [names, shapes, ~, init] = tfm_param_spec (cfg);
  r = cfg.initializer_range;
  weights = cell (numel (names), 1);
  for k = 1:numel (names)
    shp = shapes{k};
    switch (init.kind{k})
      case "ones"                                   # LayerNorm gamma
        weights{k} = ones (shp, 1, "single");
      case "zeros"                                  # biases, LayerNorm beta
        weights{k} = zeros (shp, 1, "single");
      case {"normal", "sinusoidal"}
        sd = r;
        if (init.std_div(k) != 1)
          sd = r / sqrt (init.std_div(k));
        endif
        v = __tfm_randn__ (seed, k - 1, sd, prod (shp));
        weights{k} = reshape (v, shp(2), shp(1)).';  # row-major fill of [shp(1), shp(2)]
        if (strcmp (init.kind{k}, "sinusoidal"))
          weights{k} = sinusoidal_table (shp(1), shp(2));
        endif
      otherwise
        error ("cka:internal:registry", "tfm_create: unknown init rule \"%s\" of %s",
               init.kind{k}, names{k});
    endswitch
    if (init.zero_row(k) > 0)
      weights{k}(init.zero_row(k), :) = 0;          # padding_idx row
    endif
    if (! strcmp (dtype, "float32") && numel (shp) == 2)
      weights{k} = __tfm_cast__ (weights{k}, dtype);   # matrices: 2 bytes a weight
    endif
  endfor

  if (isempty (name))
    name = sprintf ("%s (random, seed %d)", arch, seed);
  endif
  model = struct ("arch", arch, "config", cfg, "names", {names},
                  "weights", {weights}, "name", name, "source", "", "dtype", dtype);
endfunction

## DistilBERT's create_sinusoidal_embeddings, in double then rounded.
function W = sinusoidal_table (n_pos, dim)
  j = 0:dim-1;
  angle = (0:n_pos-1)' ./ (10000 .^ (2 * floor (j / 2) / dim));
  W = zeros (n_pos, dim);
  W(:, 1:2:end) = sin (angle(:, 1:2:end));
  W(:, 2:2:end) = cos (angle(:, 2:2:end));
  W = single (W);
endfunction

%!test
%! m = tfm_create ("bert", "hidden_size", 32, "num_hidden_layers", 2,
%!                 "num_attention_heads", 4, "intermediate_size", 64,
%!                 "vocab_size", 100, "Seed", 7);
%! assert (m.arch, "bert");
%! assert (m.config.hidden_size, 32);
%! assert (m.config.layer_norm_eps, 1e-12);
%! assert (m.config.max_position_embeddings, 512);
%! assert (numel (m.names), 5 + 16 * 2 + 2);
%! assert (all (cellfun (@(w) isa (w, "single"), m.weights)));
%! W = m.weights{strcmp (m.names, "embeddings.word_embeddings.weight")};
%! assert (size (W), [100 32]);
%! assert (W(1,:), zeros (1, 32, "single"));      # pad_token_id 0
%! assert (m.weights{strcmp (m.names, "embeddings.LayerNorm.weight")}, ones (32, 1, "single"));
%! assert (m.weights{strcmp (m.names, "encoder.layer.1.output.dense.bias")}, zeros (32, 1, "single"));
%! assert (size (m.weights{strcmp (m.names, "encoder.layer.0.intermediate.dense.weight")}), [64 32]);
%! ## every 2-D tensor ~ N(0, 0.02^2) (the zeroed padding row left out)
%! for k = find (cellfun (@columns, m.weights) > 1)'
%!   w = m.weights{k};
%!   if (k == 1)
%!     w = w(2:end, :);
%!   endif
%!   w = double (w(:));
%!   n = numel (w);
%!   assert (abs (mean (w)) < 5 * 0.02 / sqrt (n));
%!   assert (abs (std (w, 1) / 0.02 - 1) < 5 / sqrt (2 * n));
%! endfor

%!test
%! ## same seed, same weights; different seed, different weights
%! a = tfm_create ("gpt2", "n_embd", 16, "n_layer", 1, "n_head", 2, "vocab_size", 20, "Seed", 5);
%! b = tfm_create ("gpt2", "n_embd", 16, "n_layer", 1, "n_head", 2, "vocab_size", 20, "Seed", 5);
%! c = tfm_create ("gpt2", "n_embd", 16, "n_layer", 1, "n_head", 2, "vocab_size", 20, "Seed", 6);
%! assert (isequal (a.weights, b.weights));
%! assert (! isequal (a.weights{1}, c.weights{1}));

%!test
%! ## portable generator: fixed values for seed 42, stream 0, row-major fill
%! v = __tfm_randn__ (42, 0, 1, 4);
%! assert (class (v), "single");
%! assert (__tfm_randn__ (0, 0, 1, 4),
%!         single ([-0.0141067971; -1.00858653; -1.84589505; 1.06692827]));
%! m = tfm_create ("gpt2", "n_embd", 4, "n_layer", 1, "n_head", 1, "vocab_size", 3,
%!                 "initializer_range", 1, "Seed", 42);
%! assert (m.weights{1}(1, :), v');

%!test
%! ## weight statistics match the initialiser (HF _init_weights)
%! m = tfm_create ("gpt2", "n_embd", 256, "n_layer", 8, "n_head", 4, "vocab_size", 1000,
%!                 "Seed", 1);
%! r = 0.02;
%! for k = 1:numel (m.names)
%!   w = double (m.weights{k}(:));
%!   if (columns (m.weights{k}) == 1)
%!     continue;
%!   endif
%!   sd = r;
%!   if (! isempty (strfind (m.names{k}, "c_proj.weight")))
%!     sd = r / sqrt (16);
%!   endif
%!   n = numel (w);
%!   assert (abs (mean (w)) < 5 * sd / sqrt (n));
%!   assert (abs (std (w, 1) / sd - 1) < 5 / sqrt (2 * n));
%!   assert (abs (mean (w.^4) / sd^4 - 3) < 0.1);       # normal kurtosis
%! endfor
%! assert (m.weights{strcmp (m.names, "ln_f.weight")}, ones (256, 1, "single"));
%! assert (m.weights{strcmp (m.names, "h.3.attn.c_attn.bias")}, zeros (768, 1, "single"));
%! assert (size (m.weights{strcmp (m.names, "h.0.mlp.c_fc.weight")}), [256 1024]);

%!test
%! ## BERT and DistilBERT statistics, aliases, sinusoidal table
%! m = tfm_create ("distilbert", "hidden_size", 64, "n_layers", 2, "n_heads", 4,
%!                 "hidden_dim", 128, "vocab_size", 500, "sinusoidal_pos_embds", true,
%!                 "initializer_range", 0.05, "Seed", 3, "Name", "toy");
%! assert (m.name, "toy");
%! assert (m.config.dim, 64);
%! assert (! isfield (m.config, "hidden_size"));
%! P = m.weights{2};
%! assert (size (P), [512 64]);
%! assert (double (P(1, 1:2)), [0 1]);
%! assert (double (P(3, 1)), sin (2), 1e-7);
%! assert (double (P(3, 4)), cos (2 / 10000^(2/64)), 1e-7);
%! W = double (m.weights{strcmp (m.names, "transformer.layer.1.ffn.lin1.weight")}(:));
%! assert (std (W, 1), 0.05, 0.05 * 5 / sqrt (2 * numel (W)));
%! assert (all (m.weights{1}(1, :) == 0));

%!test
%! m = tfm_create ("bert", "Hidden_Size", 16, "numhiddenlayers", 1,
%!                 "num_attention_heads", 2, "intermediate_size", 8, "vocab_size", 9,
%!                 "pad_token_id", 3, "hidden_act", "relu");
%! assert (m.config.num_hidden_layers, 1);
%! assert (m.config.hidden_act, "relu");
%! assert (all (m.weights{1}(4, :) == 0));
%! assert (any (m.weights{1}(1, :) != 0));
%! h = tfm_forward (m, [0 1 2]);
%! assert (size (h), [1 3 16]);

%!error id=cka:config:unknownArch tfm_create ("t5")
%!error id=cka:input:unknownOption tfm_create ("bert", "n_embd", 32)
%!error id=cka:input:badOption tfm_create ("bert", "hidden_size")
%!error id=cka:input:badSeed tfm_create ("bert", "Seed", -1)
%!error id=cka:input:badOption tfm_create ("bert", "DType", "int8")

## 16-bit matrices: the single model's weights rounded, one tensor at a time;
## the forward of the bf16 model is the forward of its exact float32 widening
%!test
%! opts = {"hidden_size", 64, "num_hidden_layers", 2, "num_attention_heads", 4, ...
%!         "intermediate_size", 96, "vocab_size", 120, "Seed", 3};
%! s = tfm_create ("llama", opts{:});
%! for t = {"bfloat16", "float16"}
%!   h = tfm_create ("llama", opts{:}, "DType", t{1});
%!   assert (h.dtype, t{1});
%!   assert (h.weights, tfm_cast (s, t{1}).weights);
%!   w = tfm_cast (h, "single");
%!   ids = mod ((1:48) * 7, 120);
%!   ids = reshape (ids, 3, 16);
%!   [~, a16] = tfm_forward (h, ids, "Hooks", {"layers.0.mlp", "layers.1", "norm"});
%!   [~, a32] = tfm_forward (w, ids, "Hooks", {"layers.0.mlp", "layers.1", "norm"});
%!   for k = 1:3
%!     assert (a16{k}, a32{k}, 1e-5 * max (1, max (abs (a32{k}(:)))));
%!   endfor
%! endfor
%!error id=cka:config:badValue tfm_create ("bert", "hidden_size", 30, "num_attention_heads", 4)
%!error id=cka:config:unknownActivation tfm_create ("gpt2", "activation_function", "gelu_old")
