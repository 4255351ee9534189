## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{M} =} cka_matrix (@var{S})
## @deftypefnx {cka} {@var{M} =} cka_matrix (@var{S}, @var{measure})
## @deftypefnx {cka} {@var{E} =} cka_matrix (@var{S}, "stats")
## The CKA matrix of an accumulator or a @code{cka_compare} result @var{S}:
## @example
## M(i,j) = S.hsic_xy(i,j) / (sqrt (max (S.hsic_xx(i) * S.hsic_yy(j), 0)) + epsilon)
## @end example
## as pytorch-cka computes it from its summed HSIC values (@var{epsilon} is
## @code{S.config.epsilon}; a negative product of unbiased estimates is
## clamped to 0).  Rows follow @code{S.layers1}, columns @code{S.layers2}.
## With the accumulator option @qcode{"Estimator"} @qcode{"full"}, @var{M} is
## the exact full-data CKA from the feature-space sums instead.
##
## @var{measure} (@qcode{"cka"}, @qcode{"procrustes"}, @qcode{"svcca"},
## @qcode{"pwcca"}, @qcode{"rsa"}) reads another measure that the
## accumulator was asked for (@code{cka:input:badOption} otherwise).
## @qcode{"stats"} returns a struct with every extra field a
## @code{cka_compare} result would get: @code{estimator}, the bootstrap's
## @code{ci_low}, @code{ci_high}, @code{ci_level}, @code{n_bootstrap}, the
## permutation test's @code{p_value}, @code{n_permutations} and the other
## measures' matrices.
## @seealso{cka_accumulator, cka_update, cka_compare}
## @end deftypefn

function M = cka_matrix (S, measure = "cka")
  if (nargin < 1 || nargin > 2)
    print_usage ();
  endif
  S = cka_check_state (S, "cka_matrix", "struct");
  if (S.n_batches == 0)
    error ("cka:input:emptyAccumulator", "cka_matrix: nothing has been accumulated yet");
  endif
  if (! (ischar (measure) && isrow (measure)))
    error ("cka:input:badOption", "cka_matrix: the measure must be a name");
  endif
  measure = lower (measure);
  if (strcmp (measure, "stats"))
    M = cka_stats_fields ("result", S);
    return;
  endif
  asked = {"cka"};
  if (isfield (S, "stats"))
    asked = S.stats.measures;
  endif
  if (! any (strcmp (measure, asked)))
    error ("cka:input:badOption",
           "cka_matrix: the accumulator has no sums for the measure '%s' (it has: %s; ask for it with cka_accumulator (..., \"Measure\", ...))",
           measure, strjoin (asked, ", "));
  elseif (strcmp (measure, "rsa"))
    M = cka_rsa_sums ("value", S.rsa_sums);
    return;
  elseif (! strcmp (measure, "cka"))
    M = cka_fsums ("value", S.fsums, measure, S.config, S.stats);
    return;
  elseif (isfield (S, "stats") && strcmp (S.stats.estimator, "full"))
    M = cka_fsums ("value", S.fsums, "cka", S.config, S.stats);
    return;
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
