## Batch invariance at sizes where the element-wise loops run as OpenMP
## teams (B*T*H > 2^20, B*nH*T*T > 2^18): every row of a batched forward
## equals the forward of that row alone (serial loops), for each
## architecture, with padding in some rows.

%!function check_rows (model, T)
%!  B = 9;
%!  V = model.config.vocab_size;
%!  ids = mod ((1:B)' * 7 + (1:T) * 13, V);
%!  mask = ones (B, T);
%!  mask(3, T-20:end) = 0;
%!  mask(8, T-5:end) = 0;
%!  hooks = [tfm_modules(model, "blocks"); {""}];
%!  [~, a] = tfm_forward (model, ids, "AttentionMask", mask, "Hooks", hooks);
%!  for b = [1 3 8]
%!    [~, r] = tfm_forward (model, ids(b, :), "AttentionMask", mask(b, :), "Hooks", hooks);
%!    for k = 1:numel (hooks)
%!      x = a{k}(b, :, :);
%!      assert (x, r{k}, 1e-5 * max (1, max (abs (r{k}(:)))));
%!    endfor
%!  endfor
%!endfunction

%!test
%! m = tfm_create ("bert", "hidden_size", 1024, "num_hidden_layers", 1,
%!                 "num_attention_heads", 8, "intermediate_size", 1024,
%!                 "vocab_size", 500, "Seed", 9, "initializer_range", 0.05);
%! check_rows (m, 128);
%!test
%! m = tfm_create ("gpt2", "n_embd", 1024, "n_layer", 1, "n_head", 8,
%!                 "n_inner", 1024, "vocab_size", 500, "Seed", 9);
%! check_rows (m, 128);
%!test
%! m = tfm_create ("distilbert", "dim", 1024, "n_layers", 1, "n_heads", 8,
%!                 "hidden_dim", 1024, "vocab_size", 500, "Seed", 9);
%! check_rows (m, 128);
