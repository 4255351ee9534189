## The decoder LLMs of the registry (GPT-NeoX, Llama, Qwen2, Mistral):
##  - the real pretrained stories260K (a Llama) against its reference
##    outputs (hidden-state magnitudes, logits of the tied head, argmax and
##    greedy continuation), computed in float64 outside this package;
##  - every difference between the architectures (grouped- and multi-query
##    attention, head_dim, biases, rope_theta, rope_scaling linear / dynamic
##    / llama3, Qwen2 biases and its layer-dependent window, Mistral's
##    window, NeoX partial rotary, sequential residual, no attention bias)
##    against the independent double-precision reference
##    tests/util/ref_decoder_forward.m, on real-token positions, per block:
##    max|got - ref| <= 1e-5 * max(1, max|ref|);
##  - tfm_create (HF _init_weights), tfm_save / tfm_load round trips (F32,
##    BF16, sharded), hub layouts (prefixed keys, heads, stored buffers),
##    tfm_modules, and cka_compare / plots with block names.

%!function m = noisy (m, seed)
%!  ## like the HF fixtures: 1-D parameters (norm weights, biases) get
%!  ## N(0, 0.1^2) noise so that they are really tested
%!  randn ("state", seed);
%!  for k = 1:numel (m.weights)
%!    if (columns (m.weights{k}) == 1)
%!      m.weights{k} += single (0.1 * randn (size (m.weights{k})));
%!    endif
%!  endfor
%!endfunction

%!function m = decoder (arch, varargin)
%!  ## a small random decoder, attention far from uniform
%!  args = [{"vocab_size", 97, "hidden_size", 32, "num_hidden_layers", 3, ...
%!           "num_attention_heads", 4, "intermediate_size", 48, ...
%!           "max_position_embeddings", 64, "initializer_range", 0.15}, varargin];
%!  if (! strcmp (arch, "gpt_neox") && ! any (strcmp (varargin, "num_key_value_heads")))
%!    args(end+1:end+2) = {"num_key_value_heads", 4};
%!  endif
%!  m = noisy (tfm_create (arch, args{:}, "Seed", 11), 5);
%!endfunction

%!function [ids, mask] = batch (m, T)
%!  rand ("state", 3);
%!  ids = floor (rand (3, T) * m.config.vocab_size);
%!  mask = ones (3, T);
%!  mask(2, T-3:T) = 0;                 # right padding
%!endfunction

%!function check_vs_ref (m, T)
%!  if (nargin < 2)
%!    T = 11;
%!  endif
%!  [ids, mask] = batch (m, T);
%!  L = m.config.num_hidden_layers;
%!  blocks = tfm_modules (m, "blocks");
%!  [last, a] = tfm_forward (m, ids, "AttentionMask", mask, "Hooks", blocks);
%!  [hidden, ref_last] = ref_decoder_forward (m, ids, mask);
%!  keep = logical (mask(:));
%!  got = [a(:); {last}];
%!  want = [hidden(2:end); {ref_last}];
%!  assert (numel (got), L + 1);
%!  for k = 1:numel (got)
%!    g = reshape (double (got{k}), [], size (got{k}, 3));
%!    w = reshape (want{k}, [], size (want{k}, 3));
%!    err = max (max (abs (g(keep, :) - w(keep, :))));
%!    tol = 1e-5 * max (1, max (max (abs (w(keep, :)))));
%!    assert (err <= tol, sprintf ("%s output %d: max error %g > %g", m.arch, k, err, tol));
%!  endfor
%!endfunction

## ---- stories260K: a real pretrained Llama -------------------------------

%!shared s260, ref
%! s260 = tfm_load (stories260k_path ());
%! ref = jsondecode (fileread (stories260k_path ("reference_outputs.json")));

%!test
%! assert (s260.arch, "llama");
%! assert (s260.config.num_key_value_heads, 4);
%! assert (numel (s260.names), 1 + 9 * 5 + 1);      # no lm_head: tied to embed_tokens
%! assert (sum (cellfun (@numel, s260.weights)), 260032);

%!test
%! ## every hidden state (embeddings, then each layer's residual stream):
%! ## mean |h| as the reference lists it (float64 NumPy forward)
%! ids = ref.input_ids(:)';
%! hooks = [{"embed_tokens"}, tfm_modules(s260, "blocks")'];
%! [last, a] = tfm_forward (s260, ids, "Hooks", hooks);
%! assert (size (a{1}), [1 32 64]);
%! m = cellfun (@(h) mean (abs (double (h(:)))), a);
%! assert (m(:), ref.hidden_states_mean_abs(:), 2e-6);   # the reference's 6 digits
%! ## logits of the tied head (lm_head = embed_tokens)
%! E = double (s260.weights{strcmp (s260.names, "embed_tokens.weight")});
%! logits = squeeze (double (last)) * E';
%! assert (logits(end, 1:8)', ref.last_position_logits_first8(:), 2e-5);
%! [~, next] = max (logits, [], 2);
%! assert (next - 1, ref.argmax_next_token_per_position(:));

%!test
%! ## greedy continuation from BOS reproduces the reference sample
%! ids = 1;
%! E = double (s260.weights{strcmp (s260.names, "embed_tokens.weight")});
%! for step = 1:40
%!   h = tfm_forward (s260, ids);
%!   [~, next] = max (double (squeeze (h(1, end, :)))' * E');
%!   ids(end+1) = next - 1;
%! endfor
%! assert (ids(:), ref.greedy_from_bos_ids(1:41));

%!test
%! ## the checkpoint's head-model names and a random twin of the same config
%! [~, a] = tfm_forward (s260, ref.input_ids(:)', "Hooks", {"model.layers.2", "layers.2"});
%! assert (a{1}, a{2});
%! twin = tfm_create (s260.config, "Seed", 1);
%! assert (twin.names, s260.names);
%! assert (cellfun (@size, twin.weights, "UniformOutput", false),
%!         cellfun (@size, s260.weights, "UniformOutput", false));

## ---- each architecture's differences against the reference -------------

%!test check_vs_ref (decoder ("llama", "num_key_value_heads", 2));            # GQA
%!test check_vs_ref (decoder ("llama", "num_key_value_heads", 1));            # MQA
%!test check_vs_ref (decoder ("llama", "num_key_value_heads", 4, "head_dim", 12));  # nH*d != H
%!test check_vs_ref (decoder ("llama", "attention_bias", true, "mlp_bias", true,
%!                            "rope_theta", 500000, "rms_norm_eps", 1e-5, "hidden_act", "gelu"));
%!test check_vs_ref (decoder ("llama", "rope_scaling", struct ("type", "linear", "factor", 2.5)));
%!test
%! ## dynamic NTK scaling only changes sequences longer than max_position_embeddings
%! m = decoder ("llama", "max_position_embeddings", 8,
%!              "rope_scaling", struct ("type", "dynamic", "factor", 2));
%! check_vs_ref (m, 12);
%! check_vs_ref (m, 7);
%! plain = m;
%! plain.config.rope_scaling = [];
%! assert (tfm_forward (m, 1:7), tfm_forward (plain, 1:7));
%! assert (max (abs (tfm_forward (m, 1:12)(:) - tfm_forward (plain, 1:12)(:))) > 1e-3);
%!test
%! ## llama3: head size 16 with theta 100 gives the three bands (long
%! ## wavelengths slowed, short ones kept, a blend between)
%! rs = struct ("rope_type", "llama3", "factor", 8, "low_freq_factor", 1,
%!              "high_freq_factor", 4, "original_max_position_embeddings", 40);
%! m = decoder ("llama", "num_attention_heads", 2, "num_key_value_heads", 2, "rope_theta", 100,
%!              "rope_scaling", rs);
%! check_vs_ref (m);
%!test
%! ## Qwen2 = Llama + q/k/v biases: with zero biases, bit for bit the Llama
%! q = decoder ("qwen2", "num_key_value_heads", 2);
%! check_vs_ref (q);
%! bias = ! cellfun (@isempty, regexp (q.names, '_proj\.bias$'));
%! assert (nnz (bias), 3 * 3);
%! assert (! any (! cellfun (@isempty, regexp (q.names, 'o_proj\.bias$'))));
%! l = tfm_create ("llama", "vocab_size", 97, "hidden_size", 32, "num_hidden_layers", 3,
%!                 "num_attention_heads", 4, "num_key_value_heads", 2, "intermediate_size", 48,
%!                 "max_position_embeddings", 64, "rms_norm_eps", 1e-6);
%! [~, where] = ismember (l.names, q.names);
%! l.weights = q.weights(where);
%! q.weights(bias) = cellfun (@(w) zeros (size (w), "single"), q.weights(bias), "UniformOutput", false);
%! [ids, mask] = batch (q, 11);
%! assert (tfm_forward (q, ids, "AttentionMask", mask), tfm_forward (l, ids, "AttentionMask", mask));
%!test
%! ## Qwen2's window: only when use_sliding_window, in layers >= max_window_layers
%! q = decoder ("qwen2", "use_sliding_window", true, "sliding_window", 3, "max_window_layers", 1);
%! check_vs_ref (q);
%! off = q;
%! off.config.use_sliding_window = false;
%! [~, a1] = tfm_forward (q, 1:11, "Hooks", {"layers.0", "layers.1"});
%! [~, a2] = tfm_forward (off, 1:11, "Hooks", {"layers.0", "layers.1"});
%! assert (a1{1}, a2{1});
%! assert (max (abs (a1{2}(:) - a2{2}(:))) > 1e-4);
%!test
%! ## Mistral's window W < T against the explicitly banded reference; a
%! ## window >= T is the Llama result bit for bit
%! m = decoder ("mistral", "sliding_window", 3, "num_key_value_heads", 2);
%! check_vs_ref (m, 11);
%! wide = m;
%! wide.config.sliding_window = 11;
%! none = m;
%! none.config.sliding_window = [];
%! assert (tfm_forward (wide, 1:11), tfm_forward (none, 1:11));
%! assert (max (abs (tfm_forward (m, 1:11)(:) - tfm_forward (none, 1:11)(:))) > 1e-4);
%!test check_vs_ref (decoder ("gpt_neox"));                                        # parallel
%!test check_vs_ref (decoder ("gpt_neox", "use_parallel_residual", false, "rotary_pct", 1));
%!test check_vs_ref (decoder ("gpt_neox", "attention_bias", false, "rotary_pct", 0.5,
%!                            "rotary_emb_base", 100, "hidden_act", "gelu_fast"));
%!test check_vs_ref (decoder ("gpt_neox", "rope_scaling", struct ("type", "linear", "factor", 3),
%!                            "rotary_pct", 1));

## ---- tfm_create, tfm_save / tfm_load, hub layouts -------------------------

%!test
%! ## HF _init_weights: Linear / Embedding N(0, r^2), padding row 0, norms 1, biases 0
%! m = tfm_create ("llama", "vocab_size", 300, "hidden_size", 64, "num_hidden_layers", 2,
%!                 "num_attention_heads", 4, "num_key_value_heads", 2, "intermediate_size", 96,
%!                 "pad_token_id", 5, "attention_bias", true, "Seed", 3);
%! W = m.weights{strcmp (m.names, "embed_tokens.weight")};
%! assert (W(6, :), zeros (1, 64, "single"));
%! assert (std (double (W([1:5, 7:end], :)(:))), 0.02, 0.002);
%! assert (size (m.weights{strcmp (m.names, "layers.1.self_attn.k_proj.weight")}), [32 64]);
%! assert (m.weights{strcmp (m.names, "layers.0.self_attn.o_proj.bias")}, zeros (64, 1, "single"));
%! assert (m.weights{strcmp (m.names, "norm.weight")}, ones (64, 1, "single"));
%! assert (isequal (tfm_create ("llama", "vocab_size", 300, "hidden_size", 64,
%!                              "num_hidden_layers", 2, "num_attention_heads", 4,
%!                              "num_key_value_heads", 2, "intermediate_size", 96,
%!                              "pad_token_id", 5, "attention_bias", true, "Seed", 3).weights,
%!                  m.weights));
%! n = tfm_create ("gpt_neox", "vocab_size", 50, "hidden_size", 32, "num_hidden_layers", 1,
%!                 "num_attention_heads", 4, "intermediate_size", 64);
%! assert (n.config.rotary_pct, 0.25);
%! assert (n.weights{strcmp (n.names, "layers.0.input_layernorm.bias")}, zeros (32, 1, "single"));

%!test
%! ## save / load round trips (F32 bit for bit, BF16 = the rounded weights)
%! for arch = {"gpt_neox", "llama", "qwen2", "mistral"}
%!   if (strcmp (arch{1}, "mistral"))
%!     m = decoder ("mistral", "sliding_window", 4);
%!   else
%!     m = decoder (arch{1}, "rope_scaling", struct ("type", "linear", "factor", 2));
%!   endif
%!   d = tempname ();
%!   unwind_protect
%!     tfm_save (m, d);
%!     c = jsondecode (fileread (fullfile (d, "config.json")));
%!     assert (c.model_type, arch{1});
%!     m2 = tfm_load (d);
%!     assert (m2.names, m.names);
%!     assert (m2.weights, m.weights);
%!     assert (tfm_forward (m2, 1:9), tfm_forward (m, 1:9));
%!     tfm_save (m, d, "Dtype", "bf16");
%!     m3 = tfm_load (d);
%!     assert (max (abs (m3.weights{end} - m.weights{end})) <= 2^-8 * max (abs (m.weights{end})));
%!   unwind_protect_cleanup
%!     confirm_recursive_rmdir (false, "local");
%!     rmdir (d, "s");
%!   end_unwind_protect
%! endfor

%!test
%! ## hub layouts: *ForCausalLM keys (prefix, head), stored buffers, shards
%! warning ("off", "cka:load:unusedTensors", "local");
%! m = decoder ("llama", "num_key_value_heads", 2);
%! n = decoder ("gpt_neox");
%! d = tempname ();
%! mkdir (d);
%! unwind_protect
%!   cases = {{m, "model.", {"lm_head.weight", "model.layers.0.self_attn.rotary_emb.inv_freq"}}};
%!   cases{2} = {n, "gpt_neox.", {"embed_out.weight", "gpt_neox.layers.0.attention.bias", ...
%!                                "gpt_neox.layers.1.attention.masked_bias", ...
%!                                "gpt_neox.layers.0.attention.rotary_emb.inv_freq"}};
%!   for c = cases
%!     [mm, prefix, extra] = deal (c{1}{:});
%!     sub = fullfile (d, mm.arch);
%!     mkdir (sub);
%!     fid = fopen (fullfile (sub, "config.json"), "w");
%!     fputs (fid, jsonencode (setfield (mm.config, "architectures", {[mm.arch "ForCausalLM"]})));
%!     fclose (fid);
%!     names = [strcat(prefix, mm.names); extra(:)];
%!     tensors = [mm.weights; repmat({single([1; 2])}, numel (extra), 1)];
%!     half = ceil (numel (names) / 2);
%!     files = {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
%!     safetensors_write (fullfile (sub, files{1}), names(1:half), tensors(1:half), "Dtype", "bf16");
%!     safetensors_write (fullfile (sub, files{2}), names(half+1:end), tensors(half+1:end),
%!                        "Dtype", "bf16");
%!     map = struct ();
%!     for k = 1:numel (names)
%!       map.(names{k}) = files{1 + (k > half)};
%!     endfor
%!     fid = fopen (fullfile (sub, "model.safetensors.index.json"), "w");
%!     fputs (fid, jsonencode (struct ("metadata", struct ("total_size", 1), "weight_map", map)));
%!     fclose (fid);
%!     [~, id] = lastwarn ("");
%!     got = tfm_load (sub);
%!     assert (got.arch, mm.arch);
%!     assert (got.names, mm.names);
%!     ## BF16 keeps the top 16 bits (round to nearest even): within 2^-8
%!     ## relative; the matrices stay bf16 in memory (uint16, model.dtype)
%!     assert (got.dtype, "bfloat16");
%!     for k = 1:numel (mm.weights)
%!       w = double (mm.weights{k}(:));
%!       assert (size (got.weights{k}), size (mm.weights{k}));
%!       assert (class (got.weights{k}), merge (rows (mm.weights{k}) > 1 && columns (mm.weights{k}) > 1, "uint16", "single"));
%!       gw = double (tfm_cast (got, got.names{k})(:));
%!       assert (all (abs (gw - w) <= 2^-8 * abs (w)));
%!     endfor
%!     [h1, a1] = tfm_forward (got, 1:6, "Hooks", [prefix "layers.1"]);
%!     assert (h1, tfm_forward (got, 1:6));
%!   endfor
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect

## ---- hooks, blocks, CKA and plots ------------------------------------------

%!test
%! m = decoder ("llama");
%! assert (tfm_modules (m, "blocks"), {"layers.0"; "layers.1"; "layers.2"});
%! [names, hookable] = tfm_modules (m);
%! assert (names(1:4), {""; "embed_tokens"; "layers"; "layers.0"});
%! assert (hookable(3), false);
%! assert (names{end}, "norm");
%! [~, a] = tfm_forward (m, 1:5, "Hooks", {"layers.1.self_attn.rotary_emb", ...
%!                                        "layers.0.mlp.act_fn", "layers.0.self_attn.k_proj"});
%! assert (size (a{1}), [1 1 5 8]);
%! assert (size (a{2}), [1 5 48]);
%! n = decoder ("gpt_neox");
%! assert (tfm_modules (n, "blocks"), {"layers.0"; "layers.1"; "layers.2"});
%! [~, a] = tfm_forward (n, 1:5, "Hooks", {"layers.0.attention.rotary_emb", ...
%!                                        "layers.2.attention.attention_dropout"});
%! assert (size (a{1}), [1 1 64 2]);              # v4.31: the whole cos cache
%! assert (size (a{2}), [1 4 5 5]);
%!error <unknown hook "layers.9"> tfm_forward (decoder ("llama"), 1:3, "Hooks", "model.layers.9")
%!error <container> tfm_forward (decoder ("gpt_neox"), 1:3, "Hooks", "gpt_neox.layers")

%!test
%! ## cka_compare over blocks (head-model names accepted) and the plots
%! m1 = decoder ("llama", "num_key_value_heads", 2);
%! m2 = tfm_create (m1.config, "Seed", 99);
%! ids = floor (rand (16, 8) * 97);
%! r = cka_compare (m1, m2, ids, "BatchSize", 8, "Progress", false,
%!                  "Layers1", {"model.layers.0", "layers.1", "layers.2"});
%! assert (r.layers1, {"layers.0"; "layers.1"; "layers.2"});
%! assert (size (r.cka), [3 3]);
%! assert (all (isfinite (r.cka(:))));
%! s = cka_compare (m1, [], ids, "BatchSize", 8, "Progress", false);
%! assert (diag (s.cka), ones (3, 1), 1e-6);
%! f = [tempname() ".png"];
%! unwind_protect
%!   h = plot_cka_heatmap (r, "File", f, "Visible", "off");
%!   close (h);
%!   assert (exist (f, "file"), 2);
%! unwind_protect_cleanup
%!   if (exist (f, "file"))
%!     delete (f);
%!   endif
%! end_unwind_protect

## ---- bad configs --------------------------------------------------------

%!error id=cka:config:badValue tfm_create ("llama", "num_attention_heads", 4, "num_key_value_heads", 3, "hidden_size", 32)
%!error id=cka:config:badValue tfm_create ("llama", "num_attention_heads", 4, "head_dim", 7, "hidden_size", 32)
%!error id=cka:config:unsupported tfm_create ("llama", "hidden_size", 32, "num_attention_heads", 4, "rope_scaling", struct ("rope_type", "yarn", "factor", 4))
%!error id=cka:config:badValue tfm_create ("llama", "hidden_size", 32, "num_attention_heads", 4, "rope_scaling", struct ("type", "linear", "factor", 0.5))
%!error id=cka:config:badValue tfm_create ("llama", "hidden_size", 32, "num_attention_heads", 4, "rope_scaling", struct ("type", "llama3", "factor", 8))
%!error id=cka:config:badValue tfm_create ("gpt_neox", "hidden_size", 32, "num_attention_heads", 4, "rotary_pct", 0.4)
%!error id=cka:config:badValue tfm_create ("gpt_neox", "hidden_size", 32, "num_attention_heads", 4, "rotary_pct", 1.5)
%!error id=cka:input:tokenTypes tfm_forward (decoder ("llama"), 1:3, "TokenTypeIds", zeros (1, 3))
