## Benchmark of tfm_load / tfm_save on a BERT-base sized checkpoint
## (12 layers, hidden 768, 199 tensors, 109,482,240 float32 parameters,
## ~438 MB): builds a model struct with random single weights of the
## BERT-base shapes, saves it with tfm_save, then loads it several times
## (warm page cache) and prints MB/s.  Run from the source tree:
##   octave-cli --eval "addpath ('src', 'inst'); run ('tests/bench/bench_load.m')"
## or `CKA_BENCH_ALL=1 make bench`.  Not part of the pass/fail suite.

1;
function [names, shapes] = bert_base_spec (cfg)
  ## the parameter list comes from the package's one table (a private
  ## function); reach it through the private directory for this script only
  here = fileparts (which ("tfm_load"));
  old = path ();
  unwind_protect
    addpath (fullfile (here, "private"));
    [names, shapes] = tfm_param_spec (tfm_config_public (cfg));
  unwind_protect_cleanup
    path (old);
  end_unwind_protect
endfunction

function cfg = tfm_config_public (given)
  cfg = tfm_config ("bert", given);
endfunction

nrep = str2double (getenv ("CKA_BENCH_REPS"));
if (isnan (nrep))
  nrep = 5;
endif
cfg = struct ("model_type", "bert");      # every field default: BERT-base
[names, shapes] = bert_base_spec (cfg);
randn ("state", 1);
weights = cell (numel (names), 1);
for k = 1:numel (names)
  sz = shapes{k};
  if (isscalar (sz))
    sz = [sz 1];
  endif
  weights{k} = randn (sz, "single");
endfor
model = struct ("arch", "bert", "config", cfg, "name", "bert-base-random");
model.names = names;
model.weights = weights;
nparam = sum (cellfun (@numel, weights));

dir = tempname ();
unwind_protect
  t0 = tic ();
  tfm_save (model, dir);
  tsave = toc (t0);
  f = fullfile (dir, "model.safetensors");
  info = stat (f);
  mb = info.size / 1e6;
  printf ("checkpoint: %d tensors, %d parameters, %.1f MB\n", numel (names), nparam, mb);
  printf ("tfm_save:  %.3f s  (%.0f MB/s, incl. fsync)\n", tsave, mb / tsave);

  times = zeros (1, nrep);
  for r = 1:nrep
    t0 = tic ();
    m = tfm_load (dir);
    times(r) = toc (t0);
    if (r == 1)
      same = all (cellfun (@(a, b) isequal (typecast (a(:), "uint32"), typecast (b(:), "uint32")),
                           m.weights, weights));
      printf ("bit-exact round trip: %d\n", same);
    endif
    clear m;
  endfor
  printf ("tfm_load (warm cache), %d runs: best %.3f s = %.0f MB/s, median %.3f s = %.0f MB/s\n",
          nrep, min (times), mb / min (times), median (times), mb / median (times));
  printf ("  first run in this process %.3f s = %.0f MB/s (all output pages freshly faulted)\n",
          times(1), mb / times(1));
  if (exist ("/proc/loadavg", "file"))
    printf ("  load average during the runs: %s", fileread ("/proc/loadavg"));
  endif

  ## the reader alone (no config / name mapping)
  t0 = tic ();
  C = safetensors_read (f, names);
  tr = toc (t0);
  printf ("safetensors_read of all tensors: %.3f s = %.0f MB/s\n", tr, mb / tr);
  clear C;

  ## bf16 file: half the bytes, conversion on load
  tfm_save (model, fullfile (dir, "bf16"), "Dtype", "bf16");
  fb = stat (fullfile (dir, "bf16", "model.safetensors")).size / 1e6;
  tb = zeros (1, nrep);
  for r = 1:nrep
    t0 = tic ();
    m = tfm_load (fullfile (dir, "bf16"));
    tb(r) = toc (t0);
    clear m;
  endfor
  printf ("tfm_load BF16 (%.1f MB file -> %.1f MB single): best %.3f s = %.0f MB/s of output\n",
          fb, mb, min (tb), mb / min (tb));
unwind_protect_cleanup
  confirm_recursive_rmdir (false, "local");
  if (isfolder (dir))
    rmdir (dir, "s");
  endif
end_unwind_protect
