## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{model} =} tfm_load (@var{path})
## @deftypefnx {cka} {@var{model} =} tfm_load (@var{path}, @var{Name}, @var{Value}, @dots{})
## Load a Hugging Face checkpoint for CKA: BERT, GPT-2, DistilBERT, RoBERTa,
## GPT-NeoX (Pythia), Llama, Qwen2 or Mistral (any architecture of the
## registry, @code{__tfm_arch__ ("list")}).
##
## @var{path} is one of
## @itemize
## @item a model directory (a hub snapshot or a @code{save_pretrained}
## output) with @file{config.json} and either @file{model.safetensors} or
## @file{model.safetensors.index.json} plus its shards;
## @item a @file{.safetensors} file, with a @file{config.json} beside it or
## the @qcode{"Config"} option;
## @item a sharded index @file{model.safetensors.index.json}.
## @end itemize
##
## @file{config.json} is read with @code{jsondecode} (after checking that it
## is a regular file of at most 64 MiB, nested at most 64 levels deep,
## without duplicate keys); the architecture comes
## from @code{model_type} (else from @code{architectures}), and every field
## the Hugging Face config class would fill is filled with its default.
## Real hub layouts load as @code{from_pretrained} of the bare model would
## load them: the @code{bert.}, @code{transformer.}, @code{distilbert.},
## @code{roberta.}, @code{gpt_neox.} and @code{model.} prefixes of head
## checkpoints (@code{*ForMaskedLM}, @code{*LMHeadModel},
## @code{*ForCausalLM}, @dots{}) are stripped, the legacy TensorFlow names
## @code{LayerNorm.gamma}/@code{LayerNorm.beta} are renamed, buffers (the
## old GPT-2 and GPT-NeoX @code{attn.bias}/@code{masked_bias}, the
## @code{rotary_emb.inv_freq} of older decoder files, @code{position_ids})
## are skipped without being decoded, and every other tensor the bare model
## does not use (head weights such as @code{cls.*}, @code{lm_head.*},
## @code{embed_out.*}, @code{vocab_*}) is skipped with one warning
## @code{cka:load:unusedTensors} that lists them.  F32 (and F64, rounded)
## tensors become @code{single}.  The weight matrices of an F16 or BF16
## checkpoint stay in that precision, 2 bytes per weight: @code{uint16}
## arrays of the 16-bit numbers, with @code{@var{model}.dtype} set to
## @qcode{"float16"} or @qcode{"bfloat16"} (see @code{tfm_cast}); the
## forward widens them exactly inside its products, so the model computes
## what Hugging Face computes from the same checkpoint in float32, with half
## the memory.  Biases and norm vectors are widened to @code{single}.
##
## @var{model} is a struct with fields @code{arch} (@qcode{"bert"},
## @qcode{"gpt2"}, @qcode{"distilbert"}, @qcode{"roberta"},
## @qcode{"gpt_neox"}, @qcode{"llama"}, @qcode{"qwen2"} or
## @qcode{"mistral"}: a name of the registry), @code{config} (Hugging Face
## field names, defaults filled), @code{names} (state_dict names of the
## bare model in state_dict order), @code{weights} (@code{single} arrays in
## PyTorch shapes, 1-D tensors as columns), @code{name} (the directory's
## name) and @code{source} (the absolute path it was read from).  Shown
## without a semicolon it is a short summary; @code{fdisp (stdout, model)}
## prints every field.
##
## Options:
## @table @asis
## @item @qcode{"Config"}
## A config struct (as @code{jsondecode} returns config.json) or the path of
## a config.json to use instead of the one beside the weights.
## @item @qcode{"DType"}
## @qcode{"auto"} (default: F16/BF16 matrices stay 16-bit, unless a file
## mixes the two types), @qcode{"single"} (every weight widened to
## @code{single}, as before version 0.2), @qcode{"bfloat16"} or
## @qcode{"float16"} (matrices stored in that type, rounded to nearest even
## when the file holds another: @code{tfm_cast}).
## @end table
##
## Errors: @code{cka:load:noConfig}, @code{cka:load:noWeights},
## @code{cka:load:badConfig}, @code{cka:load:unknownArch},
## @code{cka:load:missingTensor}, @code{cka:load:shapeMismatch},
## @code{cka:load:badDtype}, @code{cka:load:badIndex}, the
## @code{cka:config:*} errors of the config validation and the
## @code{cka:safetensors:*} errors of @code{safetensors_info}, and for the
## JSON files @code{cka:io:notRegularFile} (a FIFO or a device),
## @code{cka:io:tooLarge}, @code{cka:json:tooDeep} and
## @code{cka:json:duplicateKey}.  A BERT or
## RoBERTa checkpoint without pooler weights (the real roberta-base has
## none) loads without a pooler, with the warning @code{cka:load:noPooler}:
## its weights are never invented.
##
## @example
## @group
## model = tfm_load ("bert-base-uncased");   # a downloaded hub snapshot
## model.config.num_hidden_layers
## @end group
## @end example
##
## @seealso{tfm_save, safetensors_info, safetensors_read}
## @end deftypefn

function model = tfm_load (path, varargin)
  if (nargin < 1)
    print_usage ();
  endif
  opts = parse_options ("tfm_load", struct ("Config", [], "DType", "auto"), varargin);
  want_type = load_type (opts.DType);
  if (! (ischar (path) && isrow (path)))
    error ("cka:input:type", "tfm_load: PATH must be a directory or file name");
  endif
  [files, index, dir, name] = locate (path);
  given = read_config (opts.Config, dir);
  arch = detect_arch (given, dir);
  cfg = tfm_config (arch, given, merge (strcmp (want_type, "float32"), 4, 2));
  d = __tfm_arch__ ("describe", arch);

  ## headers of every file, validated before any data is read
  hs = cellfun (@st_header, files, "UniformOutput", false);
  if (! isempty (index))
    check_index (index, files, hs);
  endif
  keys = {}; src = zeros (0, 2); meta = struct ();
  for f = 1:numel (hs)
    keys = [keys; hs{f}.names];
    src = [src; [f*ones(numel (hs{f}.names), 1), (1:numel (hs{f}.names))']];
    mf = fieldnames (hs{f}.metadata);
    for k = 1:numel (mf)
      meta.(mf{k}) = hs{f}.metadata.(mf{k});
    endfor
  endfor
  where = path;

  ## prefixes (of head checkpoints), legacy names, buffers: the registry's
  [expected, shapes] = tfm_param_spec (cfg);
  prefix = "";
  for p = d.key_prefixes'
    if (any (strncmp (keys, p{1}, numel (p{1}))))
      prefix = p{1};
      break;
    endif
  endfor
  has_prefix = ! isempty (prefix);
  bare = keys;
  outside = false (size (keys));
  if (has_prefix)
    inside = strncmp (keys, prefix, numel (prefix));
    bare(inside) = cellfun (@(s) s(numel (prefix)+1:end), keys(inside), "UniformOutput", false);
    outside = ! inside;
  endif
  bare = rename_legacy (bare, expected);

  ## find each expected parameter
  [found, loc] = ismember (expected, bare(! outside));
  inner = find (! outside);
  loc(found) = inner(loc(found));
  for k = find (! found)'
    ## tied weights removed by the conversion bot: __metadata__ aliases
    full = expected{k};
    if (has_prefix)
      full = [prefix full];
    endif
    if (isfield (meta, full))
      j = find (strcmp (keys, meta.(full)), 1);
      if (! isempty (j))
        found(k) = true; loc(k) = j;
      endif
    endif
  endfor
  opt = d.optional_prefix;
  if (! isempty (opt))
    pool = strncmp (expected, opt, numel (opt));
    if (! any (found(pool)))
      warning ("cka:load:noPooler",
               "tfm_load: %s has no %s weights; the model is loaded without a %s",
               where, opt(1:end-1), opt(1:end-1));
      expected = expected(! pool); shapes = shapes(! pool);
      found = found(! pool); loc = loc(! pool);
    endif
  endif
  if (! all (found))
    miss = expected(! found);
    error ("cka:load:missingTensor",
           "tfm_load: %s lacks %d tensor(s) of the %s model: %s", where, numel (miss),
           arch, list_names (miss));
  endif

  ## everything else: buffers silently, the rest with one warning
  unused = true (size (keys));
  unused(loc) = false;
  buffer = false (size (keys));
  if (! isempty (d.buffers))
    buffer = ! cellfun (@isempty, regexp (bare, strjoin (d.buffers', "|"), "once"));
  endif
  extra = keys(unused & ! buffer);
  if (! isempty (extra))
    warning ("cka:load:unusedTensors",
             "tfm_load: %d tensor(s) of %s are not used by the bare %s model and were skipped: %s",
             numel (extra), where, arch, list_names (extra));
  endif

  ## dtypes and shapes, then the data
  for k = 1:numel (expected)
    h = hs{src(loc(k), 1)};
    j = src(loc(k), 2);
    if (! any (strcmp (h.dtypes{j}, {"F32", "F16", "BF16", "F64"})))
      error ("cka:load:badDtype",
             "tfm_load: %s: tensor \"%s\" has dtype %s; a parameter must be F32, F16, BF16 or F64",
             h.file, h.names{j}, h.dtypes{j});
    endif
    if (! isequal (h.shapes{j}, reshape (shapes{k}, 1, [])))
      error ("cka:load:shapeMismatch",
             "tfm_load: %s: tensor \"%s\" has shape %s, the config implies %s for %s",
             h.file, h.names{j}, fmt_shape (h.shapes{j}), fmt_shape (shapes{k}), expected{k});
    endif
  endfor
  ## the matrices' 16-bit type, if they use one (and only one)
  file_types = cellfun (@(h, j) h.dtypes{j}, hs(src(loc, 1)), num2cell (src(loc, 2)),
                        "UniformOutput", false);
  is_matrix = cellfun (@numel, shapes) == 2;
  half = unique (file_types(is_matrix & ismember (file_types, {"F16", "BF16"})));
  keep16 = ! strcmp (want_type, "float32") && numel (half) == 1;
  dtype = "float32";
  if (keep16)
    dtype = cka_ifelse (strcmp (half{1}, "BF16"), "bfloat16", "float16");
  endif
  weights = cell (numel (expected), 1);
  for f = 1:numel (hs)
    sel = find (src(loc, 1) == f);
    if (! isempty (sel))
      weights(sel) = st_read_tensors (hs{f}, src(loc(sel), 2), keep16);
    endif
  endfor
  model = struct ("arch", arch, "config", cfg);
  model.names = expected(:);
  model.weights = weights;
  model.name = name;
  model.source = make_absolute_filename (path);
  model.dtype = dtype;
  if (! any (strcmp (want_type, {"auto", dtype})))
    model = tfm_cast (model, want_type);
  endif
endfunction

function t = load_type (s)
  t = "auto";
  if (! (ischar (s) && strcmpi (s, "auto")))
    t = tfm_dtype_name (s);
  endif
  if (isempty (t))
    error ("cka:input:badOption",
           "tfm_load: DType must be \"auto\", \"single\", \"bfloat16\" or \"float16\"");
  endif
endfunction

function [files, index, dir, name] = locate (path)
  index = [];
  if (isfolder (path))
    dir = path;
    if (exist (fullfile (dir, "model.safetensors"), "file"))
      files = {fullfile(dir, "model.safetensors")};
    elseif (exist (fullfile (dir, "model.safetensors.index.json"), "file"))
      [files, index] = read_index (fullfile (dir, "model.safetensors.index.json"));
    else
      other = {"pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", ...
               "flax_model.msgpack", "model.ckpt.index"};
      present = other(cellfun (@(f) exist (fullfile (dir, f), "file") == 2, other));
      variants = glob (fullfile (dir, "*.safetensors"));
      if (! isempty (present))
        msg = sprintf ("; found %s, which cannot be read here (convert it to safetensors)",
                       strjoin (present, ", "));
      elseif (! isempty (variants))
        [~, b, e] = cellfun (@fileparts, variants, "UniformOutput", false);
        msg = sprintf ("; found %s (pass the file to load a variant)",
                       strjoin (strcat (b, e)', ", "));
      else
        msg = "";
      endif
      error ("cka:load:noWeights",
             "tfm_load: %s has neither model.safetensors nor model.safetensors.index.json%s",
             dir, msg);
    endif
  elseif (exist (path, "file"))
    dir = fileparts (path);
    if (isempty (dir))
      dir = ".";
    endif
    if (numel (path) >= 5 && strcmpi (path(end-4:end), ".json"))
      [files, index] = read_index (path);
    else
      files = {path};
    endif
  else
    error ("cka:load:notFound", "tfm_load: no such file or directory: %s", path);
  endif
  name = dir;
  while (numel (name) > 1 && any (name(end) == "/\\"))
    name(end) = [];
  endwhile
  [~, b, e] = fileparts (name);
  name = [b e];
  if (isempty (name) || strcmp (name, "."))
    name = pwd_name (dir);
  endif
endfunction

function n = pwd_name (dir)
  old = pwd ();
  unwind_protect
    cd (dir);
    [~, b, e] = fileparts (pwd ());
    n = [b e];
  unwind_protect_cleanup
    cd (old);
  end_unwind_protect
endfunction

function [files, index] = read_index (file)
  index = cka_read_json (file, "tfm_load", "cka:load:badIndex");
  if (! (isstruct (index) && isscalar (index) && isfield (index, "weight_map")
         && isstruct (index.weight_map) && isscalar (index.weight_map)))
    error ("cka:load:badIndex", "tfm_load: %s has no \"weight_map\" object", file);
  endif
  vals = struct2cell (index.weight_map);
  if (! iscellstr (vals))
    error ("cka:load:badIndex", "tfm_load: %s: weight_map values must be file names", file);
  endif
  shards = unique (vals);
  bad = ! cellfun (@isempty, regexp (shards, '[/\\]|^\.\.?$|\.\.', "once"));
  if (any (bad) || any (cellfun (@isempty, shards)))
    error ("cka:load:badIndex", "tfm_load: %s: shard name \"%s\" is not a plain file name",
           file, shards{find (bad, 1)});
  endif
  dir = fileparts (file);
  files = cellfun (@(s) fullfile (dir, s), shards, "UniformOutput", false);
  for k = 1:numel (files)
    if (exist (files{k}, "file") != 2)
      error ("cka:load:badIndex", "tfm_load: shard %s listed in %s does not exist",
             files{k}, file);
    endif
  endfor
  index = struct ("file", file, "names", {fieldnames(index.weight_map)}, "shards", {vals});
endfunction

function check_index (index, files, hs)
  for f = 1:numel (files)
    [~, b, e] = fileparts (files{f});
    listed = index.names(strcmp (index.shards, [b e]));
    have = hs{f}.names;
    d1 = setdiff (listed, have);
    d2 = setdiff (have, listed);
    if (! isempty (d1))
      error ("cka:load:badIndex", "tfm_load: %s maps \"%s\" to %s, which does not contain it",
             index.file, d1{1}, files{f});
    elseif (! isempty (d2))
      error ("cka:load:badIndex",
             "tfm_load: %s contains \"%s\", which %s does not map to it",
             files{f}, d2{1}, index.file);
    endif
  endfor
endfunction

function given = read_config (cfg_opt, dir)
  if (isstruct (cfg_opt))
    given = cfg_opt;
    return;
  elseif (ischar (cfg_opt) && ! isempty (cfg_opt))
    file = cfg_opt;
  elseif (isempty (cfg_opt))
    file = fullfile (dir, "config.json");
  else
    error ("cka:input:type", "tfm_load: Config must be a struct or a file name");
  endif
  if (exist (file, "file") != 2)
    error ("cka:load:noConfig",
           "tfm_load: %s not found (pass \"Config\" to give the configuration)", file);
  endif
  given = cka_read_json (file, "tfm_load", "cka:load:badConfig");
  if (! (isstruct (given) && isscalar (given)))
    error ("cka:load:badConfig", "tfm_load: %s is not a JSON object", file);
  endif
endfunction

## The architecture of a config: its model_type (any value an architecture
## of the registry serves), else the class prefix of architectures{1}.
function arch = detect_arch (given, dir)
  known = __tfm_arch__ ("list");
  if (isfield (given, "model_type") && ischar (given.model_type))
    arch = __tfm_arch__ ("model_type", given.model_type);
    if (isempty (arch))
      error ("cka:load:unknownArch",
             "tfm_load: %s: model_type \"%s\" is not supported (supported: %s)", dir,
             given.model_type, strjoin (known', ", "));
    endif
    return;
  endif
  if (isfield (given, "architectures") && iscellstr (given.architectures)
      && ! isempty (given.architectures))
    a = given.architectures{1};
    best = 0;
    for k = 1:numel (known)
      for p = __tfm_arch__ ("describe", known{k}).class_prefixes'
        if (strncmp (a, p{1}, numel (p{1})) && numel (p{1}) > best)
          arch = known{k};
          best = numel (p{1});
        endif
      endfor
    endfor
    if (best > 0)
      return;
    endif
  endif
  error ("cka:load:unknownArch",
         "tfm_load: %s: config.json has no supported model_type (supported: %s)", dir,
         strjoin (known', ", "));
endfunction

function names = rename_legacy (names, expected)
  ## TF-era names LayerNorm.gamma / .beta -> .weight / .bias, when the result
  ## is a parameter of the model (HF renames by substring; same on real files)
  for k = find (! cellfun (@isempty, regexp (names, '\.(gamma|beta)$', "once")))'
    n = regexprep (names{k}, '\.gamma$', '.weight');
    n = regexprep (n, '\.beta$', '.bias');
    if (any (strcmp (n, expected)) && ! any (strcmp (names{k}, expected))
        && ! any (strcmp (n, names)))
      names{k} = n;
    endif
  endfor
endfunction

function s = fmt_shape (sh)
  s = ["[" strjoin(arrayfun (@(d) sprintf ("%d", d), sh, "UniformOutput", false), ", ") "]"];
endfunction

function s = list_names (c)
  if (numel (c) > 12)
    s = [strjoin(c(1:12)', ", ") sprintf(", ... (%d more)", numel (c) - 12)];
  else
    s = strjoin (c(:)', ", ");
  endif
endfunction

%!shared d
%! d = tempname ();
%! mkdir (d);
%! cfg = struct ("model_type", "bert", "vocab_size", 11, "hidden_size", 4, ...
%!               "num_hidden_layers", 1, "num_attention_heads", 2, ...
%!               "intermediate_size", 6, "max_position_embeddings", 8);
%! fid = fopen (fullfile (d, "config.json"), "w"); fputs (fid, jsonencode (cfg)); fclose (fid);
%! n = {"embeddings.word_embeddings.weight"; "embeddings.position_embeddings.weight"; ...
%!      "embeddings.token_type_embeddings.weight"; "embeddings.LayerNorm.weight"; ...
%!      "embeddings.LayerNorm.bias"};
%! s = {[11 4]; [8 4]; [2 4]; 4; 4};
%! L = {"attention.self.query", [4 4]; "attention.self.key", [4 4]; ...
%!      "attention.self.value", [4 4]; "attention.output.dense", [4 4]; ...
%!      "attention.output.LayerNorm", [4 0]; "intermediate.dense", [6 4]; ...
%!      "output.dense", [4 6]; "output.LayerNorm", [4 0]};
%! for k = 1:rows (L)
%!   w = L{k,2};
%!   if (w(2) == 0)
%!     n(end+1:end+2) = strcat ("encoder.layer.0.", L{k,1}, {".gamma"; ".beta"});
%!     s(end+1:end+2) = {w(1); w(1)};
%!   else
%!     n(end+1:end+2) = strcat ("encoder.layer.0.", L{k,1}, {".weight"; ".bias"});
%!     s(end+1:end+2) = {w; w(1)};
%!   endif
%! endfor
%! n(end+1:end+4) = {"pooler.dense.weight"; "pooler.dense.bias"; "cls.x.weight"; "embeddings.position_ids"};
%! s(end+1:end+4) = {[4 4]; 4; [3 3]; [1 8]};
%! w = cellfun (@(x) single (randn ([x 1](1:max (2, numel (x))))), s, "UniformOutput", false);
%! safetensors_write (fullfile (d, "model.safetensors"), strcat ("bert.", n), w, "Shapes", s);
%! warning ("off", "cka:load:unusedTensors", "local");
%!test
%! warning ("off", "cka:load:unusedTensors", "local");
%! m = tfm_load (d);
%! assert (m.arch, "bert");
%! assert (m.config.hidden_size, 4);
%! assert (m.config.layer_norm_eps, 1e-12);
%! assert (numel (m.names), 5 + 16 + 2);
%! assert (size (m.weights{1}), [11 4]);
%! assert (size (m.weights{4}), [4 1]);
%! assert (class (m.weights{1}), "single");
%! [~, b] = fileparts (d);
%! assert (m.name, b);
%!test
%! lastwarn ("");
%! m = tfm_load (fullfile (d, "model.safetensors"));
%! assert (numel (m.weights), 23);
%! [msg, id] = lastwarn ();
%! assert (id, "cka:load:unusedTensors");
%! assert (! isempty (strfind (msg, "cls.x.weight")));
%! assert (isempty (strfind (msg, "position_ids")));
%!error id=cka:load:noConfig tfm_load (fullfile (d, "model.safetensors"), "Config", fullfile (d, "nope.json"))
%!error id=cka:config:badValue tfm_load (d, "Config", struct ("model_type", "bert", "hidden_size", 5))
%!error id=cka:load:shapeMismatch
%! tfm_load (d, "Config", struct ("model_type", "bert", "vocab_size", 12, "hidden_size", 4, ...
%!   "num_hidden_layers", 1, "num_attention_heads", 2, "intermediate_size", 6, ...
%!   "max_position_embeddings", 8));
%!error id=cka:load:missingTensor
%! tfm_load (d, "Config", struct ("model_type", "bert", "vocab_size", 11, "hidden_size", 4, ...
%!   "num_hidden_layers", 2, "num_attention_heads", 2, "intermediate_size", 6, ...
%!   "max_position_embeddings", 8));
%!error id=cka:load:unknownArch tfm_load (d, "Config", struct ("model_type", "t5"))
%!error id=cka:load:notFound tfm_load (fullfile (d, "nothing-here"))
%!error id=cka:load:noWeights tfm_load (tempdir ())
%!error <Invalid call> tfm_load ()
%!test
%! confirm_recursive_rmdir (false, "local");
%! rmdir (d, "s");
