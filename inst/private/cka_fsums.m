## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {@var{F} =} cka_fsums ("init", @var{L1}, @var{L2})
## @deftypefnx {} {@var{F} =} cka_fsums ("add", @var{F}, @var{feats1}, @var{feats2}, @var{what})
## @deftypefnx {} {@var{F} =} cka_fsums ("merge", @var{F}, @var{G})
## @deftypefnx {} {@var{M} =} cka_fsums ("value", @var{F}, @var{measure}, @var{cfg}, @var{stats})
## @deftypefnx {} {@var{V} =} cka_fsums ("values", @var{F}, @var{measures}, @var{cfg}, @var{stats})
## @deftypefnx {} {@var{tf} =} cka_fsums ("valid", @var{F}, @var{L1}, @var{L2})
## @deftypefnx {} {@var{F} =} cka_fsums ("flush", @var{F})
## Feature-space sums of a stream of mini-batches: everything the exact
## full-data linear CKA, the Procrustes distance, SVCCA and PWCCA need, summed
## over all the samples seen, whatever the batches.
##
## For each layer @var{X} (n-by-d, features shifted by a fixed reference
## row @var{mu}, the first batch's mean, so that large means do not cancel
## digits; every quantity below is invariant to that shift) the sums are
## @var{s} = X'1, @var{G} = X'X, @var{u} = X'r (r = row norms squared),
## @var{q} = 1'r and @var{qq} = r'r; for each pair (X, Y): @var{C} = X'Y,
## @var{a} = X'r_Y, @var{b} = Y'r_X and @var{w} = r_X'r_Y.  The pair sums of
## all layers are blocks of single matrices over the concatenated features
## of each side ([X_1 ... X_L1]' [Y_1 ... Y_L2] and so on), so that a batch
## costs a few large products instead of one small product per pair.
## Memory: d1 x d2 doubles per pair plus d x d per layer; "add" checks it
## before the first batch (@code{cka:input:tooLarge}, naming the sizes).
## "values" computes several measures sharing one eigendecomposition per
## layer; "valid" checks the shapes of sums read from a file.
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
      side = @(L) struct ("d", zeros (L, 1), "mu", {cell(L, 1)}, "s", [], "G", {cell(L, 1)},
                          "u", [], "q", zeros (L, 1), "qq", zeros (L, 1));
      out = struct ("n", 0, "x", side (L1), "y", side (L2), "C", [], "a", [], "b", [],
                    "w", zeros (L1, L2), "pending_x", {{}}, "pending_y", {{}});
    case "add"
      out = add (varargin{:});
    case "merge"
      out = merge (flush (varargin{1}), flush (varargin{2}));
    case "value"
      [F, measure, cfg, stats] = varargin{:};
      out = values (flush (F), {measure}, cfg, stats).(measure);
    case "values"
      out = values (flush (varargin{1}), varargin{2:end});
    case "valid"
      out = valid (varargin{:});
    case "flush"
      out = flush (varargin{1});
    otherwise
      error ("cka:internal:badVerb", "cka_fsums: unknown verb %s", verb);
  endswitch
endfunction

## A batch is shifted and kept (pending_x, pending_y) until the pending
## rows reach a flush size; then one set of large products adds them all to
## the sums.  Why: the sums are d1 x d2 per pair, and a fresh product of that
## size every batch costs more in memory traffic and page faults than its
## arithmetic; a flush every few hundred samples costs it once for many
## batches, with products of a better shape for BLAS.  Everything that
## reads the sums (values, merge) flushes first.
function F = add (F, X, Y, what)
  if (isempty (Y))
    Y = X;
  endif
  X = cellfun (@flat, X, "UniformOutput", false);
  Y = cellfun (@flat, Y, "UniformOutput", false);
  L1 = numel (X);  L2 = numel (Y);
  if (F.n == 0)
    d1 = cellfun (@columns, X)(:);  d2 = cellfun (@columns, Y)(:);
    doubles = sum (d1 .^ 2) + sum (d2 .^ 2) + sum (d1) * sum (d2);
    cka_check_memory (8 * doubles, "cka:input:tooLarge",
                      sprintf (["%s: the feature-space sums (d1 x d2 doubles per layer pair, " ...
                                "%d x %d features at most; use \"mean\", \"first\" or \"last\" " ...
                                "pooling for fewer features)"], what, max (d1), max (d2)));
    F.x = start_side (F.x, X, d1);
    F.y = start_side (F.y, Y, d2);
  endif
  F.pending_x{end+1, 1} = shifted (F.x, X, what, "layers1");
  F.pending_y{end+1, 1} = shifted (F.y, Y, what, "layers2");
  F.n += rows (X{1});
  pending = sum (cellfun (@rows, F.pending_x));
  ## a few hundred rows, or 256 MB of pending features
  if (pending >= min (512, max (64, 2^25 / (sum (F.x.d) + sum (F.y.d)))))
    F = flush (F);
  endif
endfunction

function A = flat (A)
  A = double (reshape (A, rows (A), []));
endfunction

## The reference rows (the first batch's means) and zero sums of one side.
function S = start_side (S, X, d)
  S.d = d;
  S.mu = cellfun (@(A) mean (A, 1), X(:), "UniformOutput", false);
  S.s = zeros (sum (d), 1);
  S.u = zeros (sum (d), 1);
  S.G = arrayfun (@(k) zeros (k), d, "UniformOutput", false);
endfunction

## One batch of one side, shifted by the reference rows and concatenated
## (n x sum d).
function A = shifted (S, X, what, lname)
  for k = 1:numel (X)
    if (columns (X{k}) != S.d(k))
      error ("cka:input:featureMismatch",
             "%s: layer %d of %s has %d features in this batch but %d before", what, k, lname,
             columns (X{k}), S.d(k));
    endif
    X{k} = X{k} - S.mu{k};
  endfor
  A = [X{:}];
endfunction

## Add the pending rows to the sums.
function F = flush (F)
  if (isempty (F.pending_x))
    return;
  endif
  Xall = vertcat (F.pending_x{:});
  Yall = vertcat (F.pending_y{:});
  F.pending_x = {};
  F.pending_y = {};
  [F.x, RX] = add_side (F.x, Xall);
  [F.y, RY] = add_side (F.y, Yall);
  F.C = plus0 (F.C, Xall' * Yall);    # the first flush allocates (not zeros + sum)
  F.a = plus0 (F.a, Xall' * RY);
  F.b = plus0 (F.b, Yall' * RX);
  F.w += RX' * RY;
endfunction

function a = plus0 (a, b)
  if (isempty (a))
    a = b;
  else
    a += b;
  endif
endfunction

## The side's own sums over rows Xall (n x sum d); R: the row norms of each
## layer (n x L).
function [S, R] = add_side (S, Xall)
  L = numel (S.d);
  R = zeros (rows (Xall), L);
  at = [0; cumsum(S.d)];
  for k = 1:L
    Xk = Xall(:, at(k)+1:at(k+1));
    R(:, k) = sumsq (Xk, 2);
    S.G{k} += Xk' * Xk;
    S.u(at(k)+1:at(k+1)) += Xk' * R(:, k);
  endfor
  S.s += sum (Xall, 1)';
  S.q += sum (R, 1)';
  S.qq += sumsq (R, 1)';
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
  if (! (isequal (F.x.d, G.x.d) && isequal (F.y.d, G.y.d)))
    error ("cka:input:mergeMismatch", "the layers have other numbers of features");
  endif
  n = G.n;
  ## the shift of G's rows, per layer and concatenated, with the per-layer
  ## block-diagonal matrices Dm (sum d x L) that apply it blockwise
  [dx, Dx, ddx, sdx] = shift (F.x, G.x);
  [dy, Dy, ddy, sdy] = shift (F.y, G.y);
  ## pairs, from G's sums before the move: rows x + dx, y + dy,
  ## r_x -> r_x + 2 x.dx + |dx|^2 (the same for y)
  CDy = G.C * Dy;
  w = G.w + 2 * (Dy' * G.b)' + G.x.q * ddy' + 2 * Dx' * G.a + 4 * Dx' * CDy ...
      + 2 * sdx * ddy' + ddx * (G.y.q + 2 * sdy + n * ddy)';
  a = G.a + 2 * CDy + G.x.s * ddy' + dx * (G.y.q + 2 * sdy + n * ddy)';
  b = G.b + 2 * G.C' * Dx + G.y.s * ddx' + dy * (G.x.q + 2 * sdx + n * ddx)';
  C = G.C + G.x.s * dy' + dx * G.y.s' + n * (dx * dy');
  F.C += C;  F.a += a;  F.b += b;  F.w += w;
  F.x = merge_side (F.x, G.x, dx, ddx, sdx, n);
  F.y = merge_side (F.y, G.y, dy, ddy, sdy, n);
  F.n += n;
endfunction

## d: the concatenated shift; D: its block-diagonal sum d x L form;
## dd(k) = |d_k|^2; sd(k) = s_k . d_k (T's sums before the move).
function [d, D, dd, sd] = shift (S, T)
  L = numel (S.d);
  d = cell2mat (cellfun (@(a, b) (a - b)', T.mu, S.mu, "UniformOutput", false));
  layer = repelem ((1:L)', S.d)(:);    # a column also for L = 1
  D = sparse ((1:numel (d))', layer, d, numel (d), L);
  dd = accumarray (layer, d .^ 2, [L 1]);
  sd = accumarray (layer, T.s .* d, [L 1]);
endfunction

## The self sums of side T after adding d_k to every row of layer k, added
## to S: G_k + s d' + d s' + n d d'; u_k = X'r with r -> r + 2 X d + |d|^2;
## q = sum r; qq = sum r^2.
function S = merge_side (S, T, d, dd, sd, n)
  at = [0; cumsum(S.d)];
  for k = 1:numel (S.d)
    blk = at(k)+1:at(k+1);
    dk = d(blk);  sk = T.s(blk);  Gk = T.G{k};  Gd = Gk * dk;
    S.G{k} += Gk + sk * dk' + dk * sk' + n * (dk * dk');
    S.u(blk) += T.u(blk) + 2 * Gd + dd(k) * sk + dk * (T.q(k) + 2 * sd(k) + n * dd(k));
    S.qq(k) += T.qq(k) + 4 * (T.u(blk)' * dk) + 4 * (dk' * Gd) + n * dd(k)^2 ...
               + 2 * dd(k) * T.q(k) + 4 * dd(k) * sd(k);
  endfor
  S.q += T.q + 2 * sd + n * dd;
  S.s += T.s + n * d;
endfunction

## A structure with consistent shapes (a file may hold anything).
function tf = valid (F, L1, L2)
  tf = false;
  top = {"n", "x", "y", "C", "a", "b", "w", "pending_x", "pending_y"};
  if (! (isstruct (F) && isscalar (F) && all (isfield (F, top))
         && isnumeric (F.n) && isscalar (F.n) && F.n >= 0 && F.n == fix (F.n)))
    return;
  endif
  fin = @(A) isnumeric (A) && isreal (A) && ! issparse (A) && all (isfinite (A(:)));
  px = F.pending_x;  py = F.pending_y;
  if (! (iscell (px) && iscell (py) && numel (px) == numel (py)
         && all (cellfun (@(A) fin (A) && columns (A) == sum (F.x.d), px))
         && all (cellfun (@(A) fin (A) && columns (A) == sum (F.y.d), py))
         && isequal (cellfun (@rows, px), cellfun (@rows, py))
         && sum (cellfun (@rows, px)) <= F.n))
    return;
  endif
  if (! (valid_side (F.x, L1, F.n, fin) && valid_side (F.y, L2, F.n, fin)
         && isequal (size (F.w), [L1 L2]) && fin (F.w)))
    return;
  endif
  D1 = sum (F.x.d);  D2 = sum (F.y.d);
  flushed = F.n - sum (cellfun (@rows, px));
  if (flushed == 0 && isempty (F.C) && isempty (F.a) && isempty (F.b))
    ## every row is still pending: no sums yet
  elseif (F.n > 0 && ! (isequal (size (F.C), [D1 D2]) && fin (F.C)
                    && isequal (size (F.a), [D1 L2]) && fin (F.a)
                    && isequal (size (F.b), [D2 L1]) && fin (F.b)))
    return;
  endif
  tf = true;
endfunction

function ok = valid_side (S, L, n, fin)
  ok = false;
  f = {"d", "mu", "s", "G", "u", "q", "qq"};
  if (! (isstruct (S) && isscalar (S) && all (isfield (S, f)) && iscell (S.mu)
         && iscell (S.G) && numel (S.mu) == L && numel (S.G) == L && numel (S.d) == L
         && numel (S.q) == L && numel (S.qq) == L && fin (S.q) && fin (S.qq) && fin (S.d)
         && all (S.d(:) >= 0 & S.d(:) == fix (S.d(:)))))
    return;
  endif
  if (n > 0)
    D = sum (S.d);
    if (! (isequal (size (S.s), [D 1]) && fin (S.s) && isequal (size (S.u), [D 1])
           && fin (S.u)))
      return;
    endif
    for k = 1:L
      if (! (isequal (size (S.mu{k}), [1 S.d(k)]) && fin (S.mu{k})
             && isequal (size (S.G{k}), [S.d(k) S.d(k)]) && fin (S.G{k})))
        return;
      endif
    endfor
  endif
  ok = true;
endfunction

## ---- the measures --------------------------------------------------------
function V = values (F, measures, cfg, stats)
  L1 = numel (F.x.d);  L2 = numel (F.y.d);
  N = F.n;
  V = struct ();
  if (any (strcmp (measures, "cka")))
    V.cka = cka_full (F, cfg);
  endif
  rest = measures(! strcmp (measures, "cka"));
  if (isempty (rest))
    return;
  endif
  ## the centred covariances (sums, not divided by N: the measures below
  ## do not depend on that scale) and once per layer their eigenvectors
  ## (LAPACK's symmetric eigensolver): the range of each covariance, where
  ## every cross-covariance lives, so that the SVDs below are of size
  ## rank x rank (at most N - 1) instead of d1 x d2
  ax = [0; cumsum(F.x.d)];  ay = [0; cumsum(F.y.d)];
  ex = arrayfun (@(k) eig_desc (covariance (F.x, ax, k, N)), 1:L1);
  ey = arrayfun (@(k) eig_desc (covariance (F.y, ay, k, N)), 1:L2);
  for m = rest
    V.(m{1}) = zeros (L1, L2);
  endfor
  few = "";
  for j = 1:L2
    for i = 1:L1
      bx = ax(i)+1:ax(i+1);  by = ay(j)+1:ay(j+1);
      ## the cross-covariance in the two ranges' eigenbases, once per pair:
      ## every measure below is a function of it
      K = ex(i).V' * (F.C(bx, by) - F.x.s(bx) * F.y.s(by)' / N) * ey(j).V;
      for m = rest
        switch (m{1})
          case "procrustes"
            nx = sqrt (sum (ex(i).lam));  ny = sqrt (sum (ey(j).lam));
            if (nx == 0 || ny == 0)
              v = NaN;     # a constant layer has no shape to align
            else
              ## ||Cxy||_* = ||Vx' Cxy Vy||_* (orthonormal bases of its row
              ## and column spaces)
              v = max (2 - 2 * sum (svd (K)) / (nx * ny), 0);
            endif
          case {"svcca", "pwcca"}
            keep = cka_ifelse (strcmp (m{1}, "svcca"), stats.svcca_variance, 1);
            [v, few_ij] = cca_value (m{1}, K, kept (ex(i), keep), kept (ey(j), keep), ex(i),
                                     ey(j), N);
            if (few_ij)
              few = m{1};
            endif
        endswitch
        V.(m{1})(i,j) = v;
      endfor
    endfor
  endfor
  if (! isempty (few))
    warning ("cka:measure:fewSamples",
             ["%s: some layer pairs keep as many CCA directions as there are samples " ...
              "(%d): their canonical correlations are all close to 1 whatever the " ...
              "data; use more samples or a smaller SVCCAVariance"], upper (few), N);
  endif
endfunction

## The centred covariance (a sum, not divided by N) of layer k of side S.
function C = covariance (S, at, k, N)
  s = S.s(at(k)+1:at(k+1));
  C = S.G{k} - s * s' / N;
endfunction

## v (sum d x 1) as the sparse block-diagonal sum d x L matrix whose column
## k holds block k of v.
function M = blockdiag (v, d)
  layer = repelem ((1:numel (d))', d)(:);
  M = sparse ((1:numel (v))', layer, v, numel (v), numel (d));
endfunction

## Exact full-data CKA of every pair: the unbiased (or biased) HSIC of all
## N samples from the sums, all pairs at once.
function M = cka_full (F, cfg)
  N = F.n;
  ## block-diagonal forms (sum d x L) of the sums s, for the pair terms of
  ## all pairs at once
  Sx = blockdiag (F.x.s, F.x.d);  Sy = blockdiag (F.y.s, F.y.d);
  ax = [0; cumsum(F.x.d)];  ay = [0; cumsum(F.y.d)];
  Lx = blocksum (F.x.d);  Ly = blocksum (F.y.d);           # L x sum d
  if (cfg.unbiased)
    ## ||C_ij||^2, s_x' C_ij s_y, a_ij' s_x and b_ji' s_y of every pair
    CC = zeros (numel (F.x.d), numel (F.y.d));
    for j = 1:numel (F.y.d)
      for i = 1:numel (F.x.d)
        CC(i,j) = sumsq (F.C(ax(i)+1:ax(i+1), ay(j)+1:ay(j+1))(:));
      endfor
    endfor
    sCs = Sx' * F.C * Sy;
    as = Sx' * F.a;
    bs = (Sy' * F.b)';
    hxy = unbiased (CC - F.w, F.x.q, F.y.q, full (sCs) - bs - full (as) + F.w,
                    Lx * F.x.s .^ 2, Ly * F.y.s .^ 2, N, cfg.epsilon);
  else
    hxy = zeros (numel (F.x.d), numel (F.y.d));
    for j = 1:numel (F.y.d)
      for i = 1:numel (F.x.d)
        bx = ax(i)+1:ax(i+1);  by = ay(j)+1:ay(j+1);
        hxy(i,j) = sumsq ((F.C(bx, by) - F.x.s(bx) * F.y.s(by)' / N)(:)) / (N - 1) ^ 2;
      endfor
    endfor
  endif
  hx = self_hsic (F.x, ax, N, cfg);
  hy = self_hsic (F.y, ay, N, cfg);
  den = (sqrt (abs (hx)) * sqrt (abs (hy))') .* ((sign (hx) * sign (hy)') > 0);
  M = full (hxy) ./ (den + cfg.epsilon);
endfunction

## The L x sum d matrix that sums the entries of each layer's block.
function B = blocksum (d)
  B = sparse (repelem ((1:numel (d))', d)(:), (1:sum (d))', 1, numel (d), sum (d));
endfunction

## (tr + 1'K~1 1'L~1 / ((N-1)(N-2)) - 2/(N-2) 1'K~L~1) / (N(N-3)) for
## tr = tr(K~L~), with 1'K~1 = |s_x|^2 - q_x (sx2 = |s_x|^2).
function h = unbiased (tr, qx, qy, cross, sx2, sy2, N, epsilon)
  kk = sx2(:) - qx(:);  ll = sy2(:)' - qy(:)';
  h = (tr + kk * ll / ((N - 1) * (N - 2)) - 2 * cross / (N - 2)) / (N * (N - 3) + epsilon);
endfunction

function h = self_hsic (S, at, N, cfg)
  L = numel (S.d);
  h = zeros (L, 1);
  for k = 1:L
    s = S.s(at(k)+1:at(k+1));  u = S.u(at(k)+1:at(k+1));  G = S.G{k};
    if (cfg.unbiased)
      h(k) = unbiased (sumsq (G(:)) - S.qq(k), S.q(k), S.q(k),
                       s' * G * s - 2 * u' * s + S.qq(k), s' * s, s' * s, N, cfg.epsilon);
    else
      Gc = G - s * s' / N;
      h(k) = sumsq (Gc(:)) / (N - 1) ^ 2;
    endif
  endfor
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

## How many of the leading directions hold the share `keep` of the
## variance (all directions of non-negligible variance for keep = 1).
function k = kept (e, keep)
  k = numel (e.lam);
  if (keep < 1 && k > 0)
    share = cumsum (e.lam) / sum (e.lam);
    k = find (share >= keep - 1e-12, 1);
  endif
endfunction

## SVCCA: the mean canonical correlation of the kept directions (Raghu et
## al. 2017).  PWCCA: their mean weighted by how much of X each canonical
## variate h_i = X a_i accounts for, alpha_i = sum_j |<h_i, x_j>| over the
## neurons x_j of X (Morcos et al. 2018); <h_i, x_j> = (cov_x a_i)_j.
## The canonical correlations are the singular values of Wx' Cxy Wy with the
## whitening maps W = V diag(lam)^(-1/2) of the kept directions, i.e. of
## the leading kx x ky block of K = Vx' Cxy Vy scaled by 1/sqrt(lam).
function [v, few] = cca_value (measure, K, kx, ky, ex, ey, N)
  k = min (kx, ky);
  few = kx + ky >= N;
  if (k == 0)
    v = NaN;
    return;
  endif
  M = K(1:kx, 1:ky) ./ sqrt (ex.lam(1:kx)) ./ sqrt (ey.lam(1:ky))';
  if (strcmp (measure, "svcca"))
    rho = min (max (svd (M)(1:k), 0), 1);
    v = mean (rho);
  else
    [U, S] = svd (M, "econ");
    rho = min (max (diag (S)(1:k), 0), 1);
    ## canonical weights of X: A = Wx U, A' cov_x A = I; cov_x A = V diag(lam)
    ## V' A = V (sqrt(lam) .* U) without forming the d x d covariance
    alpha = sum (abs (ex.V(:, 1:kx) * (sqrt (ex.lam(1:kx)) .* U(:, 1:k))), 1)';
    v = (alpha' * rho) / sum (alpha);
  endif
endfunction
