## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {} tfm_save (@var{model}, @var{dir})
## @deftypefnx {cka} {} tfm_save (@var{model}, @var{dir}, @qcode{"Dtype"}, @var{dtype})
## Save a model as a Hugging Face model directory.
##
## Writes @file{config.json} and @file{model.safetensors} into @var{dir}
## (created if needed), so that @code{tfm_load (@var{dir})} returns the same
## model and Hugging Face's @code{from_pretrained} can read it.
## @var{model} is a struct as returned by @code{tfm_load} or
## @code{tfm_create}; its parameters are checked against the configuration
## (names and shapes) before anything is written.
##
## The weights file holds the bare model's state_dict names (no
## @code{bert.} prefix), tensors ordered by name and packed, and the header
## @code{"__metadata__":@{"format":"pt"@}} that transformers requires, padded
## with spaces to a multiple of 8 bytes, as Hugging Face writes it.
## @file{config.json} carries every config field (keys sorted, as
## @code{save_pretrained} writes them), @code{architectures} set to the bare
## class (@qcode{"BertModel"}, @qcode{"GPT2Model"}, @qcode{"DistilBertModel"})
## and @code{torch_dtype}.
##
## @qcode{"Dtype"} is @qcode{"f32"} (default), @qcode{"bf16"} or
## @qcode{"f16"} (round to nearest even).
##
## Both files are first written to temporary files in @var{dir} and then
## renamed into place: an error never leaves a half-written file, and a
## model loaded from @var{dir} can be saved back over it.  A sharded
## checkpoint saved earlier in @var{dir} (@file{model.safetensors.index.json}
## and its @file{model-XXXXX-of-YYYYY.safetensors} shards) is removed once
## the new files are in place, as @code{save_pretrained} does.
##
## @seealso{tfm_load, safetensors_write}
## @end deftypefn

function tfm_save (model, dir, varargin)
  if (nargin < 2)
    print_usage ();
  endif
  opts = parse_options ("tfm_save", struct ("Dtype", "f32"), varargin);
  if (! (ischar (dir) && isrow (dir)))
    error ("cka:input:type", "tfm_save: DIR must be a directory name");
  endif
  switch (lower (char (opts.Dtype)))
    case {"f32", "float32", "single"}
      dtype = "F32"; torch_dtype = "float32";
    case {"bf16", "bfloat16"}
      dtype = "BF16"; torch_dtype = "bfloat16";
    case {"f16", "float16", "half"}
      dtype = "F16"; torch_dtype = "float16";
    otherwise
      error ("cka:input:badOption", "tfm_save: Dtype must be \"f32\", \"bf16\" or \"f16\"");
  endswitch
  need = {"arch", "config", "names", "weights"};
  if (! (isstruct (model) && isscalar (model) && all (isfield (model, need))))
    error ("cka:save:badModel",
           "tfm_save: MODEL must be a model struct with fields arch, config, names, weights");
  endif
  if (! (iscellstr (model.names) && iscell (model.weights)
         && numel (model.names) == numel (model.weights)))
    error ("cka:save:badModel",
           "tfm_save: model.names and model.weights must be cells of the same length");
  endif
  cfg = tfm_config (model.arch, model.config);
  pooler = ! strcmp (model.arch, "bert") || any (strcmp (model.names, "pooler.dense.weight"));
  [names, shapes] = tfm_param_spec (cfg, pooler);
  [tf, loc] = ismember (names, model.names);
  if (! all (tf))
    error ("cka:save:badModel", "tfm_save: the model lacks parameter \"%s\"",
           names{find (! tf, 1)});
  endif
  if (numel (model.names) != numel (names))
    extra = setdiff (model.names, names);
    error ("cka:save:badModel", "tfm_save: \"%s\" is not a parameter of the %s model",
           extra{1}, model.arch);
  endif
  weights = model.weights(loc);
  for k = 1:numel (names)
    w = weights{k};
    sz = shapes{k};
    if (isscalar (sz))
      sz = [sz 1];
    endif
    if (! (isfloat (w) && isreal (w) && ! issparse (w) && isequal (size (w), sz)))
      error ("cka:save:shapeMismatch",
             "tfm_save: parameter \"%s\" must be a real %s array, got a %s %s",
             names{k}, mat2str (sz), mat2str (size (w)), class (w));
    endif
    weights{k} = single (w);
  endfor

  if (! isfolder (dir))
    [ok, msg] = mkdir (dir);
    if (! ok)
      error ("cka:save:io", "tfm_save: cannot create directory %s: %s", dir, msg);
    endif
  endif
  classes = struct ("bert", "BertModel", "gpt2", "GPT2Model", "distilbert", "DistilBertModel");
  cfg.architectures = {classes.(model.arch)};
  cfg.torch_dtype = torch_dtype;
  cfg.model_type = model.arch;
  json = config_json (cfg);

  tag = sprintf ("%d-%06d", getpid (), floor (rand () * 1e6));
  tmp_w = fullfile (dir, [".model.safetensors.tmp-" tag]);
  tmp_c = fullfile (dir, [".config.json.tmp-" tag]);
  done = false;
  unwind_protect
    st_write_file (tmp_w, names, weights, shapes, dtype, struct ());
    fid = fopen (tmp_c, "w");
    if (fid < 0)
      error ("cka:save:io", "tfm_save: cannot create %s", tmp_c);
    endif
    n = fwrite (fid, json, "char");
    if (fclose (fid) != 0 || n != numel (json))
      error ("cka:save:io", "tfm_save: cannot write %s", tmp_c);
    endif
    [err, msg] = rename (tmp_w, fullfile (dir, "model.safetensors"));
    if (err == 0)
      [err, msg] = rename (tmp_c, fullfile (dir, "config.json"));
    endif
    if (err != 0)
      error ("cka:save:io", "tfm_save: cannot rename into %s: %s", dir, msg);
    endif
    done = true;
    remove_stale_shards (dir);
  unwind_protect_cleanup
    if (! done)
      if (exist (tmp_w, "file"))
        unlink (tmp_w);
      endif
      if (exist (tmp_c, "file"))
        unlink (tmp_c);
      endif
    endif
  end_unwind_protect
endfunction

## A sharded checkpoint saved earlier in DIR (model.safetensors.index.json
## and its model-XXXXX-of-YYYYY.safetensors shards) would shadow nothing
## (model.safetensors is preferred) but is stale: remove it, as
## save_pretrained cleans the folder of a previous save.
function remove_stale_shards (dir)
  ix = fullfile (dir, "model.safetensors.index.json");
  if (exist (ix, "file") != 2)
    return;
  endif
  shards = glob (fullfile (dir, "model-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9].safetensors"));
  for k = 1:numel (shards)
    unlink (shards{k});
  endfor
  unlink (ix);
endfunction

## config.json as save_pretrained writes it: keys sorted, 2-space indent,
## JSON null for empty values (n_inner, classifier_dropout, ...).
function txt = config_json (cfg)
  cfg = orderfields (cfg);
  keys = fieldnames (cfg);
  lines = cell (numel (keys), 1);
  for k = 1:numel (keys)
    lines{k} = sprintf ("  %s: %s", jsonencode (keys{k}), encode_value (cfg.(keys{k}), "  "));
  endfor
  txt = sprintf ("{\n%s\n}\n", strjoin (lines', ",\n"));
endfunction

function s = encode_value (v, indent)
  if (isnumeric (v) && isempty (v))
    s = "null";
  elseif (isstruct (v) && isscalar (v))
    v = orderfields (v);
    keys = fieldnames (v);
    if (isempty (keys))
      s = "{}";
      return;
    endif
    in = [indent "  "];
    parts = cellfun (@(k) sprintf ("%s%s: %s", in, jsonencode (k), encode_value (v.(k), in)),
                     keys, "UniformOutput", false);
    s = sprintf ("{\n%s\n%s}", strjoin (parts', ",\n"), indent);
  elseif (iscell (v))
    if (isempty (v))
      s = "[]";
      return;
    endif
    in = [indent "  "];
    parts = cellfun (@(x) [in encode_value(x, in)], v(:), "UniformOutput", false);
    s = sprintf ("[\n%s\n%s]", strjoin (parts', ",\n"), indent);
  elseif ((isnumeric (v) || islogical (v)) && isscalar (v) && ! islogical (v)
          && isfinite (v) && v == fix (v) && abs (v) < 2^53)
    s = sprintf ("%d", v);
  else
    s = jsonencode (v);
  endif
endfunction

%!test
%! d = tempname ();
%! unwind_protect
%!   cfg = struct ("vocab_size", 10, "hidden_size", 4, "num_hidden_layers", 1, ...
%!                 "num_attention_heads", 2, "intermediate_size", 6, ...
%!                 "max_position_embeddings", 8);
%!   ## a model struct built by hand (BertModel parameter list)
%!   n = {"embeddings.word_embeddings.weight"; "embeddings.position_embeddings.weight"; ...
%!        "embeddings.token_type_embeddings.weight"; "embeddings.LayerNorm.weight"; ...
%!        "embeddings.LayerNorm.bias"};
%!   s = {[10 4]; [8 4]; [2 4]; [4 1]; [4 1]};
%!   L = {"attention.self.query", [4 4]; "attention.self.key", [4 4]; ...
%!        "attention.self.value", [4 4]; "attention.output.dense", [4 4]; ...
%!        "attention.output.LayerNorm", [4 1]; "intermediate.dense", [6 4]; ...
%!        "output.dense", [4 6]; "output.LayerNorm", [4 1]};
%!   for k = 1:rows (L)
%!     n(end+1:end+2) = strcat ("encoder.layer.0.", L{k,1}, {".weight"; ".bias"});
%!     s(end+1:end+2) = {L{k,2}; [L{k,2}(1) 1]};
%!   endfor
%!   n(end+1:end+2) = {"pooler.dense.weight"; "pooler.dense.bias"};
%!   s(end+1:end+2) = {[4 4]; [4 1]};
%!   m = struct ("arch", "bert", "config", cfg, "name", "x");
%!   m.names = n;
%!   m.weights = cellfun (@(z) single (randn (z)), s, "UniformOutput", false);
%!   tfm_save (m, d);
%!   m2 = tfm_load (d);
%!   assert (m2.names, m.names);
%!   assert (m2.weights, m.weights);
%!   assert (m2.config.hidden_size, 4);
%!   c = jsondecode (fileread (fullfile (d, "config.json")));
%!   assert (c.architectures, {"BertModel"});
%!   assert (c.torch_dtype, "float32");
%!   assert (isempty (c.classifier_dropout));
%!   ## save over the loaded directory, in bf16
%!   tfm_save (m2, d, "Dtype", "bf16");
%!   m3 = tfm_load (d);
%!   assert (m3.weights, m.weights, -2^-8);
%!   assert (jsondecode (fileread (fullfile (d, "config.json"))).torch_dtype, "bfloat16");
%!   assert (numel (glob (fullfile (d, ".*tmp*"))), 0);
%!   ## a bad model writes nothing
%!   m.weights{3} = single (1);
%!   unlink (fullfile (d, "model.safetensors"));
%!   fail ("tfm_save (m, d)", "embeddings.token_type_embeddings.weight");
%!   assert (! exist (fullfile (d, "model.safetensors"), "file"));
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   if (isfolder (d)) rmdir (d, "s"); endif
%! end_unwind_protect
%!error id=cka:save:badModel tfm_save (struct ("a", 1), tempname ())
%!error id=cka:input:badOption tfm_save (struct ("a", 1), tempname (), "Dtype", "f8")
%!error <Invalid call> tfm_save (1)
