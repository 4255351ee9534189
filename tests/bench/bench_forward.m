## Forward-pass throughput of tfm_forward (tokens per second), for the model
## sizes of the pytorch-cka LLM notebook and a BERT-base shape, and a
## 1000-call loop that must not grow the process memory.
##
## Run from the build tree:
##   octave-cli --no-gui --eval "addpath ([pwd '/src'], [pwd '/inst']); run ('tests/bench/bench_forward.m')"
## Run by `CKA_BENCH_ALL=1 make bench` (the table of `make bench` is
## bench_perf.m).  Not part of the pass/fail suite.  BLAS threads follow OPENBLAS_NUM_THREADS
## / OMP_NUM_THREADS.  Besides wall-clock throughput it prints the process
## CPU time per forward (all threads), which is the steadier figure on a
## busy machine.

cases = { ...
  "BERT 256/6/4/512",      "bert",  {"hidden_size", 256, "num_hidden_layers", 6, ...
                                     "num_attention_heads", 4, "intermediate_size", 512, ...
                                     "vocab_size", 1000}, 8, 64, 20; ...
  "GPT-2 256/6/4",         "gpt2",  {"n_embd", 256, "n_layer", 6, "n_head", 4, ...
                                     "vocab_size", 1000}, 8, 64, 20; ...
  "DistilBERT 256/3/4/512", "distilbert", {"dim", 256, "n_layers", 3, "n_heads", 4, ...
                                     "hidden_dim", 512, "vocab_size", 1000}, 8, 64, 20; ...
  "BERT-base 768/12/12/3072", "bert", {}, 16, 128, 3};

printf ("%-28s %6s %5s %12s %12s %14s\n", "model", "batch", "seq", "ms/forward", "tokens/s",
        "CPU ms/forward");
for k = 1:rows (cases)
  [label, arch, opts, B, T, reps] = cases{k, :};
  model = tfm_create (arch, opts{:}, "Seed", 1);
  V = model.config.vocab_size;
  ids = randi ([0, V-1], B, T);
  mask = ones (B, T);
  mask(end, T/2+1:end) = 0;
  tfm_forward (model, ids, "AttentionMask", mask);      # warm up
  t0 = tic ();
  c0 = cputime ();
  for r = 1:reps
    h = tfm_forward (model, ids, "AttentionMask", mask);
  endfor
  dc = (cputime () - c0) / reps;
  dt = toc (t0) / reps;
  printf ("%-28s %6d %5d %12.2f %12.0f %14.2f\n", label, B, T, 1000 * dt, B * T / dt,
          1000 * dc);
endfor

## Memory: 1000 calls with hooks must not grow the resident set.
function kb = rss_kb ()
  kb = NaN;
  fid = fopen ("/proc/self/status");
  if (fid < 0)
    return;
  endif
  txt = fread (fid, Inf, "char=>char")';
  fclose (fid);
  tok = regexp (txt, 'VmRSS:\s+(\d+)', "tokens", "once");
  kb = str2double (tok{1});
endfunction

model = tfm_create ("bert", "hidden_size", 64, "num_hidden_layers", 2,
                    "num_attention_heads", 4, "intermediate_size", 128,
                    "vocab_size", 1000, "Seed", 2);
ids = randi ([0 999], 8, 32);
hooks = tfm_modules (model, "blocks");
for r = 1:50
  [h, a] = tfm_forward (model, ids, "Hooks", hooks);
endfor
before = rss_kb ();
for r = 1:1000
  [h, a] = tfm_forward (model, ids, "AttentionMask", ones (8, 32), "Hooks", hooks);
endfor
after = rss_kb ();
printf ("1000 calls of tfm_forward: VmRSS %d kB -> %d kB (growth %d kB)\n",
        before, after, after - before);
