## The CKA gateways must not leak: after warm-up, 300 more cka_compare /
## cka_update calls (every second followed by failing calls that raise from
## inside a forward hook, after the pooling scratch and Gram buffers exist)
## leave the resident set of the process unchanged (a leak of 4 kB per call
## would show as 1.2 MB).

%!function kb = rss_kb ()
%!  txt = fileread ("/proc/self/status");
%!  tok = regexp (txt, 'VmRSS:\s+(\d+)', "tokens", "once");
%!  kb = str2double (tok{1});
%!endfunction

%!testif ; exist ("/proc/self/status", "file")
%! m = tfm_create ("bert", "hidden_size", 32, "num_hidden_layers", 2,
%!                 "num_attention_heads", 4, "intermediate_size", 64,
%!                 "vocab_size", 100, "Seed", 4);
%! bad = m;
%! k = find (strcmp (bad.names, "encoder.layer.1.output.dense.bias"));
%! bad.weights{k}(1) = NaN;
%! ids = mod ((0:7)' * 13 + (0:11) * 5, 100);
%! mask = ones (size (ids));  mask(2, 9:end) = 0;
%! X = randn (8, 20);  Y = randn (8, 5);  Xn = X;  Xn(3) = NaN;
%! o = {"Progress", false, "AttentionMask", mask, "Layers1", {"embeddings", "encoder.layer.1"}};
%! for pass = 1:3
%!   before = rss_kb ();
%!   for r = 1:300
%!     R = cka_compare (m, [], ids, "Pooling", "tokens", o{:});
%!     S = cka_update (cka_accumulator (2, 1, "Kernel", "rbf"), {X, single(X)}, {Y});
%!     if (mod (r, 2) == 0)
%!       try
%!         cka_compare (bad, [], ids, "Pooling", "tokens", o{:});
%!       end_try_catch
%!       try
%!         cka_update (cka_accumulator (2, 1), {X, Xn}, {Y});
%!       end_try_catch
%!     endif
%!   endfor
%!   growth = rss_kb () - before;
%! endfor
%! assert (growth < 1024, sprintf ("VmRSS grew by %d kB over 300 calls", growth));
