## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {[@var{hidden}, @var{last}] =} ref_decoder_forward (@var{model}, @var{ids}, @var{mask})
## Naive double-precision reference forward pass of the decoder LLMs
## GPT-NeoX, Llama, Qwen2 and Mistral (test helper; spec
## transformers.md sections 2.3, 2.4, 2.6, 7 and 8), written independently
## of the C implementation so that tests can check it.
##
## @var{model} is a struct with fields @code{arch} (@qcode{"gpt_neox"},
## @qcode{"llama"}, @qcode{"qwen2"} or @qcode{"mistral"}), @code{config}
## (config.json field names; absent fields take the Hugging Face defaults),
## @code{names} (bare state_dict names) and @code{weights} (arrays in
## PyTorch shapes, 1-D tensors as columns).  Stored
## @code{rotary_emb.inv_freq} buffers are ignored.  @var{ids} is B-by-T of
## 0-based token ids, @var{mask} B-by-T of 0/1 or @code{[]} (none).
##
## @var{hidden} is an (L+1)-by-1 cell of B-by-T-by-H double arrays: the
## embeddings, then the residual stream after each decoder layer;
## @var{last} is the output of the final norm.  Attention uses an explicit
## B-by-T-by-T "allowed" matrix (causal, padding, sliding window); a query
## row with no allowed key attends uniformly to all keys.
## @end deftypefn
function [hidden, last] = ref_decoder_forward (model, ids, mask)
  if (nargin < 3)
    mask = [];
  endif
  arch = model.arch;
  ids = double (ids);
  [B, T] = size (ids);
  if (isempty (mask))
    mask = ones (B, T);
  endif
  mask = double (mask);
  if (! isequal (size (mask), [B, T]))
    error ("ref_decoder_forward: MASK must be B x T like IDS");
  endif
  W = containers.Map ();
  for k = 1:numel (model.names)
    W(model.names{k}) = double (model.weights{k});
  endfor
  switch (arch)
    case "gpt_neox"
      [hidden, last] = neox_forward (model.config, W, ids, mask);
    case {"llama", "qwen2", "mistral"}
      [hidden, last] = llama_forward (arch, model.config, W, ids, mask);
    otherwise
      error ("ref_decoder_forward: unknown arch \"%s\"", arch);
  endswitch
endfunction

## ---- configuration ----------------------------------------------------------

## the config field NAME, or DEF when the field is absent (a present null,
## i.e. [], is returned as [])
function v = cfg (c, name, def)
  if (isfield (c, name))
    v = c.(name);
  else
    v = def;
  endif
endfunction

function v = cfg_nonempty (c, name, def)
  v = cfg (c, name, def);
  if (isempty (v))
    v = def;
  endif
endfunction

function w = getw (W, name)
  if (! isKey (W, name))
    error ("ref_decoder_forward: missing tensor \"%s\"", name);
  endif
  w = W(name);
endfunction

## y = x*W' + b, with the bias only if NAME.bias is in the model
function y = linear (W, name, x, use_bias)
  y = x * getw (W, [name ".weight"]).';
  if (nargin < 4)
    use_bias = isKey (W, [name ".bias"]);
  endif
  if (use_bias && isKey (W, [name ".bias"]))
    y = y + getw (W, [name ".bias"])(:).';
  endif
endfunction

function X = embed (E, ids)
  if (any (ids(:) < 0 | ids(:) >= rows (E) | ids(:) != fix (ids(:))))
    error ("ref_decoder_forward: token id outside [0, %d)", rows (E));
  endif
  [B, T] = size (ids);
  X = zeros (B, T, columns (E));
  for b = 1:B
    X(b, :, :) = reshape (E(ids(b, :) + 1, :), [1, T, columns(E)]);
  endfor
endfunction

## ---- building blocks --------------------------------------------------------

function y = layer_norm (x, g, b, eps)
  mu = mean (x, 2);
  xc = x - mu;
  v = mean (xc .^ 2, 2);
  y = xc ./ sqrt (v + eps) .* g(:).' + b(:).';
endfunction

function y = rms_norm (x, g, eps)
  y = x ./ sqrt (mean (x .^ 2, 2) + eps) .* g(:).';
endfunction

## inverse frequencies of rotary dimension n (spec 8.3, 8.4), for length T
function inv = rope_inv_freq (n, theta, scaling, max_pos, T)
  k = (0:2:n-2);
  rtype = "default";
  if (! isempty (scaling))
    if (isfield (scaling, "rope_type") && ! isempty (scaling.rope_type))
      rtype = scaling.rope_type;
    elseif (isfield (scaling, "type") && ! isempty (scaling.type))
      rtype = scaling.type;
    endif
  endif
  switch (rtype)
    case "default"
      inv = 1 ./ theta .^ (k / n);
    case "linear"
      inv = 1 ./ theta .^ (k / n) / scaling.factor;
    case "dynamic"
      f = scaling.factor;
      if (T > max_pos)
        theta = theta * ((f * T / max_pos) - (f - 1)) ^ (n / (n - 2));
      endif
      inv = 1 ./ theta .^ (k / n);
    case "llama3"
      inv = 1 ./ theta .^ (k / n);
      f = scaling.factor;
      lo = scaling.low_freq_factor;
      hi = scaling.high_freq_factor;
      Lo = scaling.original_max_position_embeddings;
      wavelen = 2 * pi ./ inv;
      out = inv;
      for j = 1:numel (inv)
        if (wavelen(j) > Lo / lo)
          out(j) = inv(j) / f;
        elseif (wavelen(j) < Lo / hi)
          out(j) = inv(j);
        else
          s = (Lo / wavelen(j) - lo) / (hi - lo);
          out(j) = (1 - s) * inv(j) / f + s * inv(j);
        endif
      endfor
      inv = out;
    otherwise
      error ("ref_decoder_forward: rope_scaling type \"%s\" not supported", rtype);
  endswitch
endfunction

## rotate_half RoPE of the T x n matrix x at positions 0..T-1
function y = rope (x, inv)
  T = rows (x);
  n = columns (x);
  ang = (0:T-1).' * inv(:).';                 # T x n/2
  c = [cos(ang), cos(ang)];
  s = [sin(ang), sin(ang)];
  h = n / 2;
  y = x .* c + [-x(:, h+1:n), x(:, 1:h)] .* s;
endfunction

## B x T x T allowed(b, q, k)
function A = allowed_matrix (mask, win)
  [B, T] = size (mask);
  A = false (B, T, T);
  for b = 1:B
    for q = 1:T
      for k = 1:T
        ok = (k <= q) && (mask(b, k) == 1);
        if (! isempty (win))
          ok = ok && (k > q - win);
        endif
        A(b, q, k) = ok;
      endfor
    endfor
  endfor
endfunction

## softmax(Q K' * scale) V over allowed keys (Aq: T x T logical)
function C = attend (Q, K, V, scale, Aq)
  T = rows (Q);
  S = (Q * K.') * scale;
  P = zeros (T, T);
  for q = 1:T
    a = Aq(q, :);
    if (any (a))
      s = S(q, a);
      e = exp (s - max (s));
      P(q, a) = e / sum (e);
    else
      P(q, :) = 1 / T;
    endif
  endfor
  C = P * V;
endfunction

## ---- GPT-NeoX (spec section 7) -----------------------------------------------

function [hidden, last] = neox_forward (c, W, ids, mask)
  H = cfg_nonempty (c, "hidden_size", 6144);
  L = cfg_nonempty (c, "num_hidden_layers", 44);
  nH = cfg_nonempty (c, "num_attention_heads", 64);
  act = cfg_nonempty (c, "hidden_act", "gelu");
  pct = cfg_nonempty (c, "rotary_pct", cfg_nonempty (c, "partial_rotary_factor", 0.25));
  theta = cfg_nonempty (c, "rotary_emb_base", cfg_nonempty (c, "rope_theta", 10000));
  max_pos = cfg_nonempty (c, "max_position_embeddings", 2048);
  eps = cfg_nonempty (c, "layer_norm_eps", 1e-5);
  parallel = logical (cfg_nonempty (c, "use_parallel_residual", true));
  use_bias = logical (cfg_nonempty (c, "attention_bias", true));
  scaling = cfg (c, "rope_scaling", []);
  if (mod (H, nH) != 0)
    error ("ref_decoder_forward: hidden_size %d not divisible by %d heads", H, nH);
  endif
  d = H / nH;
  r = floor (d * pct);
  [B, T] = size (ids);
  X = embed (getw (W, "embed_in.weight"), ids);
  hidden = cell (L + 1, 1);
  hidden{1} = X;
  A = allowed_matrix (mask, []);
  inv = [];
  if (r > 0)
    inv = rope_inv_freq (r, theta, scaling, max_pos, T);
  endif
  for i = 0:L-1
    p = sprintf ("layers.%d.", i);
    Xn = zeros (B, T, H);
    for b = 1:B
      x = reshape (X(b, :, :), T, H);
      y = layer_norm (x, getw (W, [p "input_layernorm.weight"]),
                      getw (W, [p "input_layernorm.bias"]), eps);
      z = linear (W, [p "attention.query_key_value"], y, use_bias);   # T x 3H
      ctx = zeros (T, H);
      for h = 0:nH-1
        base = h * 3 * d;
        q = z(:, base + (1:d));
        k = z(:, base + d + (1:d));
        v = z(:, base + 2 * d + (1:d));
        if (r > 0)
          q(:, 1:r) = rope (q(:, 1:r), inv);
          k(:, 1:r) = rope (k(:, 1:r), inv);
        endif
        ctx(:, h * d + (1:d)) = attend (q, k, v, 1 / sqrt (d),
                                        reshape (A(b, :, :), T, T));
      endfor
      a = linear (W, [p "attention.dense"], ctx, use_bias);
      if (parallel)
        m = neox_mlp (W, p, layer_norm (x, getw (W, [p "post_attention_layernorm.weight"]),
                                        getw (W, [p "post_attention_layernorm.bias"]), eps), act);
        xo = x + a + m;
      else
        a1 = x + a;
        m = neox_mlp (W, p, layer_norm (a1, getw (W, [p "post_attention_layernorm.weight"]),
                                        getw (W, [p "post_attention_layernorm.bias"]), eps), act);
        xo = a1 + m;
      endif
      Xn(b, :, :) = reshape (xo, [1, T, H]);
    endfor
    X = Xn;
    hidden{i + 2} = X;
  endfor
  last = zeros (B, T, H);
  for b = 1:B
    last(b, :, :) = reshape (layer_norm (reshape (X(b, :, :), T, H),
                                         getw (W, "final_layer_norm.weight"),
                                         getw (W, "final_layer_norm.bias"), eps), [1, T, H]);
  endfor
endfunction

function m = neox_mlp (W, p, y, act)
  m = linear (W, [p "mlp.dense_4h_to_h"],
              ref_activation (act, linear (W, [p "mlp.dense_h_to_4h"], y)));
endfunction

## ---- Llama / Qwen2 / Mistral (spec section 8) ---------------------------------

function [hidden, last] = llama_forward (arch, c, W, ids, mask)
  switch (arch)
    case "llama"
      def = struct ("H", 4096, "L", 32, "nH", 32, "nKV", [], "max_pos", 2048);
    case "qwen2"
      def = struct ("H", 4096, "L", 32, "nH", 32, "nKV", 32, "max_pos", 32768);
    case "mistral"
      def = struct ("H", 4096, "L", 32, "nH", 32, "nKV", 8, "max_pos", 131072);
  endswitch
  H = cfg_nonempty (c, "hidden_size", def.H);
  L = cfg_nonempty (c, "num_hidden_layers", def.L);
  nH = cfg_nonempty (c, "num_attention_heads", def.nH);
  nKV = cfg_nonempty (c, "num_key_value_heads", def.nKV);
  if (isempty (nKV))
    nKV = nH;
  endif
  if (mod (nH, nKV) != 0)
    error ("ref_decoder_forward: %d heads not divisible by %d key/value heads", nH, nKV);
  endif
  d = cfg_nonempty (c, "head_dim", []);
  if (isempty (d))
    if (mod (H, nH) != 0)
      error ("ref_decoder_forward: hidden_size %d not divisible by %d heads", H, nH);
    endif
    d = H / nH;
  endif
  act = cfg_nonempty (c, "hidden_act", "silu");
  max_pos = cfg_nonempty (c, "max_position_embeddings", def.max_pos);
  eps = cfg_nonempty (c, "rms_norm_eps", 1e-6);
  theta = cfg_nonempty (c, "rope_theta", 10000);
  scaling = cfg (c, "rope_scaling", []);
  ## sliding window per layer (0-based layer index i -> window or [])
  win = cell (L, 1);
  switch (arch)
    case "mistral"
      [win{:}] = deal (cfg (c, "sliding_window", 4096));
    case "qwen2"
      if (logical (cfg_nonempty (c, "use_sliding_window", false)))
        sw = cfg (c, "sliding_window", 4096);
        mwl = cfg_nonempty (c, "max_window_layers", 28);
        for i = 0:L-1
          if (i >= mwl)
            win{i + 1} = sw;
          endif
        endfor
      endif
  endswitch
  [B, T] = size (ids);
  X = embed (getw (W, "embed_tokens.weight"), ids);
  hidden = cell (L + 1, 1);
  hidden{1} = X;
  inv = rope_inv_freq (d, theta, scaling, max_pos, T);
  group = nH / nKV;
  for i = 0:L-1
    p = sprintf ("layers.%d.", i);
    A = allowed_matrix (mask, win{i + 1});
    Xn = zeros (B, T, H);
    for b = 1:B
      x = reshape (X(b, :, :), T, H);
      y = rms_norm (x, getw (W, [p "input_layernorm.weight"]), eps);
      Q = linear (W, [p "self_attn.q_proj"], y);     # T x nH*d
      K = linear (W, [p "self_attn.k_proj"], y);     # T x nKV*d
      V = linear (W, [p "self_attn.v_proj"], y);
      if (columns (Q) != nH * d || columns (K) != nKV * d || columns (V) != nKV * d)
        error ("ref_decoder_forward: %s: projection widths do not match heads x head_dim", p);
      endif
      ctx = zeros (T, nH * d);
      for h = 0:nH-1
        g = floor (h / group);
        q = rope (Q(:, h * d + (1:d)), inv);
        k = rope (K(:, g * d + (1:d)), inv);
        v = V(:, g * d + (1:d));
        ctx(:, h * d + (1:d)) = attend (q, k, v, 1 / sqrt (d),
                                        reshape (A(b, :, :), T, T));
      endfor
      x = x + linear (W, [p "self_attn.o_proj"], ctx);
      z = rms_norm (x, getw (W, [p "post_attention_layernorm.weight"]), eps);
      m = ref_activation (act, linear (W, [p "mlp.gate_proj"], z)) ...
          .* linear (W, [p "mlp.up_proj"], z);
      x = x + linear (W, [p "mlp.down_proj"], m);
      Xn(b, :, :) = reshape (x, [1, T, H]);
    endfor
    X = Xn;
    hidden{i + 2} = X;
  endfor
  last = zeros (B, T, H);
  for b = 1:B
    last(b, :, :) = reshape (rms_norm (reshape (X(b, :, :), T, H),
                                       getw (W, "norm.weight"), eps), [1, T, H]);
  endfor
endfunction
