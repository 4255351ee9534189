## -*- texinfo -*-
## @deftypefn {} {[@var{reps}, @var{outdir}] =} bench_setup (@var{default_reps})
## The settings every benchmark script shares: the number of repetitions
## (environment CKA_BENCH_REPS, else @var{default_reps}) and the output
## folder (CKA_BENCH_OUT, else the tree's tests/build/bench: run () changes
## into the script's folder, so not the current one), created if missing.
## @end deftypefn

function [reps, outdir] = bench_setup (default_reps)
  reps = str2double (getenv ("CKA_BENCH_REPS"));
  if (isnan (reps))
    reps = default_reps;
  endif
  outdir = getenv ("CKA_BENCH_OUT");
  if (isempty (outdir))
    outdir = fullfile (fileparts (fileparts (mfilename ("fullpath"))), "build", "bench");
  endif
  if (! isfolder (outdir))
    mkdir (outdir);
  endif
endfunction
