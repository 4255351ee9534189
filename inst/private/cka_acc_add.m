## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{S} =} cka_acc_add (@var{S}, @var{hxy}, @var{hxx}, @var{hyy}, @var{n})
## Add one batch's HSIC values (of @var{n} samples) to the accumulator @var{S}.
## @end deftypefn

function S = cka_acc_add (S, hxy, hxx, hyy, n)
  S.hsic_xy += hxy;
  S.hsic_xx += hxx;
  S.hsic_yy += hyy;
  S.n_samples += n;
  S.n_batches += 1;
  S.batch_sizes(end+1, 1) = n;
endfunction
