## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {@var{R} =} cka_rsa_sums ("init", @var{L1}, @var{L2})
## @deftypefnx {} {@var{R} =} cka_rsa_sums ("add", @var{R}, @var{feats1}, @var{feats2})
## @deftypefnx {} {@var{R} =} cka_rsa_sums ("merge", @var{R}, @var{Q})
## @deftypefnx {} {@var{M} =} cka_rsa_sums ("value", @var{R})
## Representational similarity analysis (Kriegeskorte et al. 2008) streamed
## over mini-batches.
##
## The representational dissimilarity matrix (RDM) of a layer holds
## 1 - corr(x_a, x_b) for every pair of samples (a, b), the Pearson
## correlation taken over the features (a sample whose features are all
## equal has correlation 0 with every other).  RSA is the Pearson correlation
## between the two layers' RDM entries over all pairs a < b.  Over batches,
## the pairs are those of samples in the same batch, the streaming analogue
## of minibatch CKA; with one batch (@code{cka (X, Y, "Measure", "rsa")}) it
## is the textbook RSA.  Sums kept: the count of pairs, per layer the sum of
## its entries and of their squares, per pair of layers the sum of products
## (one matrix product per batch).
## @end deftypefn

function out = cka_rsa_sums (verb, varargin)
  switch (verb)
    case "init"
      [L1, L2] = varargin{:};
      out = struct ("pairs", 0, "sx", zeros (L1, 1), "sxx", zeros (L1, 1),
                    "sy", zeros (L2, 1), "syy", zeros (L2, 1), "sxy", zeros (L1, L2));
    case "add"
      [R, X, Y] = varargin{:};
      Dx = rdm_entries (X);
      Dy = Dx;
      if (! isempty (Y))
        Dy = rdm_entries (Y);
      endif
      R.pairs += rows (Dx);
      R.sx += sum (Dx, 1)';   R.sxx += sumsq (Dx, 1)';
      R.sy += sum (Dy, 1)';   R.syy += sumsq (Dy, 1)';
      R.sxy += Dx' * Dy;
      out = R;
    case "merge"
      [R, Q] = varargin{:};
      for f = fieldnames (R)'
        R.(f{1}) += Q.(f{1});
      endfor
      out = R;
    case "value"
      R = varargin{1};
      m = R.pairs;
      vx = R.sxx - R.sx .^ 2 / m;
      vy = R.syy - R.sy .^ 2 / m;
      cov = R.sxy - R.sx * R.sy' / m;
      out = cov ./ sqrt (max (vx, 0) * max (vy, 0)');
      out(! isfinite (out)) = NaN;     # a layer whose RDM is constant
    otherwise
      error ("cka:internal:badVerb", "cka_rsa_sums: unknown verb %s", verb);
  endswitch
endfunction

## The RDM entries (a < b) of each layer of a batch, one column per layer.
function D = rdm_entries (X)
  n = rows (X{1});
  upper = find (triu (true (n), 1));
  D = zeros (numel (upper), numel (X));
  for k = 1:numel (X)
    A = double (reshape (X{k}, n, []));
    A = A - mean (A, 2);
    nrm = sqrt (sumsq (A, 2));
    nrm(nrm == 0) = Inf;             # constant sample: correlation 0
    A = A ./ nrm;
    Rk = 1 - A * A';
    D(:, k) = Rk(upper);
  endfor
endfunction
