## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## The naive double-precision reference forward of the decoder LLMs
## (tests/util/ref_decoder_forward.m, spec sections 2.3, 2.4, 2.6, 7, 8),
## which tests of the C implementation compare against: (a) it reproduces
## the Hugging Face 4.31 fixtures of GPT-NeoX and Llama on every decoder
## layer and the final norm, max|got - ref| <= 1e-5 * max(1, max|ref|) on
## the real-token positions, and the check is sharp enough to see a wrong
## activation, rotary base or residual wiring; (b) internal consistency of
## biases, GQA, sliding windows, padding and rope_scaling on small random
## models.

%!function check_fixture (arch, emb_name)
%!  model = ref_model_from_dir (fixture_path ("models", arch), arch);
%!  d = load (fixture_path ("acts", [arch ".mat"]));
%!  [hid, last] = ref_decoder_forward (model, d.input_ids, d.attention_mask);
%!  L = numel (hid) - 1;
%!  assert (L, model.config.num_hidden_layers);
%!  names = [{emb_name}, arrayfun(@(i) sprintf ("layers.%d", i), 0:L-1, ...
%!                                "UniformOutput", false), {""}];
%!  got = [hid; {last}];
%!  m = logical (d.attention_mask);
%!  worst = 0;
%!  for k = 1:numel (names)
%!    ref = double (d.acts{strcmp (d.names, names{k})});
%!    assert (size (got{k}), size (ref));
%!    e = abs (got{k} - ref) .* m;
%!    r = abs (ref) .* m;
%!    err = max (e(:));
%!    tol = 1e-5 * max (1, max (r(:)));
%!    assert (err <= tol, sprintf ("%s %s: max error %g > %g", arch, names{k}, err, tol));
%!    worst = max (worst, err);
%!  endfor
%!  [~, last0] = ref_decoder_forward (model, d.input_ids, []);
%!  ref = double (d.nomask_last_hidden_state);
%!  err0 = max (abs (last0(:) - ref(:)));
%!  assert (err0 <= 1e-5 * max (1, max (abs (ref(:)))));
%!  printf ("      %s: max error %.3g (masked, %d outputs), %.3g (no mask)\n",
%!          arch, worst, numel (names), err0);
%!endfunction

%!function err = fixture_last_error (model, arch)
%!  ## max error of last_hidden_state on the real tokens, relative to the tolerance
%!  d = load (fixture_path ("acts", [arch ".mat"]));
%!  [~, last] = ref_decoder_forward (model, d.input_ids, d.attention_mask);
%!  ref = double (d.last_hidden_state);
%!  e = abs (last - ref) .* logical (d.attention_mask);
%!  err = max (e(:)) / (1e-5 * max (1, max (abs (ref(:)))));
%!endfunction

%!function model = rand_decoder (arch, config, seed, qkv_bias)
%!  ## a small random Llama-family model; qkv_bias: "none", "zero" or "rand"
%!  randn ("state", seed);
%!  H = config.hidden_size; nH = config.num_attention_heads;
%!  nKV = config.num_key_value_heads; I = config.intermediate_size;
%!  d = H / nH;
%!  if (isfield (config, "head_dim") && ! isempty (config.head_dim)) d = config.head_dim; endif
%!  names = {"embed_tokens.weight"};
%!  weights = {randn(config.vocab_size, H)};
%!  for i = 0:config.num_hidden_layers-1
%!    p = sprintf ("layers.%d.", i);
%!    names = [names, strcat(p, {"input_layernorm.weight", "self_attn.q_proj.weight", ...
%!             "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight", ...
%!             "post_attention_layernorm.weight", "mlp.gate_proj.weight", ...
%!             "mlp.up_proj.weight", "mlp.down_proj.weight"})];
%!    weights = [weights, {1 + 0.1 * randn(H, 1), 0.4 * randn(nH * d, H), ...
%!               0.4 * randn(nKV * d, H), 0.4 * randn(nKV * d, H), 0.3 * randn(H, nH * d), ...
%!               1 + 0.1 * randn(H, 1), 0.3 * randn(I, H), 0.3 * randn(I, H), 0.3 * randn(H, I)}];
%!    bias = {randn(nH * d, 1), randn(nKV * d, 1), randn(nKV * d, 1)};   # drawn in every case
%!    if (! strcmp (qkv_bias, "none"))
%!      s = 0.3 * strcmp (qkv_bias, "rand");
%!      names = [names, strcat(p, {"self_attn.q_proj.bias", "self_attn.k_proj.bias", ...
%!                                 "self_attn.v_proj.bias"})];
%!      weights = [weights, cellfun(@(x) s * x, bias, "UniformOutput", false)];
%!    endif
%!  endfor
%!  names{end+1} = "norm.weight";
%!  weights{end+1} = 1 + 0.1 * randn (H, 1);
%!  weights = cellfun (@single, weights, "UniformOutput", false);
%!  model = struct ("arch", arch, "config", config);
%!  model.names = names;
%!  model.weights = weights;
%!endfunction

%!function c = small_config (varargin)
%!  c = struct ("vocab_size", 50, "hidden_size", 16, "intermediate_size", 24,
%!              "num_hidden_layers", 2, "num_attention_heads", 4,
%!              "num_key_value_heads", 2, "rms_norm_eps", 1e-6, "rope_theta", 10000,
%!              "max_position_embeddings", 64);
%!  for k = 1:2:numel (varargin)
%!    c.(varargin{k}) = varargin{k+1};
%!  endfor
%!endfunction

%!function e = maxdiff (a, b)
%!  e = max (abs (a(:) - b(:)));
%!endfunction

%!function e = maxdiff_cells (a, b)
%!  e = max (cellfun (@maxdiff, a, b));
%!endfunction

## ---- (a) the Hugging Face 4.31 fixtures ----------------------------------------

%!test
%! check_fixture ("llama", "embed_tokens");

%!test
%! check_fixture ("gpt_neox", "embed_in");

%!test
%! ## the fixture check is sharp: the usual slips exceed the tolerance by far
%! neox = ref_model_from_dir (fixture_path ("models", "gpt_neox"), "gpt_neox");
%! assert (fixture_last_error (neox, "gpt_neox") < 0.5);
%! m = neox; m.config.hidden_act = "gelu_new";
%! assert (fixture_last_error (m, "gpt_neox") > 5);
%! m = neox; m.config.rotary_pct = 0;
%! assert (fixture_last_error (m, "gpt_neox") > 5);
%! m = neox; m.config.use_parallel_residual = false;
%! assert (fixture_last_error (m, "gpt_neox") > 5);
%! llama = ref_model_from_dir (fixture_path ("models", "llama"), "llama");
%! assert (fixture_last_error (llama, "llama") < 0.5);
%! m = llama; m.config.rope_theta = 100;
%! assert (fixture_last_error (m, "llama") > 5);
%! m = llama; m.config.rms_norm_eps = 1e-2;
%! assert (fixture_last_error (m, "llama") > 5);
%! m = llama; m.config.num_key_value_heads = [];   # wrong: treats k/v as 4 heads
%! fail ("fixture_last_error (m, 'llama')", "projection widths");

%!test
%! ## the stored inv_freq buffers are ignored; a missing tensor is an error
%! model = ref_model_from_dir (fixture_path ("models", "llama"), "llama");
%! ids = [1 2 3 4 5];
%! [h0, l0] = ref_decoder_forward (model, ids, []);
%! k = find (! cellfun (@isempty, regexp (model.names, 'inv_freq$')));
%! assert (numel (k), 2);
%! m = model; m.weights(k) = cellfun (@(w) 3 * w, m.weights(k), "UniformOutput", false);
%! [h1, l1] = ref_decoder_forward (m, ids, []);
%! assert (isequal (l1, l0) && isequal (h1, h0));
%! m = model; m.names(k) = []; m.weights(k) = [];
%! assert (isequal (ref_decoder_forward (m, ids, []), h0));
%! m = model; j = find (strcmp (m.names, "norm.weight")); m.names(j) = []; m.weights(j) = [];
%! fail ("ref_decoder_forward (m, ids, [])", "missing tensor \"norm.weight\"");
%! fail ("ref_decoder_forward (model, [0 1000], [])", "token id");

## ---- (b) internal consistency -----------------------------------------------------

%!test
%! ## Qwen2 with zero q/k/v biases = the same model without biases (Llama);
%! ## random biases are used
%! c = small_config ("use_sliding_window", false);
%! ids = [3 14 15 9 26 5 35 8; 2 7 18 28 1 8 28 4];
%! mask = [1 1 1 1 1 1 1 1; 1 1 1 1 1 0 0 0];
%! [h0, l0] = ref_decoder_forward (rand_decoder ("llama", c, 1, "none"), ids, mask);
%! [h1, l1] = ref_decoder_forward (rand_decoder ("qwen2", c, 1, "zero"), ids, mask);
%! assert (maxdiff_cells (h1, h0) <= 1e-12 && maxdiff (l1, l0) <= 1e-12);
%! [h2, l2] = ref_decoder_forward (rand_decoder ("qwen2", c, 1, "rand"), ids, mask);
%! assert (maxdiff (h2{2}, h0{2}) > 1e-3);
%! ## Qwen2's default use_sliding_window is false: no window even if one is set
%! c2 = rmfield (c, "use_sliding_window"); c2.sliding_window = 2; c2.max_window_layers = 0;
%! [h3, l3] = ref_decoder_forward (rand_decoder ("qwen2", c2, 1, "zero"), ids, mask);
%! assert (maxdiff (l3, l0) <= 1e-12);

%!test
%! ## Mistral with sliding_window >= T, null or absent (default 4096) = Llama
%! randn ("state", 5);
%! ids = [3 14 15 9 26 5 35 8 9 7; 2 7 18 28 1 8 28 4 49 0];
%! mask = [ones(1, 10); 1 1 1 1 1 1 1 0 0 0];
%! c = small_config ();
%! [h0, l0] = ref_decoder_forward (rand_decoder ("llama", c, 2, "none"), ids, mask);
%! for w = {10, 11, [], "absent"}
%!   cm = c;
%!   if (! ischar (w{1})) cm.sliding_window = w{1}; endif
%!   [h1, l1] = ref_decoder_forward (rand_decoder ("mistral", cm, 2, "none"), ids, mask);
%!   assert (maxdiff_cells (h1, h0) <= 1e-12 && maxdiff (l1, l0) <= 1e-12);
%! endfor
%! ## a window of 9 < T = 10 changes the last position only
%! cm = c; cm.sliding_window = 9;
%! [h1, l1] = ref_decoder_forward (rand_decoder ("mistral", cm, 2, "none"), ids, mask);
%! assert (maxdiff (h1{2}(:, 1:9, :), h0{2}(:, 1:9, :)) <= 1e-12);
%! assert (maxdiff (h1{2}(1, 10, :), h0{2}(1, 10, :)) > 1e-4);

%!test
%! ## window W < T: after layer i, position q depends only on ids
%! ## q - i*(W-1) .. q (layer 1: the W ids q-W+1 .. q)
%! W = 3; T = 12; j = 4;
%! c = small_config ("num_hidden_layers", 3, "sliding_window", W);
%! model = rand_decoder ("mistral", c, 3, "none");
%! ids = [3 14 15 9 26 5 35 8 9 7 31 2; 2 7 18 28 1 8 28 4 49 0 6 11];
%! mask = [ones(1, T); ones(1, 9), 0 0 0];
%! ids2 = ids; ids2(1, j) = 40;             # perturb one id of row 1
%! h0 = ref_decoder_forward (model, ids, mask);
%! h1 = ref_decoder_forward (model, ids2, mask);
%! for i = 1:3
%!   reach = j + i * (W - 1);              # last position that sees id j
%!   d = max (abs (h1{i+1} - h0{i+1}), [], 3);
%!   assert (all (d(2, :) == 0));
%!   assert (all (d(1, 1:j-1) == 0));
%!   assert (all (d(1, j:reach) > 1e-6), sprintf ("layer %d", i));
%!   assert (all (d(1, reach+1:T) <= 1e-14), sprintf ("layer %d", i));
%! endfor
%! ## without the window every later position sees the change
%! model.config.sliding_window = [];
%! h0 = ref_decoder_forward (model, ids, mask);
%! h1 = ref_decoder_forward (model, ids2, mask);
%! d = max (abs (h1{2} - h0{2}), [], 3);
%! assert (all (d(1, j:T) > 1e-6));

%!test
%! ## Qwen2 slides only layers i >= max_window_layers when use_sliding_window
%! W = 3; T = 10;
%! ids = [3 14 15 9 26 5 35 8 9 7; 2 7 18 28 1 8 28 4 49 0];
%! c = small_config ("num_hidden_layers", 2, "sliding_window", W);
%! h0 = ref_decoder_forward (rand_decoder ("qwen2", c, 4, "rand"), ids, []);
%! cw = c; cw.use_sliding_window = true; cw.max_window_layers = 1;
%! h1 = ref_decoder_forward (rand_decoder ("qwen2", cw, 4, "rand"), ids, []);
%! assert (maxdiff (h1{2}, h0{2}) <= 1e-12);          # layer 0: full attention
%! assert (maxdiff (h1{3}(:, 1:W, :), h0{3}(:, 1:W, :)) <= 1e-12);
%! assert (maxdiff (h1{3}(:, W+1:end, :), h0{3}(:, W+1:end, :)) > 1e-4);
%! ## max_window_layers = 0: every layer slides, like Mistral with the same window
%! cw.max_window_layers = 0;
%! [h2, l2] = ref_decoder_forward (rand_decoder ("qwen2", cw, 4, "rand"), ids, []);
%! mi = rand_decoder ("qwen2", cw, 4, "rand"); mi.arch = "mistral";
%! [h3, l3] = ref_decoder_forward (mi, ids, []);
%! assert (maxdiff_cells (h2, h3) <= 1e-12 && maxdiff (l2, l3) <= 1e-12);

%!test
%! ## GQA: query head h uses kv head floor(h / (nH/nKV)) = the MHA model with
%! ## the k/v rows of each kv head repeated for its query heads
%! c = small_config ("num_key_value_heads", 2);     # nH = 4, d = 4
%! g = rand_decoder ("llama", c, 6, "none");
%! m = g; m.config.num_key_value_heads = 4;
%! rows_of = @(w) w([1:4, 1:4, 5:8, 5:8], :);        # heads 0,0,1,1
%! for k = find (! cellfun (@isempty, regexp (g.names, '(k|v)_proj\.weight$')))
%!   m.weights{k} = rows_of (g.weights{k});
%! endfor
%! ids = [3 14 15 9 26 5 35; 2 7 18 28 1 8 28];
%! [h0, l0] = ref_decoder_forward (g, ids, []);
%! [h1, l1] = ref_decoder_forward (m, ids, []);
%! assert (maxdiff_cells (h1, h0) <= 1e-12 && maxdiff (l1, l0) <= 1e-12);
%! ## MQA (one kv head) runs too, and num_key_value_heads null means nH
%! c1 = small_config ("num_key_value_heads", 1);
%! [~, l] = ref_decoder_forward (rand_decoder ("llama", c1, 6, "none"), ids, []);
%! assert (size (l), [2 7 16]);
%! m.config.num_key_value_heads = [];
%! [~, l2] = ref_decoder_forward (m, ids, []);
%! assert (isequal (l2, l1));

%!test
%! ## padding: RoPE is relative, so the real tokens of a left- or right-padded
%! ## row equal the unpadded run on those tokens alone (positions 0..T-1 in all)
%! c = small_config ();
%! model = rand_decoder ("llama", c, 7, "none");
%! real = [3 14 15 9 26 5];
%! ids = [0 0 0 real; real 0 0 0];
%! mask = [0 0 0 1 1 1 1 1 1; 1 1 1 1 1 1 0 0 0];
%! [h, l] = ref_decoder_forward (model, ids, mask);
%! [h0, l0] = ref_decoder_forward (model, real, []);
%! for i = 1:numel (h)
%!   assert (maxdiff (h{i}(1, 4:9, :), h0{i}) <= 1e-10);
%!   assert (maxdiff (h{i}(2, 1:6, :), h0{i}) <= 1e-10);
%! endfor
%! assert (maxdiff (l(1, 4:9, :), l0) <= 1e-10 && maxdiff (l(2, 1:6, :), l0) <= 1e-10);
%! ## a padded query with no allowed key attends to all keys: finite output
%! assert (all (isfinite (l(:))));
%! ## the same for GPT-NeoX on a random model built from the fixture's config
%! neox = ref_model_from_dir (fixture_path ("models", "gpt_neox"), "gpt_neox");
%! [~, l] = ref_decoder_forward (neox, ids, mask);
%! [~, l0] = ref_decoder_forward (neox, real, []);
%! assert (maxdiff (l(1, 4:9, :), l0) <= 1e-10 && maxdiff (l(2, 1:6, :), l0) <= 1e-10);

%!test
%! ## rope_scaling
%! c = small_config ("max_position_embeddings", 8);
%! model = rand_decoder ("llama", c, 8, "none");
%! ids = [3 14 15 9 26 5 35 8 9 7 31 2];           # T = 12 > max_position_embeddings
%! [~, l0] = ref_decoder_forward (model, ids, []);
%! with = @(s) setfield (model, "config", setfield (model.config, "rope_scaling", s));
%! run = @(m) nthargout (2, @ref_decoder_forward, m, ids, []);
%! ## null and "default" are no scaling; linear with factor 1 too; factor 2 is not
%! assert (isequal (run (with ([])), l0));
%! assert (maxdiff (run (with (struct ("rope_type", "default"))), l0) <= 1e-12);
%! assert (maxdiff (run (with (struct ("type", "linear", "factor", 1))), l0) <= 1e-12);
%! lin2 = run (with (struct ("type", "linear", "factor", 2)));
%! assert (maxdiff (lin2, l0) > 1e-4);
%! ## llama3 with every wavelength above Lo/low (Lo = 1, low = 1) is linear
%! s = struct ("rope_type", "llama3", "factor", 2, "low_freq_factor", 1,
%!             "high_freq_factor", 4, "original_max_position_embeddings", 1);
%! assert (maxdiff (run (with (s)), lin2) <= 1e-12);
%! ## ... and every wavelength below Lo/high (unchanged)
%! s.original_max_position_embeddings = 1e9;
%! assert (maxdiff (run (with (s)), l0) <= 1e-12);
%! ## d = 4: wavelengths 2*pi and 200*pi.  Lo = 40: 2*pi < Lo/high = 10 stays,
%! ## 200*pi > Lo/low = 40 is divided by f; Lo = 1000: 200*pi lies in the band
%! ## [250, 1000] and is smoothed (s = (1000/(200*pi) - 1)/3), which equals
%! ## neither; each case differs from the plain and the linear model
%! s.original_max_position_embeddings = 40;
%! l3 = run (with (s));
%! s.original_max_position_embeddings = 1000;
%! l4 = run (with (s));
%! assert (maxdiff (l3, l0) > 1e-6 && maxdiff (l3, lin2) > 1e-6);
%! assert (maxdiff (l4, l0) > 1e-6 && maxdiff (l4, lin2) > 1e-6 && maxdiff (l4, l3) > 1e-6);
%! ## the smoothed band at Lo = 1000 is the same as that frequency scaled by
%! ## 1/((1-s)/f + s): with theta chosen to give it directly (d = 4: inv_freq
%! ## = [1, theta^-1/2])
%! sm = (1000 / (200 * pi) - 1) / 3;
%! m = model; m.config.rope_theta = (0.01 * ((1 - sm) / 2 + sm)) ^ -2;
%! assert (maxdiff (l4, run (m)) <= 1e-10);
%! ## dynamic NTK: theta' = theta*((f*T/max_pos) - (f-1))^(d/(d-2)) when T > max_pos
%! d = 4; f = 3; T = numel (ids);
%! th = 10000 * ((f * T / 8) - (f - 1)) ^ (d / (d - 2));
%! m = model; m.config.rope_theta = th;
%! assert (maxdiff (run (with (struct ("type", "dynamic", "factor", f))), run (m)) <= 1e-12);
%! ## ... and no change when T <= max_pos
%! m = with (struct ("type", "dynamic", "factor", f)); m.config.max_position_embeddings = 12;
%! assert (maxdiff (run (m), l0) <= 1e-12);
%! fail ("run (with (struct ('rope_type', 'yarn', 'factor', 2)))", "not supported");

%!test
%! ## head_dim from the config (q/o wider than H); equal to H/nH = same as absent
%! c = small_config ("head_dim", 4);
%! ids = [3 14 15 9 26 5 35];
%! c0 = rmfield (c, "head_dim");
%! [~, l0] = ref_decoder_forward (rand_decoder ("llama", c0, 9, "none"), ids, []);
%! [~, l1] = ref_decoder_forward (rand_decoder ("llama", c, 9, "none"), ids, []);
%! assert (isequal (l0, l1));
%! c.head_dim = []; assert (isequal (nthargout (2, @ref_decoder_forward, rand_decoder ("llama", c, 9, "none"), ids, []), l0));
%! c.head_dim = 6;
%! [h, l] = ref_decoder_forward (rand_decoder ("llama", c, 9, "none"), ids, []);
%! assert (size (l), [1 7 16]);
%! assert (all (isfinite (l(:))));

%!test
%! ## activations (spec 2.4) at x = 1 and -2
%! x = [1 -2];
%! assert (ref_activation ("gelu", x), [0.841344746068543, -0.0455002638963584], 1e-14);
%! assert (ref_activation ("silu", x), [0.731058578630005, -0.238405844044235], 1e-14);
%! assert (ref_activation ("gelu_new", x), [0.841191990608277, -0.0454023059122249], 1e-14);
%! assert (ref_activation ("gelu_fast", x), ref_activation ("gelu_new", x), 1e-10);
%! fail ("ref_activation ('gelu_bogus', 1)", "unknown activation");
