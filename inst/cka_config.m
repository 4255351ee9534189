## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{cfg} =} cka_config ()
## @deftypefnx {cka} {@var{cfg} =} cka_config (@var{Name}, @var{Value}, @dots{})
## The options of a CKA computation as one struct, the counterpart of
## pytorch-cka's @code{CKAConfig}.
##
## Every CKA function (@code{cka}, @code{hsic}, @code{cka_accumulator},
## @code{cka_compare}) accepts it as @code{"Config", @var{cfg}}; options given
## individually next to it override its fields.  The struct has the fields
##
## @table @code
## @item kernel
## @qcode{"linear"} (default) or @qcode{"rbf"}.
## @item sigma
## RBF bandwidth; @code{[]} (default) selects pytorch-cka's median heuristic,
## recomputed for every batch and layer: @code{sigma^2 = max (m/2, epsilon)}
## with @var{m} the lower middle value of the squared distances between
## distinct samples.  The kernel is
## @code{exp (max (-D / (2*(sigma^2 + epsilon)), -50))}.
## @item unbiased
## @code{true} (default): the unbiased HSIC estimator (batches need
## @math{n > 3} samples); @code{false}: the biased one (@math{n > 1}).
## @item epsilon
## @code{1e-6} (default), placed where pytorch-cka places it: in the
## unbiased HSIC denominator @code{n*(n-3) + epsilon}, in the median
## heuristic, and in the final
## @code{hsic_xy / (sqrt (max (hsic_xx*hsic_yy, 0)) + epsilon)}.
## @item dtype
## @qcode{"double"} (default) or @qcode{"single"}: the precision of the
## feature products that form the Gram matrices (HSIC sums stay double).
## pytorch-cka's @qcode{"float64"}/@qcode{"float32"} are accepted.
## @end table
##
## The option names are case-insensitive (@qcode{"Kernel"}, @qcode{"kernel"}).
## A @qcode{"Config"} option starts from an existing struct.
##
## @example
## @group
## cfg = cka_config ("Kernel", "rbf", "Unbiased", false);
## X = randn (20, 6);  Y = X * randn (6, 4);
## c = cka (X, Y, "Config", cfg)
## @end group
## @end example
## @seealso{cka, hsic, cka_compare}
## @end deftypefn

function cfg = cka_config (varargin)
  [opts, given] = parse_options ("cka_config", cka_option_defaults (), varargin);
  cfg = cka_resolve_config ("cka_config", opts, given);
endfunction

%!test
%! cfg = cka_config ();
%! assert (cfg.kernel, "linear");
%! assert (isempty (cfg.sigma));
%! assert (cfg.unbiased, true);
%! assert (cfg.epsilon, 1e-6);
%! assert (cfg.dtype, "double");
%!test
%! cfg = cka_config ("kernel", "RBF", "sigma", 20, "unbiased", 0, "dtype", "float32");
%! assert (cfg.kernel, "rbf");
%! assert (cfg.sigma, 20);
%! assert (cfg.unbiased, false);
%! assert (cfg.dtype, "single");
%!test
%! ## start from a config and override one field
%! cfg = cka_config ("Config", cka_config ("Kernel", "rbf"), "Epsilon", 1e-8);
%! assert (cfg.kernel, "rbf");
%! assert (cfg.epsilon, 1e-8);
%!test
%! assert (isempty (cka_config ("Sigma", NaN).sigma));
%!error id=cka:input:unknownOption cka_config ("Kernal", "rbf")
%!error id=cka:input:badOption cka_config ("Kernel", "poly")
%!error id=cka:input:badOption cka_config ("Sigma", -1)
%!error id=cka:input:badOption cka_config ("Unbiased", 2)
%!error id=cka:input:badOption cka_config ("Epsilon", NaN)
%!error id=cka:input:badOption cka_config ("Dtype", "half")
%!error id=cka:input:badOption cka_config ("Config", 3)
%!error id=cka:input:badOption cka_config ("Config", struct ("bogus", 1))
