## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {} tfm_save (@var{model}, @var{dir})
## @deftypefnx {cka} {} tfm_save (@var{model}, @var{dir}, @qcode{"Dtype"}, @var{dtype})
## Save a model (of the CKA package) as a Hugging Face model directory.
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
## class of the registry (@qcode{"BertModel"}, @qcode{"GPT2Model"},
## @qcode{"DistilBertModel"}, @dots{})
## and @code{torch_dtype}.
##
## @qcode{"Dtype"} is @qcode{"f32"}, @qcode{"bf16"} or @qcode{"f16"}
## (round to nearest even).  The default is the model's own type: a model
## whose matrices are 16-bit (@code{tfm_cast}, @code{tfm_load} of an F16 or
## BF16 checkpoint) is written in that type, losslessly; any other in F32.
##
## The two files are committed as a set: they are written and checked in
## a fresh hidden folder beside @var{dir} (@file{.cka-stage-<pid>-<random>}),
## which then takes the place of @var{dir} in one step (a rename when
## @var{dir} does not exist yet; otherwise an atomic exchange of the two
## folders, Linux @code{renameat2 (RENAME_EXCHANGE)}, after which the old
## folder is deleted).  An error or an interrupted save (even a killed
## process) leaves @var{dir} with the old set or the new one, never a mix
## and never a half-written file; a model loaded from @var{dir} can be saved
## back over it.  The other files of an existing @var{dir} (tokenizer
## files, README, ...) are hard-linked into the new set, and its
## subfolders moved into it after the exchange.  A sharded checkpoint
## saved earlier in @var{dir} (@file{model.safetensors.index.json} and its
## @file{model-XXXXX-of-YYYYY.safetensors} shards) is not carried over, as
## @code{save_pretrained} cleans it.
##
## On a file system that cannot exchange two folders atomically (some
## network or FUSE file systems), saving over an existing @var{dir} is
## the error @code{cka:save:io} and nothing is changed: save to a new
## folder (one rename, which works everywhere) and move it yourself.  A
## staging folder left by a killed save is removed by the next
## @code{tfm_save} into the same parent folder.
##
## @seealso{tfm_load, safetensors_write}
## @end deftypefn

function tfm_save (model, dir, varargin)
  if (nargin < 2)
    print_usage ();
  endif
  opts = parse_options ("tfm_save", struct ("Dtype", ""), varargin);
  if (isempty (opts.Dtype))   # a 16-bit model in its own type, else float32
    opts.Dtype = "f32";
    if (isstruct (model) && isfield (model, "dtype") && ischar (model.dtype)
        && any (strcmp (model.dtype, {"bfloat16", "float16"})))
      opts.Dtype = model.dtype;
    endif
  endif
  if (! (ischar (dir) && isrow (dir)))
    error ("cka:input:type", "tfm_save: DIR must be a directory name");
  endif
  torch_dtype = tfm_dtype_name (opts.Dtype);
  if (isempty (torch_dtype))
    error ("cka:input:badOption", "tfm_save: Dtype must be \"f32\", \"bf16\" or \"f16\"");
  endif
  dtype = struct ("float32", "F32", "bfloat16", "BF16", "float16", "F16").(torch_dtype);
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
  d = __tfm_arch__ ("describe", model.arch);
  opt = d.optional_prefix;
  with_optional = isempty (opt) || any (strncmp (model.names, opt, numel (opt)));
  [names, shapes] = tfm_param_spec (cfg, with_optional);
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
    if (! ((isfloat (w) || isa (w, "uint16")) && isreal (w) && ! issparse (w)
           && isequal (size (w), sz)))
      error ("cka:save:shapeMismatch",
             "tfm_save: parameter \"%s\" must be a real %s array, got a %s %s",
             names{k}, mat2str (sz), mat2str (size (w)), class (w));
    endif
    if (isa (w, "uint16"))
      weights{k} = tfm_cast (model, names{k});   # exact; written back losslessly
    else
      weights{k} = single (w);
    endif
  endfor

  cfg.architectures = {d.hf_class};
  cfg.torch_dtype = torch_dtype;
  cfg.model_type = model.arch;
  json = config_json (cfg);

  [target, parent] = resolve_target (dir);
  remove_stale_stages (parent);
  stage = cka_tmp_name (fullfile (parent, "x"), "stage");
  [ok, msg] = mkdir (stage);
  if (! ok)
    error ("cka:save:io", "tfm_save: cannot create a folder next to %s: %s", dir, msg);
  endif
  committed = false;
  unwind_protect
    ## 1. the new set, complete and checked, in a fresh sibling folder
    w = fullfile (stage, "model.safetensors");
    nbytes = st_write_file (w, names, weights, shapes, dtype, struct ());
    [st, err] = stat (w);
    if (err != 0 || st.size != nbytes)
      error ("cka:safetensors:write", "tfm_save: writing the weights of %s failed (disk full?)", dir);
    endif
    cka_atomic_write (fullfile (stage, "config.json"), json, [], "cka:save:io", "tfm_save");
    __fs_commit__ ("sync", w);
    ## 2. commit it in one step
    if (isfolder (target))
      subdirs = link_other_files (target, stage);
      __fs_commit__ ("sync", stage);
      try
        __fs_commit__ ("exchange", stage, target);
      catch e
        error ("cka:save:io", "tfm_save: %s; nothing was changed in %s (save to a new folder instead)",
               e.message, dir);
      end_try_catch
      committed = true;
      ## STAGE now holds the previous set
      move_subdirs (stage, target, subdirs, dir);
    else
      [err, msg] = rename (stage, target);
      if (err != 0)
        error ("cka:save:io", "tfm_save: cannot create %s: %s", dir, msg);
      endif
      committed = true;
    endif
    try
      __fs_commit__ ("sync", parent);
    catch
    end_try_catch
  unwind_protect_cleanup
    if (isfolder (stage) && (! committed || ! keep_old (stage)))
      confirm_recursive_rmdir (false, "local");
      rmdir (stage, "s");
    endif
  end_unwind_protect
endfunction

## The folder DIR names, with symbolic links resolved (the link keeps
## pointing at the new set), and its parent folder, created if needed.
function [target, parent] = resolve_target (dir)
  d = regexprep (dir, '/+$', "");
  if (isempty (d))
    d = dir;
  endif
  if (exist (d, "file") && ! isfolder (d))
    error ("cka:save:io", "tfm_save: %s exists and is not a folder", dir);
  endif
  if (isfolder (d))
    d = canonicalize_file_name (d);
  else
    d = make_absolute_filename (d);
  endif
  [parent, name, ext] = fileparts (d);
  if (isempty ([name ext]) || any (strcmp ([name ext], {".", ".."})))
    error ("cka:save:io", "tfm_save: cannot save over %s: give a model folder", dir);
  endif
  if (! isfolder (parent))
    [ok, msg] = mkdir (parent);
    if (! ok)
      error ("cka:save:io", "tfm_save: cannot create directory %s: %s", parent, msg);
    endif
  endif
  target = d;
endfunction

## Files of a previous save that the new set replaces or drops: the weights
## and config, and a sharded checkpoint (index and
## model-XXXXX-of-YYYYY.safetensors shards), stale once model.safetensors
## exists; save_pretrained cleans them too.
function tf = replaced (name)
  keep = {"config.json", "model.safetensors", "model.safetensors.index.json"};
  tf = (any (strcmp (name, keep))
        || ! isempty (regexp (name, '^model-\d{5}-of-\d{5}\.safetensors$', "once")));
endfunction

## Every other entry of the old folder that is not a folder (tokenizer
## files, README, symbolic links, ...) is hard-linked into the new set
## before the swap, so it is in both; subfolders are returned, to be moved
## after the swap.
function subdirs = link_other_files (target, stage)
  subdirs = {};
  [names, err, msg] = readdir (target);
  if (err != 0)
    error ("cka:save:io", "tfm_save: cannot list %s: %s", target, msg);
  endif
  for k = 1:numel (names)
    n = names{k};
    if (any (strcmp (n, {".", ".."})) || replaced (n))
      continue;
    endif
    src = fullfile (target, n);
    st = lstat (src);
    if (S_ISDIR (st.mode))
      subdirs{end+1} = n;
      continue;
    endif
    [err, msg] = link (src, fullfile (stage, n));
    if (err != 0)
      error ("cka:save:io", "tfm_save: cannot keep %s in the new save: %s; nothing was changed",
             src, msg);
    endif
  endfor
endfunction

## Subfolders of the previous save go back into the new one.  Until then
## (a kill right after the swap) they are in the hidden old folder, which
## is then kept (see keep_old).
function move_subdirs (old, target, subdirs, dir)
  for k = 1:numel (subdirs)
    [err, msg] = rename (fullfile (old, subdirs{k}), fullfile (target, subdirs{k}));
    if (err != 0)
      warning ("cka:save:keptOld",
               "tfm_save: could not move folder %s into %s (%s); the previous save is kept in %s",
               subdirs{k}, dir, msg, old);
    endif
  endfor
endfunction

## An old folder that still holds a subfolder is kept, never deleted.
function tf = keep_old (stage)
  tf = false;
  [names, err] = readdir (stage);
  if (err != 0)
    return;
  endif
  for k = 1:numel (names)
    if (! any (strcmp (names{k}, {".", ".."})))
      st = lstat (fullfile (stage, names{k}));
      tf = tf || S_ISDIR (st.mode);
    endif
  endfor
endfunction

## A save killed before it finished leaves its hidden staging folder
## (.cka-stage-<pid>-<random>) beside the model folder, where tfm_load never
## looks.  The next save into the same parent folder removes those of
## processes that no longer run, unless they hold a subfolder (a previous
## save's subfolders, when the kill came right after the swap).
function remove_stale_stages (parent)
  if (! isfolder ("/proc/self"))
    return;     # no way to tell a dead process from a live one: keep all
  endif
  [names, err] = readdir (parent);
  if (err != 0)
    return;
  endif
  for k = 1:numel (names)
    tok = regexp (names{k}, '^\.cka-stage-(\d+)-[A-Za-z0-9]+$', "tokens", "once");
    if (isempty (tok) || process_alive (tok{1}))
      continue;
    endif
    old = fullfile (parent, names{k});
    st = lstat (old);
    if (S_ISDIR (st.mode) && ! keep_old (old))
      confirm_recursive_rmdir (false, "local");
      rmdir (old, "s");
    endif
  endfor
endfunction

## A process runs if /proc has it and it is not a zombie (a killed process
## whose parent has not reaped it yet).
function tf = process_alive (pid)
  tf = true;
  if (str2double (pid) == getpid ())
    return;
  endif
  fid = fopen (sprintf ("/proc/%s/stat", pid), "r");
  if (fid < 0)
    tf = false;
    return;
  endif
  st = fgetl (fid);
  fclose (fid);
  state = regexp (st, '\)\s+(\S)', "tokens", "once");
  tf = ! (ischar (st) && ! isempty (state) && any (strcmp (state{1}, {"Z", "X"})));
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
%!   m3 = tfm_load (d, "DType", "single");
%!   assert (m3.weights, m.weights, -2^-8);
%!   assert (jsondecode (fileread (fullfile (d, "config.json"))).torch_dtype, "bfloat16");
%!   ## a bf16 model (matrices uint16) saves in bf16 by default, losslessly
%!   m4 = tfm_load (d);
%!   assert (m4.dtype, "bfloat16");
%!   tfm_save (m4, d);
%!   assert (jsondecode (fileread (fullfile (d, "config.json"))).torch_dtype, "bfloat16");
%!   m5 = tfm_load (d);
%!   assert (m5.weights, m4.weights);
%!   assert (tfm_load (d, "DType", "single").weights, m3.weights);
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
