## The price of uncertainty and of the other measures (issue 19), a table of
## `make bench`: a 13 x 13-block cka_compare of BERT-base against
## GPT-2-small (768 wide, 12 blocks each, random weights), 4 batches of
## 16 x 128 tokens, run plain and with "Bootstrap", 1000 + "Permutations",
## 1000 (target: at most 10% more time), and with mean pooling plain and
## with "Estimator", "full" and the four other measures.  The variants
## alternate within each repetition, so a drift of the machine's speed hits
## all alike; each figure is the median of CKA_BENCH_REPS runs (default 3)
## with the spread.  Also: the forward's GFLOP/s against the machine's
## sgemm peak measured in the same run, and the process's peak memory.
## Writes bench_stats.csv to CKA_BENCH_OUT (default tests/build/bench).
## Run by tests/bench/run_bench.sh, or by hand from the source tree:
##   octave-cli --eval "addpath ('src', 'inst', 'tests/util'); run ('tests/bench/bench_stats.m')"

1;

[reps, outdir] = bench_setup (3);
t_all = tic ();
peak = bench_sgemm_rate (2048, 5);

bert = tfm_create ("bert", "Seed", 1);
gpt2 = tfm_create ("gpt2", "Seed", 2);
L1 = [{"embeddings"}, tfm_modules(bert, "blocks")(:)'];
L2 = [{"drop"}, tfm_modules(gpt2, "blocks")(:)'];
Bt = 16;  T = 128;  nb = 4;
ids = mod ((0:nb*Bt-1)' * 7919 + (0:T-1) * 104729, 30522);
## forward FLOPs per token of a 768-wide, 12-block encoder or decoder:
## 2 per weight of the block matrices (4 H^2 + 2 H I) and 4 T H for the
## attention products
H = 768;  I = 3072;  Lb = 12;
flops = 2 * nb * Bt * T * Lb * (2 * (4 * H^2 + 2 * H * I) + 4 * T * H);   # both models
variants = {"plain, flatten", {"Pooling", "flatten"}; ...
            "Bootstrap 1000 + Permutations 1000, flatten", ...
            {"Pooling", "flatten", "Bootstrap", 1000, "Permutations", 1000}; ...
            "plain, mean", {"Pooling", "mean"}; ...
            "Estimator full + Procrustes, SVCCA, PWCCA, RSA, mean", ...
            {"Pooling", "mean", "Estimator", "full", ...
             "Measure", {"procrustes", "svcca", "pwcca", "rsa"}}};
warning ("off", "cka:bootstrap:fewBatches");
warning ("off", "cka:measure:fewSamples");
tv = zeros (rows (variants), reps);
tfwd = zeros (rows (variants), reps);
tstat = zeros (rows (variants), reps);
for r = 1:reps
  for v = 1:rows (variants)
    __cka_compare_batch__ ();                 # reset the time split
    t0 = tic ();
    res = cka_compare (bert, gpt2, ids, "Layers1", L1, "Layers2", L2, "BatchSize", Bt,
                       "Progress", false, variants{v, 2}{:});
    tv(v, r) = toc (t0);
    s = __cka_compare_batch__ ();             # [forward gram hsic calls]
    tfwd(v, r) = s(1);
    if (isfield (res.timing, "stats"))
      tstat(v, r) = res.timing.stats;
    endif
  endfor
endfor
hwm = bench_vm_hwm_kb () / 1024;
save ("-v7", fullfile (outdir, "bench_stats_times.mat"), "tv", "tfwd", "tstat", "peak", "hwm");

rows_out = {};
row = @(name, unit, x, note) {name, unit, median(x), min(x), max(x), note};
rows_out(end+1, :) = row ("sgemm 2048 peak", "GFLOP/s", peak, "");
for v = 1:rows (variants)
  rows_out(end+1, :) = row (["cka_compare total: " variants{v, 1}], "s", tv(v, :), "");
endfor
g = flops ./ tfwd(1, :) / 1e9;
rows_out(end+1, :) = row ("forward of the plain flatten run", "GFLOP/s", g,
                          sprintf ("%.2f of the sgemm peak", median (g) / median (peak)));
rows_out(end+1, :) = row ("throughput of the plain flatten run", "tokens/s",
                          nb * Bt * T ./ tv(1, :), "per model");
over = tv(2, :) ./ tv(1, :) - 1;
rows_out(end+1, :) = row ("overhead of Bootstrap 1000 + Permutations 1000", "fraction", over,
                          sprintf ("target <= 0.10: %s",
                                   {"MISSED", "met"}{1 + (median (over) <= 0.10)}));
rows_out(end+1, :) = row ("  of which bootstrap + p-values after the run", "s", tstat(2, :), "");
over = tv(4, :) ./ tv(3, :) - 1;
rows_out(end+1, :) = row ("overhead of Estimator full + 4 measures (mean)", "fraction", over,
                          "feature-space sums of 13 x 13 pairs of 768 x 768");
rows_out(end+1, :) = row ("  of which the measures after the run", "s", tstat(4, :),
                          "one eigendecomposition per layer, SVDs per pair");
rows_out(end+1, :) = row ("peak memory (VmHWM) of the process", "MB", hwm, "two models: 0.98 GB");

printf ("\n# bench_stats: %d batches of %d x %d tokens, 13 x 13 blocks, %d repetitions, %.0f s\n",
        nb, Bt, T, reps, toc (t_all));
printf ("%-62s %9s %9s %9s %-9s %s\n", "case", "median", "min", "max", "unit", "");
for k = 1:rows (rows_out)
  printf ("%-62s %9.4g %9.4g %9.4g %-9s %s\n", rows_out{k, [1 3 4 5 2 6]});
endfor
fid = fopen (fullfile (outdir, "bench_stats.csv"), "w");
fprintf (fid, "case,unit,median,min,max,note\n");
for k = 1:rows (rows_out)
  fprintf (fid, "\"%s\",%s,%.6g,%.6g,%.6g,\"%s\"\n", rows_out{k, :});
endfor
fclose (fid);
