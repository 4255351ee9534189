## Memory soak (make soak): N tfm_forward calls with hooks and N cka_update
## calls, with a failing call every 100th, RSS sampled along the way.  Prints
## one line per phase and "SOAK PASS"/"SOAK FAIL": RSS may not grow by more
## than 8 MiB between the first and the last tenth of a phase.
function soak (N)
  if (nargin < 1) N = 10000; endif
  m = tfm_create ("bert", "hidden_size", 32, "num_hidden_layers", 2,
                  "num_attention_heads", 2, "intermediate_size", 64,
                  "vocab_size", 100, "max_position_embeddings", 32, "Seed", 1);
  ids = mod ((0:7)' * 7 + (0:11) * 3, 100);
  hooks = tfm_modules (m, "blocks");
  ok = true;
  S = cka_accumulator (hooks, hooks);
  phases = {"tfm_forward", "cka_update"};
  for p = 1:2
    rss = zeros (10, 1);
    t0 = tic ();
    for k = 1:N
      if (p == 1)
        [~, a] = tfm_forward (m, ids, "Hooks", hooks);
        if (mod (k, 100) == 0)
          try, tfm_forward (m, ids + 1000); catch, end_try_catch  # out of range ids
        endif
      else
        S = cka_update (S, a, a);
        if (mod (k, 100) == 0)
          try, cka_update (S, a, {NaN(8, 4)}); catch, end_try_catch
        endif
      endif
      if (mod (k, N / 10) == 0)
        rss(k / (N / 10)) = mem_status ();
      endif
    endfor
    [r, hwm] = mem_status ();
    grow = rss(end) - rss(1);
    printf ("%s: %d calls in %.1f s, RSS after 10%% %d KiB, after 100%% %d KiB (growth %d KiB), VmHWM %d KiB\n",
            phases{p}, N, toc (t0), rss(1), rss(end), grow, hwm);
    printf ("  RSS samples (KiB): %s\n", sprintf ("%d ", rss));
    ok = ok && grow < 8192;
  endfor
  printf ("cka_matrix(1,1) after %d updates: %.6f\n", S.n_batches, cka_matrix (S)(1,1));
  if (ok) disp ("SOAK PASS"); else disp ("SOAK FAIL"); endif
endfunction
