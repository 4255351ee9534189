## Scale-out benchmark of `make bench` (issue 18): the 13x13-block
## comparison of BERT-base and GPT-2-small over 32 batches of 8 x 128 tokens,
## split in 4 shards, run
##   (1) in one process with one thread,
##   (2) on 2 local workers ("Workers", 2) with one thread each,
##   (3) in one process with two threads,
##   (4) as two independent one-thread processes on half the batches each
##       (no parallel package, no shards: what 2 workers could reach),
## each in a fresh octave-cli with OMP_NUM_THREADS / OPENBLAS_NUM_THREADS
## set before it starts (threads of a process: its OpenMP team for the
## forward, OpenBLAS for the Gram matrices; a worker sets both to
## ThreadsPerWorker = cores / workers).  The models are loaded by path
## ("ModelPaths") in each worker; the timed call includes those loads.
## Targets: (1)/(2) >= 1.8 (per-worker efficiency >= 90 %), and (2) no
## slower than (3).  Also: the sgemm peak of each process's threads
## (Octave's single*single, measured in the same process), the achieved
## GFLOP/s of the forward passes (2mnk of every sgemm, counted by the
## forward's profiler in run 1), the peak memory (VmHWM) of the client and
## of each worker, and the largest difference of the matrices from run 1.
## Writes bench_scaleout.csv to CKA_BENCH_OUT.  The machine should be idle.

1;

function s = tf_str (b)
  s = {"MISSED", "met"}{1 + logical (b)};
endfunction

## Runs the script in fresh processes, one per environment in envs, all at
## once; the RESULT line of each.
function r = child (octave, envs, script)
  f = [tempname() ".m"];
  fid = fopen (f, "w");  fputs (fid, script);  fclose (fid);
  envs = cellstr (envs);
  cmd = "";
  for i = 1:numel (envs)
    cmd = [cmd sprintf("%s %s --no-gui --norc --no-history --silent %s 2>&1 & ", envs{i},
                       octave, f)];
  endfor
  [st, out] = system ([cmd "wait"]);
  unlink (f);
  tok = regexp (out, 'RESULT (.*)$', "tokens", "lineanchors", "dotexceptnewline");
  if (st != 0 || numel (tok) != numel (envs))
    error ("bench_scaleout: child failed (%d):\n%s", st, out);
  endif
  r = cellfun (@(t) jsondecode (t{1}), tok);
endfunction

[~, outdir] = bench_setup (1);
octave = getenv ("OCTAVE");
if (isempty (octave))
  octave = "octave-cli";
endif
pkg ("load", "parallel");
src = fileparts (file_in_loadpath ("__cka_compare_batch__.mex"));
inst = fileparts (which ("cka_compare"));
work = tempname ();
mkdir (work);
d1 = fullfile (work, "bert");  d2 = fullfile (work, "gpt2");
tfm_save (tfm_create ("bert", "Seed", 4), d1);
tfm_save (tfm_create ("gpt2", "Seed", 5), d2);
mat = fullfile (work, "cka-%s.mat");

## the same script in every child; MODE picks the run
script = sprintf ([ ...
  "addpath ('%s', '%s'); pkg load parallel;\n" ...
  "mode = getenv ('MODE');\n" ...
  "hwm = @(p) sscanf (regexp (fileread (sprintf ('/proc/%%s/status', p)), 'VmHWM:\\s*(\\d+)', 'tokens', 'once'){1}, '%%d') / 1024;\n" ...
  "A = single (randn (2048)); B = single (randn (2048)); t0 = tic (); while (toc (t0) < 1) C = A * B; endwhile\n" ...
  "g = zeros (1, 3); for r = 1:3, t0 = tic (); C = A * B; g(r) = 2 * 2048^3 / toc (t0) / 1e9; endfor; clear A B C\n" ...
  "m1 = tfm_load ('%s'); m2 = tfm_load ('%s');\n" ...
  "L1 = [{'embeddings'}, tfm_modules(m1, 'blocks')(:)']; L2 = [{'drop'}, tfm_modules(m2, 'blocks')(:)'];\n" ...
  "ids = mod ((0:255)' * 7919 + (0:127) * 104729, 30522);\n" ...
  "if (strncmp (mode, 'half', 4)) h = str2double (mode(5)); ids = ids((h-1)*128+(1:128), :); endif\n" ...
  "args = {'Layers1', L1, 'Layers2', L2, 'BatchSize', 8, 'Progress', false};\n" ...
  "if (strcmp (mode, 'workers')) args = [args, {'Workers', 2, 'Shards', 4, 'ModelPaths', {'%s', '%s'}}]; endif\n" ...
  "t0 = tic (); R = cka_compare (m1, m2, ids, args{:}); t = toc (t0);\n" ...
  "__tfm_forward__ ('profile', true); tfm_forward (m1, ids(1:8,:)); tfm_forward (m2, ids(1:8,:));\n" ...
  "p = __tfm_forward__ ('profile', false); p(4) *= rows (ids) / 8;\n" ...
  "kids = {}; [~, o] = system (sprintf ('ps -o pid= --ppid %%d', getpid ())); w = strsplit (strtrim (o));\n" ...
  "whwm = []; for i = 1:numel (w), if (! isempty (w{i}) && exist (['/proc/' w{i} '/status'], 'file')) whwm(end+1) = hwm (w{i}); endif, endfor\n" ...
  "cka = R.cka; save ('-binary', sprintf ('%s', mode), 'cka');\n" ...
  "printf ('RESULT %%s\\n', jsonencode (struct ('seconds', t, 'sgemm', max (g), 'flop', p(4), 'hwm', hwm ('self'), 'worker_hwm', whwm, 'shards', numel (R.batch_sizes))));\n"], ...
  src, inst, d1, d2, d1, d2, mat);

runs = {"single", "OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MODE=single", "1 process x 1 thread";
        "workers", "MODE=workers", "2 workers x 1 thread (4 shards)";
        "two", "OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 MODE=two", "1 process x 2 threads";
        "halves", {"OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MODE=half1", ...
                   "OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MODE=half2"}, ...
        "2 independent 1-thread processes, half the batches each"};
res = struct ();
t_all = tic ();
unwind_protect
  for k = 1:rows (runs)
    printf ("bench_scaleout: %s ...\n", runs{k, 3});
    fflush (stdout);
    res.(runs{k, 1}) = child (octave, runs{k, 2}, script);
    printf ("  %.1f s\n", max ([res.(runs{k, 1}).seconds]));
  endfor
  ref = load (sprintf (mat, "single")).cka;
  dw = max (abs (load (sprintf (mat, "workers")).cka(:) - ref(:)));
  d2t = max (abs (load (sprintf (mat, "two")).cka(:) - ref(:)));
unwind_protect_cleanup
  confirm_recursive_rmdir (false, "local");
  rmdir (work, "s");
end_unwind_protect

s = res.single;  w = res.workers;  t2 = res.two;
flop = s.flop;
speedup = s.seconds / w.seconds;
T = cell (0, 6);
T(end+1,:) = {"sgemm 2048, 1 thread (process of run 1)", s.sgemm, "GFLOP/s", "", "", ""};
T(end+1,:) = {"sgemm 2048, 2 threads (process of run 3)", t2.sgemm, "GFLOP/s", "", "", ""};
T(end+1,:) = {"forward work of the comparison (2mnk of every sgemm)", flop / 1e9, "GFLOP", "", "", ""};
g1 = flop / s.seconds / 1e9;  gw = flop / w.seconds / 1e9;  g2 = flop / t2.seconds / 1e9;
T(end+1,:) = {"1 process x 1 thread", s.seconds, "s", "", "", ...
              sprintf("%.1f GFLOP/s = %.2f of its sgemm peak", g1, g1 / s.sgemm)};
T(end+1,:) = {"2 workers x 1 thread, 4 shards", w.seconds, "s", "", "", ...
              sprintf("%.1f GFLOP/s = %.2f of 2 x the 1-thread sgemm peak", gw, gw / (2 * s.sgemm))};
T(end+1,:) = {"1 process x 2 threads", t2.seconds, "s", "", "", ...
              sprintf("%.1f GFLOP/s = %.2f of its sgemm peak", g2, g2 / t2.sgemm)};
hv = max ([res.halves.seconds]);
T(end+1,:) = {"2 independent 1-thread processes, half the batches each", hv, "s", "", "", ...
              sprintf("the bound for 2 workers: %.2f x 1 process x 1 thread", s.seconds / hv)};
T(end+1,:) = {"workers' overhead over that bound (model loads, fingerprints, start)", ...
              w.seconds - hv, "s", "", "", ""};
T(end+1,:) = {"speedup 2 workers vs 1 process x 1 thread", speedup, "x", ">= 1.8", ...
              tf_str(speedup >= 1.8), sprintf("per-worker efficiency %.0f %%", 50 * speedup)};
T(end+1,:) = {"2 workers x 1 thread vs 1 process x 2 threads (time ratio)", ...
              w.seconds / t2.seconds, "ratio", "<= 1.0", tf_str(w.seconds <= t2.seconds), ""};
T(end+1,:) = {"peak memory, 1 process (VmHWM)", s.hwm, "MB", "", "", "both models loaded"};
T(end+1,:) = {"peak memory, client of the workers run (VmHWM)", w.hwm, "MB", "", "", ...
              "both models loaded"};
T(end+1,:) = {"peak memory, each worker (VmHWM)", max([w.worker_hwm(:); 0]), "MB", "", "", ...
              sprintf("%d workers", numel(w.worker_hwm))};
T(end+1,:) = {"max |CKA difference|, workers vs 1 process", dw, "", "<= 1e-12", ...
              tf_str(dw <= 1e-12), ""};
T(end+1,:) = {"max |CKA difference|, 2 threads vs 1 thread", d2t, "", "", "", ""};

la = strtrim (fileread ("/proc/loadavg"));
printf ("\n# octave-cka scale-out benchmark: %d CPUs; load average %s; %.0f s\n", nproc (), la,
        toc (t_all));
printf ("%-62s %12s %-8s %-9s %-6s %s\n", "case", "value", "unit", "target", "", "note");
fid = fopen (fullfile (outdir, "bench_scaleout.csv"), "w");
fprintf (fid, "case,value,unit,target,status,note\n");
for k = 1:rows (T)
  printf ("%-62s %12.4g %-8s %-9s %-6s %s\n", T{k, :});
  fprintf (fid, "\"%s\",%.6g,%s,\"%s\",%s,\"%s\"\n", T{k, :});
endfor
fclose (fid);
printf ("# written: %s\n", fullfile (outdir, "bench_scaleout.csv"));
