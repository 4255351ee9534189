## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {cka} {@var{M} =} cka_matrix (@var{S})
## The CKA matrix of an accumulator or a @code{cka_compare} result @var{S}:
## @example
## M(i,j) = S.hsic_xy(i,j) / (sqrt (max (S.hsic_xx(i) * S.hsic_yy(j), 0)) + epsilon)
## @end example
## as pytorch-cka computes it from its summed HSIC values (@var{epsilon} is
## @code{S.config.epsilon}; a negative product of unbiased estimates is
## clamped to 0).  Rows follow @code{S.layers1}, columns @code{S.layers2}.
## @seealso{cka_accumulator, cka_update, cka_compare}
## @end deftypefn

function M = cka_matrix (S)
  if (nargin != 1)
    print_usage ();
  endif
  S = cka_check_state (S, "cka_matrix", "struct");
  if (S.n_batches == 0)
    error ("cka:input:emptyAccumulator", "cka_matrix: nothing has been accumulated yet");
  endif
  xx = S.hsic_xx;  yy = S.hsic_yy;
  ## sqrt (max (xx * yy', 0)) without forming the product (it overflows for
  ## very large activations): a negative product is clamped to 0
  den = (sqrt (abs (xx)) * sqrt (abs (yy)).') .* ((sign (xx) * sign (yy).') > 0);
  M = S.hsic_xy ./ (den + S.config.epsilon);
endfunction

%!test
%! S = cka_accumulator (2, 3);
%! S.hsic_xy = [1 2 3; 4 5 6];  S.hsic_xx = [4; 9];  S.hsic_yy = [1; -1; 4];
%! S.n_batches = 1;  S.n_samples = 8;  S.batch_sizes = 8;
%! e = S.config.epsilon;
%! M = cka_matrix (S);
%! assert (M, [1/(2+e), 2/e, 3/(4+e); 4/(3+e), 5/e, 6/(6+e)], -1e-15);
%!error <Invalid call> cka_matrix ()
%!error id=cka:input:notAccumulator cka_matrix (struct ("a", 1))
%!error id=cka:input:emptyAccumulator cka_matrix (cka_accumulator (2))
%!error <field hsic_xy holds NaN> cka_matrix (setfield (setfield (cka_accumulator (1), "n_batches", 1), "hsic_xy", NaN))
%!error <field hsic_yy must be a real double array \(got char\)> cka_matrix (setfield (cka_accumulator (1), "hsic_yy", "x"))
