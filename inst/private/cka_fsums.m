## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {@var{F} =} cka_fsums ("init", @var{L1}, @var{L2})
## @deftypefnx {} {@var{F} =} cka_fsums ("add", @var{F}, @var{feats1}, @var{feats2}, @var{what})
## @deftypefnx {} {@var{F} =} cka_fsums ("merge", @var{F}, @var{G})
## @deftypefnx {} {@var{M} =} cka_fsums ("value", @var{F}, @var{measure}, @var{cfg}, @var{stats})
## Feature-space sums of a stream of mini-batches: everything the exact
## full-data linear CKA, the Procrustes distance, SVCCA and PWCCA need, summed
## over all the samples seen, whatever the batches.
##
## For each layer @var{X} (n-by-d, features shifted by a fixed reference
## row @var{mu}, the first batch's mean, so that large means do not cancel
## digits; every quantity below is invariant to that shift) the sums are
## @var{s} = X'1, @var{G} = X'X, @var{u} = X'r (r = row norms squared),
## @var{q} = 1'r and @var{qq} = r'r; for each pair (X, Y): @var{C} = X'Y,
## @var{a} = X'r_Y, @var{b} = Y'r_X and @var{w} = r_X'r_Y.  Memory: d1 x d2
## doubles per pair plus d x d per layer; "add" checks it before the first
## batch (@code{cka:input:tooLarge}, naming the sizes).
##
## With N samples, K = XX' and L = YY' with zeroed diagonals (K~, L~), the
## unbiased HSIC (Song et al. 2012) over all N samples is
## @example
## (tr(K~L~) + 1'K~1 1'L~1 / ((N-1)(N-2)) - 2/(N-2) 1'K~L~1) / (N(N-3))
## @end example
## with tr(K~L~) = ||C||^2 - w, 1'K~1 = |s|^2 - q and
## 1'K~L~1 = s_X'C s_Y - b's_Y - a's_X + w; the biased one is
## ||C - s_X s_Y'/N||^2 / (N-1)^2.
## @end deftypefn

function out = cka_fsums (verb, varargin)
  switch (verb)
    case "init"
      [L1, L2] = varargin{:};
      side = @(L) struct ("mu", {cell(L, 1)}, "s", {cell(L, 1)}, "G", {cell(L, 1)},
                          "u", {cell(L, 1)}, "q", zeros (L, 1), "qq", zeros (L, 1));
      out = struct ("n", 0, "x", side (L1), "y", side (L2),
                    "C", {cell(L1, L2)}, "a", {cell(L1, L2)}, "b", {cell(L1, L2)},
                    "w", zeros (L1, L2));
    case "add"
      out = add (varargin{:});
    case "merge"
      out = merge (varargin{:});
    case "value"
      out = value (varargin{:});
    case "valid"
      out = valid (varargin{:});
    otherwise
      error ("cka:internal:badVerb", "cka_fsums: unknown verb %s", verb);
  endswitch
endfunction

function F = add (F, X, Y, what)
  if (isempty (Y))
    Y = X;
  endif
  X = cellfun (@flat, X, "UniformOutput", false);
  Y = cellfun (@flat, Y, "UniformOutput", false);
  if (F.n == 0 && isempty (F.x.G{1}))
    d1 = cellfun (@columns, X);  d2 = cellfun (@columns, Y);
    doubles = sum (d1 .^ 2) + sum (d2 .^ 2) + sum (d1(:)) * sum (d2(:));
    cka_check_memory (8 * doubles, "cka:input:tooLarge",
                      sprintf (["%s: the feature-space sums (d1 x d2 doubles per layer pair, " ...
                                "%d x %d features at most; use \"mean\", \"first\" or \"last\" " ...
                                "pooling for fewer features)"], what, max (d1), max (d2)));
    F.x.mu = cellfun (@(A) mean (A, 1), X, "UniformOutput", false);
    F.y.mu = cellfun (@(A) mean (A, 1), Y, "UniformOutput", false);
  endif
  [F.x, X, rx] = add_side (F.x, X, what, "layers1");
  [F.y, Y, ry] = add_side (F.y, Y, what, "layers2");
  for j = 1:numel (Y)
    for i = 1:numel (X)
      F.C{i,j} = plus0 (F.C{i,j}, X{i}' * Y{j});
      F.a{i,j} = plus0 (F.a{i,j}, X{i}' * ry{j});
      F.b{i,j} = plus0 (F.b{i,j}, Y{j}' * rx{i});
      F.w(i,j) += rx{i}' * ry{j};
    endfor
  endfor
  F.n += rows (X{1});
endfunction

function A = flat (A)
  A = double (reshape (A, rows (A), []));
endfunction

function [S, X, r] = add_side (S, X, what, lname)
  r = cell (size (X));
  for k = 1:numel (X)
    if (columns (X{k}) != numel (S.mu{k}))
      error ("cka:input:featureMismatch",
             "%s: layer %d of %s has %d features in this batch but %d before", what, k, lname,
             columns (X{k}), numel (S.mu{k}));
    endif
    X{k} = X{k} - S.mu{k};
    r{k} = sumsq (X{k}, 2);
    S.s{k} = plus0 (S.s{k}, sum (X{k}, 1)');
    S.G{k} = plus0 (S.G{k}, X{k}' * X{k});
    S.u{k} = plus0 (S.u{k}, X{k}' * r{k});
    S.q(k) += sum (r{k});
    S.qq(k) += r{k}' * r{k};
  endfor
endfunction

function a = plus0 (a, b)
  if (isempty (a))
    a = b;
  else
    a += b;
  endif
endfunction

## Sums of two streams of the same layers: the second one's features are
## moved to the first one's reference rows (X - mu1 = (X - mu2) + (mu2 - mu1)).
function F = merge (F, G)
  if (G.n == 0)
    return;
  elseif (F.n == 0)
    F = G;
    return;
  endif
  if (! (isequal (cellfun (@numel, F.x.mu), cellfun (@numel, G.x.mu))
         && isequal (cellfun (@numel, F.y.mu), cellfun (@numel, G.y.mu))))
    error ("cka:input:mergeMismatch", "the layers have other numbers of features");
  endif
  [F.x, dx, G] = merge_side (F.x, G.x, G, "x");
  [F.y, dy, G] = merge_side (F.y, G.y, G, "y");
  for j = 1:numel (F.y.s)
    for i = 1:numel (F.x.s)
      ## G's pair sums, moved by (dx, dy) to F's reference rows
      [C, a, b, w] = move_pair (G.C{i,j}, G.a{i,j}, G.b{i,j}, G.w(i,j), G.x, i, dx{i},
                                G.y, j, dy{j}, G.n);
      F.C{i,j} += C;  F.a{i,j} += a;  F.b{i,j} += b;  F.w(i,j) += w;
    endfor
  endfor
  F.n += G.n;
endfunction

function [S, d, G] = merge_side (S, T, G, fld)
  d = cell (size (S.s));
  for k = 1:numel (S.s)
    d{k} = (T.mu{k} - S.mu{k})';          # column: shift of G's rows
    [G2, u, q, qq] = move_self (T, k, d{k}, G.n);
    S.s{k} += T.s{k} + G.n * d{k};
    S.G{k} += G2;  S.u{k} += u;  S.q(k) += q;  S.qq(k) += qq;
  endfor
endfunction

## The self sums of layer k of side T after adding d to every row.
function [G, u, q, qq] = move_self (T, k, d, n)
  s = T.s{k};  r_d = 2 * s' * d + n * (d' * d);     # sum of the change of r
  G = T.G{k} + s * d' + d * s' + n * (d * d');
  ## r_new = r + 2 X d + |d|^2
  Xd_r = T.G{k} * d;                                 # X' (X d)
  u = T.u{k} + 2 * Xd_r + (d' * d) * s ...           # X_old' r_new
      + d * (T.q(k) + r_d);                          # d 1' r_new
  q = T.q(k) + r_d;
  ## sum r_new^2 = sum (r + 2 x.d + |d|^2)^2
  dd = d' * d;
  qq = T.qq(k) + 4 * (T.u{k}' * d) + 4 * (d' * T.G{k} * d) + n * dd^2 ...
       + 2 * dd * T.q(k) + 4 * dd * (s' * d);
endfunction

function [C, a, b, w] = move_pair (C, a, b, w, X, i, dx, Y, j, dy, n)
  sx = X.s{i};  sy = Y.s{j};
  ## rows x + dx, y + dy: r_x' = r_x + 2 x.dx + |dx|^2 (same for y)
  C0 = C;
  C = C0 + sx * dy' + dx * sy' + n * (dx * dy');
  ## a = X_new' r_Y_new, r_Y_new = r_Y + 2 Y dy + |dy|^2
  a_old = a;  b_old = b;
  Cdy = C0 * dy;  Ctdx = C0' * dx;
  a = a_old + 2 * Cdy + (dy' * dy) * sx ...
      + dx * (Y.q(j) + 2 * sy' * dy + n * (dy' * dy));
  b = b_old + 2 * Ctdx + (dx' * dx) * sy ...
      + dy * (X.q(i) + 2 * sx' * dx + n * (dx' * dx));
  ## w = sum r_X_new r_Y_new
  w = w + 2 * (dy' * b_old) + (dy' * dy) * X.q(i) ...
      + 2 * (dx' * a_old) + 4 * (dx' * Cdy) + 2 * (dy' * dy) * (sx' * dx) ...
      + (dx' * dx) * (Y.q(j) + 2 * sy' * dy + n * (dy' * dy));
endfunction

## A structure with consistent shapes (a file may hold anything).
function tf = valid (F, L1, L2)
  tf = false;
  top = {"n", "x", "y", "C", "a", "b", "w"};
  sidef = {"mu", "s", "G", "u", "q", "qq"};
  if (! (isstruct (F) && isscalar (F) && all (isfield (F, top)) && isstruct (F.x)
         && isstruct (F.y) && all (isfield (F.x, sidef)) && all (isfield (F.y, sidef))
         && isnumeric (F.n) && isscalar (F.n) && F.n >= 0 && F.n == fix (F.n)))
    return;
  endif
  fin = @(A) isnumeric (A) && isreal (A) && all (isfinite (A(:)));
  [okx, d1] = valid_side (F.x, L1, F.n, fin);
  [oky, d2] = valid_side (F.y, L2, F.n, fin);
  if (! (okx && oky && iscell (F.C) && iscell (F.a) && iscell (F.b)
         && isequal (size (F.C), size (F.a), size (F.b), [L1 L2])
         && isequal (size (F.w), [L1 L2]) && fin (F.w)))
    return;
  endif
  for j = 1:L2
    for i = 1:L1
      if (F.n > 0 && ! (isequal (size (F.C{i,j}), [d1(i) d2(j)]) && fin (F.C{i,j})
                        && isequal (size (F.a{i,j}), [d1(i) 1]) && fin (F.a{i,j})
                        && isequal (size (F.b{i,j}), [d2(j) 1]) && fin (F.b{i,j})))
        return;
      endif
    endfor
  endfor
  tf = true;
endfunction

function [ok, d] = valid_side (S, L, n, fin)
  ok = false;
  d = zeros (L, 1);
  if (! (iscell (S.mu) && iscell (S.s) && iscell (S.G) && iscell (S.u)
         && numel (S.mu) == L && numel (S.s) == L && numel (S.G) == L && numel (S.u) == L
         && numel (S.q) == L && numel (S.qq) == L && fin (S.q) && fin (S.qq)))
    return;
  endif
  for k = 1:L
    d(k) = numel (S.mu{k});
    if (n > 0 && ! (fin (S.mu{k}) && isequal (size (S.s{k}), [d(k) 1]) && fin (S.s{k})
                    && isequal (size (S.G{k}), [d(k) d(k)]) && fin (S.G{k})
                    && isequal (size (S.u{k}), [d(k) 1]) && fin (S.u{k})))
      return;
    endif
  endfor
  ok = true;
endfunction

## ---- the measures --------------------------------------------------------
function M = value (F, measure, cfg, stats)
  L1 = numel (F.x.s);  L2 = numel (F.y.s);
  M = zeros (L1, L2);
  N = F.n;
  if (strcmp (measure, "cka"))
    hx = arrayfun (@(k) hsic_full (F, F.x, k, F.x, k, F.x.G{k}, F.x.u{k}, F.x.u{k},
                                   F.x.qq(k), cfg), 1:L1)';
    hy = arrayfun (@(k) hsic_full (F, F.y, k, F.y, k, F.y.G{k}, F.y.u{k}, F.y.u{k},
                                   F.y.qq(k), cfg), 1:L2)';
    for j = 1:L2
      for i = 1:L1
        hxy = hsic_full (F, F.x, i, F.y, j, F.C{i,j}, F.a{i,j}, F.b{i,j}, F.w(i,j), cfg);
        den = 0;
        if (sign (hx(i)) * sign (hy(j)) > 0)
          den = sqrt (abs (hx(i))) * sqrt (abs (hy(j)));
        endif
        M(i,j) = hxy / (den + cfg.epsilon);
      endfor
    endfor
    return;
  endif
  ## the centred covariances (sums, not divided by N: the measures below
  ## do not depend on that scale), and once per layer their eigenvectors
  ## (LAPACK's symmetric eigensolver): the range of each covariance, where
  ## every cross-covariance lives, so that the SVDs below are of size
  ## rank x rank (at most N - 1) instead of d1 x d2
  ex = arrayfun (@(k) eig_desc (F.x.G{k} - F.x.s{k} * F.x.s{k}' / N), 1:L1);
  ey = arrayfun (@(k) eig_desc (F.y.G{k} - F.y.s{k} * F.y.s{k}' / N), 1:L2);
  few = false;
  for j = 1:L2
    for i = 1:L1
      Cxy = F.C{i,j} - F.x.s{i} * F.y.s{j}' / N;
      switch (measure)
        case "procrustes"
          nx = sqrt (sum (ex(i).lam));  ny = sqrt (sum (ey(j).lam));
          if (nx == 0 || ny == 0)
            M(i,j) = NaN;     # a constant layer has no shape to align
          else
            ## ||Cxy||_* = ||Vx' Cxy Vy||_* (orthonormal bases of its row
            ## and column spaces)
            M(i,j) = max (2 - 2 * sum (svd (ex(i).V' * Cxy * ey(j).V)) / (nx * ny), 0);
          endif
        case {"svcca", "pwcca"}
          keep = cka_ifelse (strcmp (measure, "svcca"), stats.svcca_variance, 1);
          wx = whitening (ex(i), keep);  wy = whitening (ey(j), keep);
          [M(i,j), few_ij] = cca_value (measure, wx, wy, Cxy, ex(i), N);
          few = few || few_ij;
      endswitch
    endfor
  endfor
  if (few)
    warning ("cka:measure:fewSamples",
             ["%s: some layer pairs keep as many CCA directions as there are samples " ...
              "(%d): their canonical correlations are all close to 1 whatever the " ...
              "data; use more samples or a smaller SVCCAVariance"], upper (measure), N);
  endif
endfunction

## Eigenvalues (descending) and eigenvectors of a covariance, restricted to
## the directions of non-negligible variance.
function e = eig_desc (cov)
  [V, lam] = eig ((cov + cov') / 2, "vector");
  [lam, o] = sort (lam, "descend");
  tol = max (lam(1), 0) * numel (lam) * eps;
  k = sum (lam > tol);
  e = struct ("V", V(:, o(1:k)), "lam", lam(1:k));
endfunction

function h = hsic_full (F, X, i, Y, j, C, a, b, w, cfg)
  N = F.n;
  sx = X.s{i};  sy = Y.s{j};
  if (cfg.unbiased)
    tr = sumsq (C(:)) - w;
    kk = sx' * sx - X.q(i);
    ll = sy' * sy - Y.q(j);
    cross = sx' * C * sy - b' * sy - a' * sx + w;
    h = (tr + kk * ll / ((N - 1) * (N - 2)) - 2 * cross / (N - 2)) / (N * (N - 3) + cfg.epsilon);
  else
    Cc = C - sx * sy' / N;
    h = sumsq (Cc(:)) / (N - 1) ^ 2;
  endif
endfunction

## The whitening map of a covariance: W with W' cov W = I on the top
## directions that hold the share `keep` of the variance (all directions
## of non-negligible variance for keep = 1).
function W = whitening (e, keep)
  k = numel (e.lam);
  if (keep < 1 && k > 0)
    share = cumsum (e.lam) / sum (e.lam);
    k = find (share >= keep - 1e-12, 1);
  endif
  W = e.V(:, 1:k) ./ sqrt (e.lam(1:k))';
endfunction

## SVCCA: the mean canonical correlation of the kept directions (Raghu et
## al. 2017).  PWCCA: their mean weighted by how much of X each canonical
## variate h_i = X a_i accounts for, alpha_i = sum_j |<h_i, x_j>| over the
## neurons x_j of X (Morcos et al. 2018); <h_i, x_j> = (cov_x a_i)_j.
function [v, few] = cca_value (measure, wx, wy, Cxy, ex, N)
  k = min (columns (wx), columns (wy));
  few = columns (wx) + columns (wy) >= N;
  if (k == 0)
    v = NaN;
    return;
  endif
  if (strcmp (measure, "svcca"))
    rho = min (max (svd (wx' * Cxy * wy)(1:k), 0), 1);
    v = mean (rho);
  else
    [U, S] = svd (wx' * Cxy * wy, "econ");
    rho = min (max (diag (S)(1:k), 0), 1);
    A = wx * U(:, 1:k);                 # canonical weights of X: A' cov_x A = I
    ## cov_x A = V diag(lam) V' A, without forming the d x d covariance
    alpha = sum (abs (ex.V * (ex.lam .* (ex.V' * A))), 1)';
    v = (alpha' * rho) / sum (alpha);
  endif
endfunction
