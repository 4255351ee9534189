## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{h} =} hsic (@var{K}, @var{L})
## @deftypefnx {cka} {@var{h} =} hsic (@var{K}, @var{L}, @var{Name}, @var{Value}, @dots{})
## Hilbert-Schmidt Independence Criterion of two Gram matrices.
##
## @var{K} and @var{L} are @math{n}-by-@math{n} Gram (kernel) matrices of the
## same @math{n} samples, for example @code{K = X * X'} for a linear kernel:
## symmetric (up to rounding; @code{cka:input:notSymmetric} otherwise).
## They are not centred beforehand: each estimator does its own centring.
## The estimator is the one @code{cka}, @code{cka_update} and
## @code{cka_compare} use.
##
## Options (case-insensitive; pytorch-cka's snake_case spellings work too):
##
## @table @asis
## @item @qcode{"Unbiased"} (default @code{true})
## The unbiased estimator of Song et al. (2012), as used for minibatch CKA by
## Nguyen et al. (2021) and pytorch-cka.  With @code{Kt}, @code{Lt}
## the matrices with zeroed diagonals,
## @example
## (sum(Kt.*Lt) + sum(Kt)*sum(Lt)/((n-1)*(n-2)) - 2*sum(Kt*Lt)/(n-2)) / (n*(n-3) + eps)
## @end example
## It needs @math{n > 3}.  With @code{false}, the biased estimator
## @code{sum(Kc .* Lc) / (n-1)^2} with @code{Kc = H*K*H}, @code{H = eye(n) - 1/n},
## which needs @math{n > 1}.
##
## @item @qcode{"Epsilon"} (default @code{1e-6})
## Added to the denominator @code{n*(n-3)} of the unbiased estimator, where
## pytorch-cka's @code{CKAConfig.epsilon} goes.  Unused by the biased estimator.
##
## @item @qcode{"Dtype"} (default @qcode{"double"})
## @qcode{"double"} or @qcode{"single"}: with @qcode{"single"} the inputs are
## rounded to single precision first and @var{h} is returned as @code{single}.
##
## @item @qcode{"Config"}
## A @code{cka_config} struct: its @code{unbiased}, @code{epsilon} and
## @code{dtype} fields are used (options given next to it win).
## @end table
##
## @example
## @group
## X = randn (16, 5);  Y = X * randn (5, 3);
## h = hsic (X*X', Y*Y')
## hb = hsic (X*X', Y*Y', "Unbiased", false)
## @end group
## @end example
##
## @seealso{cka}
## @end deftypefn

function h = hsic (K, L, varargin)
  if (nargin < 2)
    print_usage ();
  endif
  [opts, given] = parse_options ("hsic", struct ("Unbiased", true, "Epsilon", 1e-6,
                                                 "Dtype", "double", "Config", []),
                                 varargin);
  if (given.Config)
    ## the estimator fields of a cka_config struct; options given next to it win
    given.Kernel = false;  given.Sigma = false;
    cfg = cka_resolve_config ("hsic", opts, given);
    for f = {"Unbiased", "Epsilon", "Dtype"}
      if (! given.(f{1}))
        opts.(f{1}) = cfg.(lower (f{1}));
      endif
    endfor
  endif
  check_gram (K, "K");
  check_gram (L, "L");
  if (! isequal (size (K), size (L)))
    error ("cka:input:sizeMismatch",
           "hsic: K and L must have the same size (K is %dx%d, L is %dx%d)",
           rows (K), columns (K), rows (L), columns (L));
  endif
  if (! (isscalar (opts.Unbiased) && (islogical (opts.Unbiased)
                                      || isnumeric (opts.Unbiased))))
    error ("cka:input:badOption", "hsic: Unbiased must be true or false");
  endif
  if (! (isscalar (opts.Epsilon) && isreal (opts.Epsilon)
         && isfinite (opts.Epsilon) && opts.Epsilon >= 0))
    error ("cka:input:badOption",
           "hsic: Epsilon must be a finite non-negative scalar");
  endif
  dtype = check_dtype (opts.Dtype);
  n = rows (K);
  if (opts.Unbiased && n <= 3)
    error ("cka:input:tooFewSamples",
           "hsic: the unbiased estimator needs n > 3 samples, got n = %d", n);
  elseif (! opts.Unbiased && n <= 1)
    error ("cka:input:tooFewSamples",
           "hsic: the biased estimator needs n > 1 samples, got n = %d", n);
  endif
  if (strcmp (dtype, "single"))
    K = single (K);
    L = single (L);
  endif
  h = __hsic__ (double (K), double (L), logical (opts.Unbiased),
                double (opts.Epsilon));
  if (strcmp (dtype, "single"))
    h = single (h);
  endif
endfunction

function check_gram (M, name)
  if (! (isnumeric (M) && isreal (M)) || issparse (M) || ndims (M) != 2
      || rows (M) != columns (M))
    error ("cka:input:notSquare",
           "hsic: %s must be a real square matrix (got a %s %s)",
           name, strjoin (arrayfun (@num2str, size (M), "uniformoutput", false), "x"),
           class (M));
  endif
  if (! all (isfinite (M(:))))
    error ("cka:input:nonFinite", "hsic: %s contains NaN or Inf", name);
  endif
  ## a Gram matrix is symmetric; rounding in its product may leave ~1e-16
  if (norm (M - M.', "fro") > 1e-10 * max (norm (M, "fro"), realmin))
    error ("cka:input:notSymmetric",
           "hsic: %s is not symmetric, so it is not a Gram (kernel) matrix", name);
  endif
endfunction

function dtype = check_dtype (dtype)
  if (! (ischar (dtype) && any (strcmpi (dtype, {"double", "single"}))))
    error ("cka:input:badOption", "hsic: Dtype must be \"double\" or \"single\"");
  endif
  dtype = lower (dtype);
endfunction

%!shared X, Y, K, L
%! X = [1 2 0; 0 1 3; 2 2 1; 1 0 0; 3 1 2; 0 0 1];
%! Y = [X(:,1) + X(:,2), X(:,3).^2];
%! K = X * X';  L = Y * Y';

## Reference values computed with the defining formulas in plain Octave.
%!test
%! n = rows (K);
%! Kt = K - diag (diag (K));  Lt = L - diag (diag (L));
%! ref = (sum ((Kt .* Lt)(:)) + sum (Kt(:)) * sum (Lt(:)) / ((n-1)*(n-2)) ...
%!        - 2 * sum ((Kt * Lt)(:)) / (n-2)) / (n*(n-3) + 1e-6);
%! assert (hsic (K, L), ref, -1e-13);
%!test
%! n = rows (K);  H = eye (n) - ones (n) / n;
%! ref = sum (sum ((H*K*H) .* (H*L*H))) / (n-1)^2;
%! assert (hsic (K, L, "Unbiased", false), ref, -1e-13);
%!test
%! ## the epsilon sits in the denominator n*(n-3) + eps
%! h0 = hsic (K, L, "Epsilon", 0);
%! h1 = hsic (K, L, "Epsilon", 2);
%! n = rows (K);
%! assert (h1, h0 * n*(n-3) / (n*(n-3) + 2), -1e-13);
%!test
%! ## snake_case options and single precision
%! h = hsic (K, L, "unbiased", false, "dtype", "single");
%! assert (class (h), "single");
%! assert (double (h), hsic (K, L, "Unbiased", false), -1e-6);
%!test
%! ## HSIC is symmetric in its arguments and invariant to permuting samples
%! p = [3 1 6 2 5 4];
%! assert (hsic (L, K), hsic (K, L), -1e-12);
%! assert (hsic (K(p,p), L(p,p)), hsic (K, L), -1e-12);

%!test
%! ## a cka_config struct sets the estimator; explicit options override it
%! assert (hsic (K, L, "Config", cka_config ("Unbiased", false)), ...
%!         hsic (K, L, "Unbiased", false), 0);
%! assert (hsic (K, L, "Config", cka_config ("Unbiased", false), "Unbiased", true), ...
%!         hsic (K, L), 0);

%!error <Invalid call> hsic (1)
%!error id=cka:input:notSymmetric hsic (magic (5), eye (5))
%!error id=cka:input:notSquare hsic (ones (3, 4), ones (3, 4))
%!error id=cka:input:notSquare hsic ({1}, 1)
%!error id=cka:input:sizeMismatch hsic (eye (5), eye (6))
%!error id=cka:input:nonFinite hsic ([1 NaN; 0 1], eye (2), "Unbiased", false)
%!error id=cka:input:tooFewSamples hsic (eye (3), eye (3))
%!error id=cka:input:tooFewSamples hsic (1, 1, "Unbiased", false)
%!error id=cka:input:unknownOption hsic (eye (5), eye (5), "Kernal", "rbf")
%!error id=cka:input:badOption hsic (eye (5), eye (5), "Unbiased")
%!error id=cka:input:badOption hsic (eye (5), eye (5), "Epsilon", -1)
%!error id=cka:input:badOption hsic (eye (5), eye (5), "Dtype", "half")
%!error id=cka:input:badOption hsic (eye (5), eye (5), "Config", 1)
