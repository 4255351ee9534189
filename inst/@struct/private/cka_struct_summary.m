## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{txt} =} cka_struct_summary (@var{s}, @var{name})
## The short summary of a model or tokenizer struct (@var{name}: the
## variable, for the hints; may be empty), or @qcode{""} for any other
## value.  A model has the fields arch, config, names, weights; a tokenizer
## type, vocab and special_tokens (what tfm_create, tfm_load and
## tfm_tokenizer return; a model's weights are a cell aligned with names).
## @end deftypefn

function txt = cka_struct_summary (s, name)
  txt = "";
  if (! (isstruct (s) && isscalar (s)))
    return;
  endif
  if (isempty (name))
    name = "m";
  endif
  if (all (isfield (s, {"arch", "config", "names", "weights"})) && ischar (s.arch)
      && isstruct (s.config) && isscalar (s.config) && iscell (s.weights)
      && iscellstr (s.names) && numel (s.names) == numel (s.weights))
    txt = model_summary (s, name);
  elseif (all (isfield (s, {"type", "vocab", "special_tokens"})) && ischar (s.type)
          && iscell (s.vocab))
    txt = tokenizer_summary (s, name);
  endif
endfunction

function txt = model_summary (s, name)
  w = s.weights(:);
  f = s.names(:);
  n = cellfun (@numel, w);
  cls = cellfun (@class, w, "UniformOutput", false);
  bytes = sum (n .* cellfun (@bytes_per, cls));
  label = "";
  if (isfield (s, "name") && ischar (s.name) && ! isempty (s.name))
    label = sprintf (" \"%s\"", s.name);
  endif
  ## uint16 arrays hold the 16-bit numbers model.dtype names
  half = "";
  if (any (strcmp (cls, "uint16")) && isfield (s, "dtype") && ischar (s.dtype))
    half = s.dtype;
    cls(strcmp (cls, "uint16")) = {[s.dtype " (as uint16)"]};
  endif
  txt = sprintf ("  %s model%s: %s parameters in %d tensors, %s, %s\n", s.arch, label,
                 with_commas (sum (n)), numel (f), strjoin (unique (cls), " + "),
                 human_bytes (bytes));
  ## the sizes, under whatever names this architecture's config uses
  sizes = {"hidden_size", "n_embd", "dim", "num_hidden_layers", "n_layer", "n_layers", ...
           "num_attention_heads", "n_head", "n_heads", "num_key_value_heads", ...
           "intermediate_size", "n_inner", "hidden_dim", "vocab_size", ...
           "max_position_embeddings", "n_positions"};
  c = s.config;
  parts = {};
  for k = 1:numel (sizes)
    if (isfield (c, sizes{k}) && isnumeric (c.(sizes{k})) && isscalar (c.(sizes{k})))
      parts{end+1} = sprintf ("%s %g", sizes{k}, c.(sizes{k}));
    endif
  endfor
  if (! isempty (parts))
    txt = [txt wrap("  config: ", parts)];
  endif
  if (isfield (s, "source") && ischar (s.source) && ! isempty (s.source))
    txt = [txt sprintf("  from %s\n", s.source)];
  endif
  [~, big] = sort (n, "descend");
  top = big(1:min (3, end));
  shown = cellfun (@(k, a) sprintf ("%s %s", k, size_str (a)), f(top), w(top),
                   "UniformOutput", false);
  if (! isempty (shown))
    txt = [txt wrap("  largest tensors: ", shown)];
  endif
  txt = [txt wrap("  fields: ", fieldnames (s)')];
  txt = [txt sprintf("  read and edit them as usual, e.g. %s.weights{strcmp(%s.names, \"%s\")}\n",
                     name, name, cka_first (f, "weight"))];
  if (! isempty (half))
    txt = [txt sprintf("  %s weights as single: tfm_cast (%s, name); all of them: tfm_cast (%s, \"single\")\n",
                       half, name, name)];
  endif
  txt = [txt sprintf("  every field in full: fdisp (stdout, %s)\n", name)];
endfunction

function txt = tokenizer_summary (s, name)
  what = s.type;
  kinds = {"wordpiece", "WordPiece (BERT)"; "bpe", "byte-level BPE (GPT-2)";
           "spm", "SentencePiece"};
  k = find (strcmp (kinds(:,1), s.type), 1);
  if (! isempty (k))
    what = kinds{k, 2};
  endif
  label = "";
  if (isfield (s, "name") && ischar (s.name) && ! isempty (s.name))
    label = sprintf (" \"%s\"", s.name);
  endif
  txt = sprintf ("  %s tokenizer%s: %s tokens", what, label, with_commas (numel (s.vocab)));
  if (isfield (s, "merges") && ! isempty (s.merges))
    txt = [txt sprintf(", %s merges", with_commas (rows (s.merges)))];
  endif
  if (isfield (s, "lowercase") && isscalar (s.lowercase) && s.lowercase)
    txt = [txt ", lowercase"];
  endif
  txt = [txt "\n"];
  if (iscellstr (s.special_tokens) && ! isempty (s.special_tokens))
    txt = [txt sprintf("  special tokens: %s\n", strjoin (s.special_tokens(:)', " "))];
  endif
  if (isfield (s, "model_max_length") && isscalar (s.model_max_length)
      && isfinite (s.model_max_length))
    txt = [txt sprintf("  model_max_length %g\n", s.model_max_length)];
  endif
  if (isfield (s, "source") && ischar (s.source) && ! isempty (s.source))
    txt = [txt sprintf("  from %s\n", s.source)];
  endif
  txt = [txt sprintf("  a struct with %d fields (%s.vocab, %s.special_tokens, ...); every field in full: fdisp (stdout, %s)\n",
                     numel (fieldnames (s)), name, name, name)];
endfunction

## items after a lead, comma-separated, in lines of at most 80 characters
function txt = wrap (lead, items)
  txt = "";
  line = lead;
  for k = 1:numel (items)
    piece = [items{k} cka_ifelse_str(k < numel (items), ",")];
    if (numel (line) + 1 + numel (piece) > 80 && ! strcmp (line, lead))
      txt = [txt line "\n"];
      line = [blanks(numel (lead)) piece];
    else
      line = [line cka_ifelse_str(! strcmp (line, lead), " ") piece];
    endif
  endfor
  txt = [txt line "\n"];
endfunction

function s = cka_ifelse_str (c, s)
  if (! c)
    s = "";
  endif
endfunction

function b = bytes_per (cls)
  switch (cls)
    case {"double", "int64", "uint64"}
      b = 8;
    case {"single", "int32", "uint32"}
      b = 4;
    case {"int16", "uint16"}
      b = 2;
    otherwise
      b = 1;
  endswitch
endfunction

function s = with_commas (n)
  s = sprintf ("%d", n);
  k = numel (s) - 3;
  while (k > 0)
    s = [s(1:k) "," s(k+1:end)];
    k -= 3;
  endwhile
endfunction

function s = human_bytes (b)
  units = {"B", "kB", "MB", "GB", "TB"};
  k = 1;
  while (b >= 1000 && k < numel (units))
    b /= 1000;
    k += 1;
  endwhile
  s = sprintf ("%.3g %s", b, units{k});
endfunction

function s = size_str (a)
  s = sprintf ("%dx", size (a));
  s = s(1:end-1);
endfunction

function f = cka_first (names, suffix)
  f = "name";
  k = find (! cellfun (@isempty, regexp (names, ['\.' suffix '$'], "once")), 1);
  if (! isempty (k))
    f = names{k};
  elseif (! isempty (names))
    f = names{1};
  endif
endfunction
