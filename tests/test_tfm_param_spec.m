## Tests of inst/private/tfm_param_spec.m (the parameter lists of the
## architecture registry, through __tfm_arch__), reached through the
## private directory.

%!function [n, s] = spec (arch, varargin)
%!  d = fullfile (fileparts (which ("tfm_load")), "private");
%!  old = path ();
%!  unwind_protect
%!    addpath (d);
%!    [n, s] = tfm_param_spec (tfm_config (arch, struct (varargin{:})));
%!  unwind_protect_cleanup
%!    path (old);
%!  end_unwind_protect
%!endfunction

%!test
%! ## the private file's own blocks
%! f = fullfile (fileparts (which ("tfm_load")), "private", "tfm_param_spec.m");
%! d = fileparts (f);
%! old = path ();
%! unwind_protect
%!   addpath (d);
%!   [ok, nmax] = test (f, "quiet");
%!   assert (ok, nmax);
%!   assert (nmax >= 4);
%! unwind_protect_cleanup
%!   path (old);
%! end_unwind_protect

%!test
%! ## base sizes from the spec's parameter counts
%! [n, s] = spec ("bert");
%! assert ([numel(n), sum(cellfun (@prod, s))], [199, 109482240]);
%! [n, s] = spec ("gpt2");
%! assert ([numel(n), sum(cellfun (@prod, s))], [148, 124439808]);
%! [n, s] = spec ("distilbert");
%! assert ([numel(n), sum(cellfun (@prod, s))], [100, 66362880]);

%!test
%! ## the fixtures' names, in their state_dict order, are the spec's
%! for a = {"bert", "gpt2", "distilbert"}
%!   m = tfm_load (fixture_path ("models", a{1}));
%!   [n, s] = spec (a{1}, m.config);
%!   assert (m.names, n);
%!   for k = 1:numel (n)
%!     sz = s{k};
%!     if (isscalar (sz)) sz = [sz 1]; endif
%!     assert (size (m.weights{k}), sz);
%!   endfor
%! endfor

%!test
%! ## GPT-2 n_inner given / null, DistilBERT hidden_dim
%! [n, s] = spec ("gpt2", "n_embd", 8, "n_head", 2, "n_layer", 1, "n_inner", 20);
%! assert (s{strcmp (n, "h.0.mlp.c_fc.weight")}, [8 20]);
%! [n, s] = spec ("gpt2", "n_embd", 8, "n_head", 2, "n_layer", 1);
%! assert (s{strcmp (n, "h.0.mlp.c_proj.weight")}, [32 8]);
%! [n, s] = spec ("distilbert", "dim", 8, "n_heads", 2, "n_layers", 1, "hidden_dim", 5);
%! assert (s{strcmp (n, "transformer.layer.0.ffn.lin2.weight")}, [8 5]);

%!test
%! ## the registry gateway: every architecture listed, described, refused if unknown
%! names = __tfm_arch__ ("list");
%! assert (iscellstr (names) && numel (names) >= 3);
%! for k = 1:numel (names)
%!   d = __tfm_arch__ ("describe", names{k});
%!   assert (d.name, names{k});
%!   assert (any (strcmp (__tfm_arch__ ("model_type", d.model_types{1}), names{k})));
%!   assert (! isempty (d.hf_class) && ! isempty (d.key_prefixes));
%!   assert (all (ismember ({d.layers_field, d.hidden_field, d.heads_field}, {d.fields.name})));
%! endfor
%! assert (__tfm_arch__ ("model_type", "t5"), "");
%! fail ('__tfm_arch__ ("describe", "t5")', "unknown architecture");
%! try
%!   __tfm_arch__ ("describe", "t5");
%! catch e
%!   assert (e.identifier, "cka:config:unknownArch");
%!   assert (! isempty (strfind (e.message, strjoin (names', ", "))));
%! end_try_catch

%!test
%! ## init rules: GPT-2 c_proj scaled, padding row, LayerNorm ones
%! d = fullfile (fileparts (which ("tfm_load")), "private");
%! old = path ();
%! unwind_protect
%!   addpath (d);
%!   cfg = tfm_config ("gpt2", struct ("n_layer", 3, "n_embd", 8, "n_head", 2));
%!   [n, s, np, init] = tfm_param_spec (cfg);
%!   assert (init.std_div(strcmp (n, "h.0.attn.c_proj.weight")), 6);
%!   assert (init.std_div(strcmp (n, "h.0.attn.c_attn.weight")), 1);
%!   assert (init.kind(strcmp (n, "ln_f.weight")), {"ones"});
%!   cfg = tfm_config ("bert", struct ("pad_token_id", 3));
%!   [n, s, np, init] = tfm_param_spec (cfg);
%!   assert (init.zero_row(1), 4);
%!   assert (init.kind(strcmp (n, "pooler.dense.bias")), {"zeros"});
%!   assert (init.optional(strcmp (n, "pooler.dense.bias")));
%! unwind_protect_cleanup
%!   path (old);
%! end_unwind_protect
