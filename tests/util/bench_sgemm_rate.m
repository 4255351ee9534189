## -*- texinfo -*-
## @deftypefn {} {@var{g} =} bench_sgemm_rate (@var{n}, @var{k})
## The machine's sgemm peak as the benchmarks measure it: GFLOP/s of
## Octave's @code{single (A) * single (B)}, @var{n} x @var{n}, each of
## @var{k} runs, after about a second of warm-up products (the first ones
## after a pause run at a fraction of the speed while the cores and BLAS
## threads wake up).
## @end deftypefn

function g = bench_sgemm_rate (n, k)
  A = single (randn (n));  B = single (randn (n));
  t0 = tic ();
  while (toc (t0) < 1)
    C = A * B;
  endwhile
  g = zeros (1, k);
  for r = 1:k
    t0 = tic ();  C = A * B;  g(r) = 2 * n^3 / toc (t0) / 1e9;
  endfor
endfunction
