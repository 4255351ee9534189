## The benchmark table of `make bench` (issue 8): sgemm/dgemm peak, tfm_forward
## throughput and its share of the sgemm peak (BERT, GPT-2, DistilBERT and a
## 1B-parameter Llama with grouped-query attention, issue 15), the time split and peak memory
## of a 12-vs-12-layer cka_compare, and tfm_load speed.  Every figure is the
## median of CKA_BENCH_REPS runs (default 5) after a
## warm-up, with the spread (min .. max).  Prints the table and writes it as
## CSV and JSON to CKA_BENCH_OUT (default tests/build/bench under the build
## tree).  Run by tests/bench/run_bench.sh, or by hand from the build tree:
##   octave-cli --eval "addpath ('src', 'inst', 'tests/util'); run ('tests/bench/bench_perf.m')"
## Not part of the pass/fail suite.  The machine should be otherwise idle:
## the ratios to the sgemm peak (measured in the same run) are the steadier
## figures on a shared machine.

1;

function s = ifelse_str (c, s)
  if (! c)
    s = "";
  endif
endfunction

function s = tf (b)
  s = {"MISSED", "met"}{1 + logical (b)};
endfunction

[reps, outdir] = bench_setup (5);
here = fileparts (mfilename ("fullpath"));
octave = getenv ("OCTAVE");                 # for the fresh-process measurements
if (isempty (octave))
  octave = "octave-cli";
endif
R = cell (0, 10);
t_all = tic ();

## ---- (a) sgemm / dgemm peak: Octave's own products, 2048 x 2048 -------------
n = 2048;
sgemm = bench_sgemm_rate (n, 5);
R = bench_add_row (R, "peak", "sgemm 2048 (Octave single*single)", "GFLOP/s", sgemm, "", "", "");
A = randn (n);  B = randn (n);
A = double (A);  B = double (B);
C = A * B;
td = zeros (1, 5);
for k = 1:5
  t0 = tic ();  C = A * B;  td(k) = toc (t0);
endfor
R = bench_add_row (R, "peak", "dgemm 2048 (Octave double*double)", "GFLOP/s", 2 * n^3 ./ td / 1e9,
             "", "", "");
clear A B C;

## ---- (a') the forward's own matrix product: n x n x n through ops_linear
## with each backend of this build (BLAS sgemm; oneDNN matmul when configured
## --with-onednn), the same threads as a forward
backend = __tfm_forward__ ("backend");
backends = {"blas"};
if (strcmp (backend, "onednn"))
  backends = {"blas", "onednn"};
endif
mm_peak = struct ();
for b = backends
  __tfm_forward__ ("backend", b{1});
  s_ = __tfm_forward__ ("matmul", n, 5);
  mm_peak.(b{1}) = 2 * n^3 ./ s_ / 1e9;
  R = bench_add_row (R, "peak", sprintf ("forward's matmul 2048 (%s)", b{1}), "GFLOP/s",
               mm_peak.(b{1}), "", "", "ops_linear, float32 weights");
endfor
__tfm_forward__ ("backend", backend);

## ---- (b) tfm_forward -------------------------------------------------------
cases = { ...
  "BERT 256/6/4/512 (notebook)", "bert", {"hidden_size", 256, "num_hidden_layers", 6, ...
      "num_attention_heads", 4, "intermediate_size", 512, "vocab_size", 1000}, 8, 64, 5; ...
  "GPT-2 256/6/4 (notebook)", "gpt2", {"n_embd", 256, "n_layer", 6, "n_head", 4, ...
      "vocab_size", 1000}, 8, 64, 5; ...
  "DistilBERT 256/3/4/512 (notebook)", "distilbert", {"dim", 256, "n_layers", 3, ...
      "n_heads", 4, "hidden_dim", 512, "vocab_size", 1000}, 8, 64, 5; ...
  "BERT-base 768/12/12/3072", "bert", {}, 16, 128, reps; ...
  "GPT-2-small 768/12/12", "gpt2", {}, 16, 128, reps; ...
  "Llama 2048/16/32h/8kv/8192", "llama", {"hidden_size", 2048, "num_hidden_layers", 16, ...
      "num_attention_heads", 32, "num_key_value_heads", 8, "intermediate_size", 8192}, ...
      4, 256, min(reps, 3)};
models = struct ();
for k = 1:rows (cases)
  [label, arch, opts, Bt, T, nrep] = cases{k, :};
  model = tfm_create (arch, opts{:}, "Seed", k);
  ids = mod ((0:Bt-1)' * 7919 + (0:T-1) * 104729, model.config.vocab_size);
  mask = ones (Bt, T);
  mask(end, T/2+1:end) = 0;
  tfm_forward (model, ids, "AttentionMask", mask);        # warm-up
  ## the peak again right before and right after: the ratio compares like
  ## with like on a shared machine whose speed drifts (the best of the six
  ## runs: a conservative ratio)
  pk = bench_sgemm_rate (2048, 3);
  t = zeros (1, nrep);  ew = zeros (1, nrep);  flop = 0;
  for r = 1:nrep
    __tfm_forward__ ("profile", true);
    t0 = tic ();
    tfm_forward (model, ids, "AttentionMask", mask);
    t(r) = toc (t0);
    p = __tfm_forward__ ("profile", false);   # [total gemm hooks flop forwards]
    ew(r) = (p(1) - p(2) - p(3)) / p(1);
    flop = p(4);
  endfor
  gf = flop ./ t / 1e9;
  pk = [pk, bench_sgemm_rate(2048, 3)];
  R = bench_add_row (R, "peak", ["sgemm 2048 around " label], "GFLOP/s", pk, "", "", "");
  pk = max (pk);
  big = k >= 4;
  R = bench_add_row (R, "forward", [label sprintf(" B=%d T=%d", Bt, T)], "tokens/s", Bt * T ./ t,
               "", "", "");
  R = bench_add_row (R, "forward", [label " GFLOP/s (2mnk of every sgemm)"], "GFLOP/s", gf,
               "", "", sprintf ("%.1f GFLOP per forward", flop / 1e9));
  decoder = any (strcmp (arch, {"llama", "gpt_neox"}));
  ## issue 21: >= 0.90 on the BERT-base shape, >= 0.75 at the notebook
  ## sizes; issue 15: >= 0.75 for the Llama row; else issue 8's 0.70
  floor_ratio = 0.70 + 0.05 * (decoder || ! big) + 0.20 * strncmp (label, "BERT-base", 9);
  ok = median (gf) / pk >= floor_ratio;
  R = bench_add_row (R, "forward", sprintf ("%s / sgemm peak [%s]", label, backend), "ratio", gf / pk,
               sprintf (">= %.2f", floor_ratio), tf (ok),
               sprintf ("against the best sgemm run around it, %.1f GFLOP/s; %.2f of the %s matmul peak",
                        pk, median (gf) / max (mm_peak.(backend)), backend));
  ok = median (ew) <= 0.10;
  what = "LayerNorm, GELU, softmax+masks, residuals, embeddings, bias preload";
  if (decoder)
    what = "RMSNorm, rotary, SiLU x up, softmax+masks, residuals, embeddings";
  endif
  R = bench_add_row (R, "forward", [label " element-wise share"], "fraction", ew,
               ifelse_str (big, "<= 0.10"), ifelse_str (big, tf (ok)), what);
  if (big)
    ## Hooks: one MEX call per forward whatever their number; what a hook
    ## costs is copying its output into an Octave array.
    first = struct ("bert", "embeddings", "gpt2", "drop", "distilbert", "embeddings",
                    "llama", "embed_tokens").(arch);
    hooks = [{first}, tfm_modules(model, "blocks")(:)'];
    th = zeros (1, nrep);  hs = th;
    for r = 1:nrep
      __tfm_forward__ ("profile", true);
      t0 = tic ();
      [~, acts] = tfm_forward (model, ids, "AttentionMask", mask, "Hooks", hooks);
      th(r) = toc (t0);
      p = __tfm_forward__ ("profile", false);
      hs(r) = p(3) / p(1);
    endfor
    mbh = sum (cellfun (@numel, acts)) * 4 / 1e6;
    clear acts;
    R = bench_add_row (R, "forward", sprintf ("%s with %d block-output hooks: hook copies' share", label,
                                        numel (hooks)), "fraction", hs, "", "",
                 sprintf ("%.0f MB copied out; %.2f ms per hook", mbh,
                          1e3 * median (hs .* th) / numel (hooks)));
    if (any (strcmp (arch, {"bert", "gpt2"})))
      models.(arch) = model;                # for (c)
    endif
  endif
  clear model;
endfor

## ---- (b1) the backends compared (a build with oneDNN): the same forwards
## with BLAS sgemm and with oneDNN matmul, alternating
if (numel (backends) > 1)
  bert = models.bert;
  small = tfm_create ("bert", cases{1, 3}{:}, "Seed", 1);
  runs = {"BERT-base 16x128", bert, mod((0:15)' * 7919 + (0:127) * 104729, 30522); ...
          "BERT 256/6/4/512 (notebook) 8x64", small, mod((0:7)' * 7919 + (0:63) * 104729, 1000)};
  for k = 1:rows (runs)
    [lbl, mdl, ids_] = runs{k, :};
    tb = zeros (1, reps);  to = tb;
    for r = 1:reps
      for b = backends
        __tfm_forward__ ("backend", b{1});
        x = tfm_forward (mdl, ids_);
        t0 = tic ();  x = tfm_forward (mdl, ids_);  t_ = toc (t0);
        if (strcmp (b{1}, "blas"))
          tb(r) = t_;  xb = x;
        else
          to(r) = t_;
          dev = max (abs (x(:) - xb(:))) / max (1, max (abs (xb(:))));
        endif
      endfor
    endfor
    __tfm_forward__ ("backend", backend);
    R = bench_add_row (R, "forward", [lbl " time: BLAS / oneDNN"], "ratio", tb ./ to, "", "",
                 sprintf ("oneDNN %.3f s, BLAS %.3f s; last hidden state differs by %.1e (relative)",
                          median (to), median (tb), dev));
  endfor
  clear small x xb;
endif

## ---- (b2) a busy machine (issue 21): the BERT-base forward while another ---
## process keeps one core busy.  With half the cores, 2x the idle time is
## the floor; threads that spin while waiting for the busy core would show
## as several times more.  Idle and busy runs alternate.
bert = models.bert;
ids16 = mod ((0:15)' * 7919 + (0:127) * 104729, 30522);
x = tfm_forward (bert, ids16);  clear x;                  # warm-up
ti = zeros (1, reps);  tb = ti;
for r = 1:reps
  t0 = tic ();  x = tfm_forward (bert, ids16);  ti(r) = toc (t0);
  [~, pid] = system ("sh -c 'while :; do :; done' >/dev/null 2>&1 & echo $!");
  pause (0.5);
  unwind_protect
    t0 = tic ();  x = tfm_forward (bert, ids16);  tb(r) = toc (t0);
  unwind_protect_cleanup
    system (sprintf ("kill %d", str2double (pid)));
  end_unwind_protect
endfor
clear x;
R = bench_add_row (R, "forward", "BERT-base 16x128 with one core busy / idle", "ratio", tb ./ ti,
             "<= 2.3", tf (median (tb ./ ti) <= 2.3),
             sprintf ("%d cores; 2 = the lost core's share", nproc ()));

## ---- (c) cka_compare of the two 12-layer shapes, 13 block outputs each ------
gpt2 = models.gpt2;
clear models;
L1 = [{"embeddings"}, tfm_modules(bert, "blocks")(:)'];
L2 = [{"drop"}, tfm_modules(gpt2, "blocks")(:)'];
Bt = 16;  T = 128;
ids = mod ((0:Bt-1)' * 7919 + (0:T-1) * 104729, 30522);
for pool = {"flatten", "mean"}
  tt = zeros (1, reps);  tf_ = tt;  tg = tt;  th = tt;
  for r = 1:reps
    __cka_compare_batch__ ();                 # reset the time split
    t0 = tic ();
    res = cka_compare (bert, gpt2, ids, "Layers1", L1, "Layers2", L2, "Pooling", pool{1},
                       "BatchSize", Bt, "Progress", false);
    tt(r) = toc (t0);
    s = __cka_compare_batch__ ();             # [forward gram hsic calls]
    tf_(r) = s(1);  tg(r) = s(2);  th(r) = s(3);
  endfor
  lbl = sprintf ("cka_compare BERT-base vs GPT-2-small, 13x13 blocks, %s, %dx%d", pool{1}, Bt, T);
  R = bench_add_row (R, "cka", [lbl " total"], "s", tt, "", "", sprintf ("%d batch(es)", res.n_batches));
  R = bench_add_row (R, "cka", [lbl " forward"], "s", tf_, "", "", "");
  R = bench_add_row (R, "cka", [lbl " Gram (pool+Gram+centre)"], "s", tg, "", "", "");
  R = bench_add_row (R, "cka", [lbl " HSIC"], "s", th, "", "", "");
  share = (tg + th) ./ tt;
  R = bench_add_row (R, "cka", [lbl " (Gram+HSIC) share"], "fraction", share,
               ifelse_str (strcmp (pool{1}, "flatten"), "<= 0.05"),
               ifelse_str (strcmp (pool{1}, "flatten"), tf (median (share) <= 0.05)), "");
endfor

## ---- (d) tfm_load of a ~440 MB float32 checkpoint ---------------------------
clear gpt2;
dir = tempname ();
small = [];
unwind_protect
  tfm_save (bert, dir);
  mb = stat (fullfile (dir, "model.safetensors")).size / 1e6;
  m = tfm_load (dir);  clear m;             # warm the page cache
  tl = zeros (1, 5);
  for r = 1:5
    t0 = tic ();  m = tfm_load (dir);  tl(r) = toc (t0);
    clear m;
  endfor
  ok = median (mb ./ tl) >= 1000;
  R = bench_add_row (R, "load", sprintf ("tfm_load BERT-base F32 %.0f MB, warm cache", mb), "MB/s",
               mb ./ tl, ">= 1000", tf (ok), "");
  ## What a user's first load costs: a fresh octave-cli (MEX files already
  ## loaded by a small checkpoint), whose output pages are all new to the
  ## process.  Octave allocates (and zero-fills) them on one thread, 4 KB
  ## page by page; glibc's transparent-huge-page tunable makes those page
  ## faults ~5x cheaper.  Both are reported, neither is the target row.
  small = tempname ();
  tfm_save (tfm_create ("bert", "hidden_size", 32, "num_hidden_layers", 1, "num_attention_heads", 2,
                        "intermediate_size", 64, "vocab_size", 100), small);
  cmd = sprintf (["%s --no-gui --norc --no-history --silent --eval \"addpath ('%s', '%s'); " ...
                  "m = tfm_load ('%s'); clear m; t0 = tic (); m = tfm_load ('%s'); " ...
                  "printf ('FIRST %%.6f\\n', toc (t0));\""], octave,
                 fileparts (file_in_loadpath ("__safetensors_read__.mex")),
                 fileparts (which ("tfm_load")), small, dir);
  for env = {"", "GLIBC_TUNABLES=glibc.malloc.hugetlb=1 "}
    tf1 = zeros (1, 3);
    for r = 1:3
      [~, o] = system ([env{1} cmd]);
      tf1(r) = sscanf (regexp (o, 'FIRST ([\d.]+)', "tokens", "once"){1}, "%f");
    endfor
    R = bench_add_row (R, "load", sprintf ("tfm_load first load in a fresh process%s",
                                     ifelse_str (! isempty (env{1}), ", glibc.malloc.hugetlb=1")),
                 "MB/s", mb ./ tf1, "", "", "");
  endfor
unwind_protect_cleanup
  confirm_recursive_rmdir (false, "local");
  for f = {dir, small}
    if (ischar (f{1}) && isfolder (f{1}))
      rmdir (f{1}, "s");
    endif
  endfor
end_unwind_protect

## ---- (c') peak memory, in fresh processes (the high-water mark of a process
## only grows).  Run last: system() forks this ~1 GB process, and the
## copy-on-write faults that leaves behind halved the speed of the tfm_load
## measurement when it came after.
src = fileparts (file_in_loadpath ("__cka_compare_batch__.mex"));
inst = fileparts (which ("cka_compare"));
prolog = sprintf (["addpath ('%s', '%s'); hwm = @() sscanf (regexp (fileread ('/proc/self/status'), " ...
                   "'VmHWM:\\s*(\\d+)', 'tokens', 'once'){1}, '%%d'); " ...
                   "b = tfm_create ('bert', 'Seed', 4); g = tfm_create ('gpt2', 'Seed', 5); " ...
                   "ids = mod ((0:15)' * 7919 + (0:127) * 104729, 30522); " ...
                   "w = (sum (cellfun (@numel, b.weights)) + sum (cellfun (@numel, g.weights))) * 4 / 1024; " ...
                   "h0 = hwm ();"], src, inst);
cmd_fwd = [prolog " x = tfm_forward (b, ids); clear x; h1 = hwm (); x = tfm_forward (g, ids); clear x; h2 = hwm (); " ...
           "printf ('MEM %d %d %d %d\\n', w, h0, h1, h2);"];
cmd_cmp = [prolog sprintf([" L1 = [{'embeddings'}, tfm_modules(b, 'blocks')(:)']; L2 = [{'drop'}, tfm_modules(g, 'blocks')(:)']; " ...
           "r = cka_compare (b, g, ids, 'Layers1', L1, 'Layers2', L2, 'Pooling', 'flatten', 'BatchSize', 16, 'Progress', false); " ...
           "printf ('MEM %%d %%d %%d\\n', w, h0, hwm ());"])];
[st1, o1] = system (sprintf ("%s --no-gui --norc --no-history --silent --eval \"%s\"", octave, cmd_fwd));
[st2, o2] = system (sprintf ("%s --no-gui --norc --no-history --silent --eval \"%s\"", octave, cmd_cmp));
m1 = sscanf (regexp (o1, 'MEM ([\d ]+)', "tokens", "once"){1}, "%d");
m2 = sscanf (regexp (o2, 'MEM ([\d ]+)', "tokens", "once"){1}, "%d");
wmb = m1(1) / 1024;
fwd_ws = max (m1(3) - m1(2), m1(4) - m1(2)) / 1024;   # one forward's working set (MB)
cmp_peak = (m2(3) - m2(2)) / 1024;
R = bench_add_row (R, "memory", "weights of BERT-base + GPT-2-small (float32)", "MB", wmb, "", "", "");
R = bench_add_row (R, "memory", "base process with both models (VmHWM)", "MB", m2(2) / 1024, "", "", "");
R = bench_add_row (R, "memory", "one forward working set 16x128 (VmHWM growth, max of the two)", "MB",
             fwd_ws, "", "", "");
R = bench_add_row (R, "memory", "cka_compare 13x13 flatten 16x128 (VmHWM growth over the models)", "MB",
             cmp_peak, "<= 1.5 x forward working set", tf (cmp_peak <= 1.5 * fwd_ws),
             sprintf ("%.2f x the forward working set", cmp_peak / fwd_ws));

## ---- output -----------------------------------------------------------------
[~, host] = system ("uname -srm");
cpu = strtrim (regexprep (regexp (fileread ("/proc/cpuinfo"), 'model name\s*:\s*([^\n]*)', ...
                                  "tokens", "once"){1}, '\s+', ' '));
la = strtrim (fileread ("/proc/loadavg"));
fn = fullfile (outdir, "bench.csv");
bench_table (R, sprintf ("# octave-cka benchmark: %s, %d CPUs, %s; load average %s; %.0f s", cpu,
                         nproc (), strtrim (host), la, toc (t_all)), fn);
S = cell2struct (R, {"section", "case", "unit", "median", "min", "max", "runs", "target", ...
                     "status", "note"}, 2);
J = struct ("machine", struct ("cpu", cpu, "cpus", nproc (), "kernel", strtrim (host),
                               "loadavg", la, "octave", OCTAVE_VERSION ()),
            "rows", S);
fid = fopen (fullfile (outdir, "bench.json"), "w");
fputs (fid, jsonencode (J));
fclose (fid);
printf ("# written: %s and bench.json\n", fn);
