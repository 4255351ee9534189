## tfm_forward must not leak: after warm-up passes, 1000 more calls (with
## hooks and a mask, and every tenth call followed by two failing calls)
## leave the resident set of the process unchanged (a leak of 1 kB per call
## would show as 1 MB).  The first passes let Octave's heap and its error
## machinery settle.

%!function kb = rss_kb ()
%!  txt = fileread ("/proc/self/status");
%!  tok = regexp (txt, 'VmRSS:\s+(\d+)', "tokens", "once");
%!  kb = str2double (tok{1});
%!endfunction

%!testif ; exist ("/proc/self/status", "file")
%! model = tfm_create ("bert", "hidden_size", 32, "num_hidden_layers", 2,
%!                     "num_attention_heads", 4, "intermediate_size", 64,
%!                     "vocab_size", 1000, "Seed", 2);
%! ids = randi ([0 999], 4, 16);
%! mask = ones (4, 16);
%! hooks = [tfm_modules(model, "blocks"); {"encoder.layer.1.attention.self.dropout"}];
%! bad = ids;
%! bad(3) = 1000;
%! for pass = 1:3
%!   before = rss_kb ();
%!   for r = 1:1000
%!     [h, a] = tfm_forward (model, ids, "AttentionMask", mask, "Hooks", hooks);
%!     if (mod (r, 10) == 0)
%!       try
%!         tfm_forward (model, bad);
%!       end_try_catch
%!       try
%!         tfm_forward (model, ids, "Hooks", {"encoder.layer.9"});
%!       end_try_catch
%!     endif
%!   endfor
%!   growth = rss_kb () - before;
%! endfor
%! assert (growth < 1024, sprintf ("VmRSS grew by %d kB over 1000 calls", growth));
