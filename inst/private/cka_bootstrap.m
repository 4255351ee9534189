## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {[@var{lo}, @var{hi}] =} cka_bootstrap (@var{terms}, @var{L1}, @var{L2}, @var{B}, @var{level}, @var{seed}, @var{epsilon})
## Percentile bootstrap intervals of minibatch CKA, resampling batches.
##
## @var{terms} holds one column per batch, @code{[hxy(:); hxx; hyy]} (the
## batch's HSIC values, L1*L2 + L1 + L2 rows).  Each of the @var{B}
## replicates draws as many batches as there are, with replacement; its
## sums are a product of @var{terms} with the counts of the draws (one BLAS
## product for all replicates), its CKA the usual ratio.  @var{lo} and
## @var{hi} (L1-by-L2) are the (1 - @var{level})/2 and (1 + @var{level})/2
## quantiles of the replicates (Octave's @code{quantile}, method 5).  The
## draws come from @code{rand} seeded with @var{seed}; the caller's random
## state is restored.
## @end deftypefn

function [lo, hi] = cka_bootstrap (terms, L1, L2, B, level, seed, epsilon)
  nb = columns (terms);
  P = L1 * L2;
  cka_check_memory (8 * (P + nb + L1 + L2) * B, "cka:input:tooLarge",
                    sprintf ("the bootstrap of %d x %d layer pairs with %d replicates",
                             L1, L2, B));
  old = rand ("state");
  unwind_protect
    rand ("state", seed);
    draws = ceil (nb * rand (nb, B));
  unwind_protect_cleanup
    rand ("state", old);
  end_unwind_protect
  counts = accumarray ([draws(:), kron((1:B)', ones (nb, 1))], 1, [nb B]);
  sums = terms * counts;                          # (P + L1 + L2) x B
  xy = sums(1:P, :);
  xx = sums(P + (1:L1), :);
  yy = sums(P + L1 + (1:L2), :);
  ix = repmat ((1:L1)', L2, 1);
  iy = kron ((1:L2)', ones (L1, 1));
  a = xx(ix, :);  b = yy(iy, :);
  den = sqrt (abs (a)) .* sqrt (abs (b)) .* ((sign (a) .* sign (b)) > 0);
  C = xy ./ (den + epsilon);
  q = quantile (C, [(1 - level) / 2, (1 + level) / 2], 2);
  lo = reshape (q(:, 1), L1, L2);
  hi = reshape (q(:, 2), L1, L2);
endfunction
