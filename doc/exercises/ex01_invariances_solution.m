## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later
##
## Exercise 1, worked solution: the invariances of linear CKA.
## Run: octave-cli ex01_invariances_solution.m   (after "pkg load cka", or
## with the package folders on the path)

if (! exist ("cka", "file"))
  pkg load cka
endif

randn ("seed", 1);
X = randn (100, 20);

## 1. orthogonal transform
[Q, ~] = qr (randn (20));
assert (Q' * Q, eye (20), 1e-12);
c_orth = cka (X, X * Q);

## 2. isotropic scaling
c_scale_up = cka (X, 7 * X);
c_scale_down = cka (X, 0.01 * X);

## 3. translation (removed by the centring of the Gram matrices)
c_shift = cka (X, X + 5);

## 4. invertible but not orthogonal
A = diag (logspace (0, 1.5, 20));
B = randn (20);
c_stretch = cka (X, X * A);
c_random = cka (X, X * B);

## 5. tiny representations: epsilon (1e-6) breaks the scale invariance
scales = [1e-2 1e-3 1e-4];
c_small = arrayfun (@(s) cka (X, s * X), scales);
c_small_eps0 = arrayfun (@(s) cka (X, s * X, "Epsilon", 0), scales);
K = X * X';
den = arrayfun (@(s) sqrt (hsic (K, K) * hsic (s^2 * K, s^2 * K)), scales);

## 6. the RBF kernel (median heuristic)
r_orth = cka (X, X * Q, "Kernel", "rbf");
r_scale = cka (X, 7 * X, "Kernel", "rbf");
r_stretch = cka (X, X * A, "Kernel", "rbf");

printf ("Linear CKA of X (100 x 20) with a transformed copy:\n");
printf ("  orthogonal X*Q            %.6f\n", c_orth);
printf ("  scaled 7*X                %.6f\n", c_scale_up);
printf ("  scaled 0.01*X             %.6f\n", c_scale_down);
printf ("  shifted X+5               %.6f\n", c_shift);
printf ("  stretched X*A (diag)      %.6f   (cond(A) = %.1f)\n", c_stretch, cond (A));
printf ("  random linear X*B         %.6f   (cond(B) = %.1f)\n", c_random, cond (B));
printf ("Scaled by s, default epsilon 1e-6 vs epsilon 0:\n");
for k = 1:numel (scales)
  printf ("  s = %g: CKA %.6f, with Epsilon 0: %.6f   (denominator %.3g vs epsilon 1e-6)\n",
          scales(k), c_small(k), c_small_eps0(k), den(k));
endfor
printf ("RBF CKA (median heuristic):\n");
printf ("  orthogonal %.6f   scaled %.6f   stretched %.6f\n", r_orth, r_scale, r_stretch);

## The conclusions
assert ([c_orth, c_scale_up, c_shift] > 0.9999);
assert (c_scale_down > 0.999);
assert (c_small_eps0, ones (1, 3), 1e-9);       # exact invariance without epsilon
assert (all (diff (c_small) < 0) && c_small(end) < 0.5);   # epsilon wins for tiny values
assert (c_stretch < 0.8);
assert (c_random < 0.95);
assert ([r_orth, r_scale] > 0.999);
assert (r_stretch < 0.8);
printf ("Conclusion: CKA is invariant to rotations, isotropic scaling and shifts,\n");
printf ("but not to invertible linear maps that distort the geometry; epsilon\n");
printf ("limits the scale invariance for representations of tiny magnitude.\n");
