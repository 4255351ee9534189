## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later
##
## Exercise 2, worked solution: biased vs unbiased CKA as the batch size varies.

if (! exist ("cka", "file"))
  pkg load cka
endif

randn ("seed", 42);
ns = [8 16 32 64 128 256];
T = 20;                        # repetitions
d = 64;
b = zeros (numel (ns), T);
u = zeros (numel (ns), T);
for i = 1:numel (ns)
  for t = 1:T
    X = randn (ns(i), d);
    Y = randn (ns(i), d);      # independent of X: true CKA = 0
    b(i,t) = cka (X, Y, "Unbiased", false);
    u(i,t) = cka (X, Y);
  endfor
endfor
mb = mean (b, 2);  sb = std (b, 0, 2);
mu = mean (u, 2);  su = std (u, 0, 2);

printf ("CKA of two independent %d-dimensional representations (%d repetitions)\n", d, T);
printf ("%6s %18s %18s\n", "n", "biased", "unbiased");
for i = 1:numel (ns)
  printf ("%6d %9.4f +- %.4f %9.4f +- %.4f\n", ns(i), mb(i), sb(i), mu(i), su(i));
endfor

## the dimension matters for the bias: d = 512
Xs = randn (8, 512);  Ys = randn (8, 512);
Xl = randn (256, 512);  Yl = randn (256, 512);
printf ("d = 512: biased %.4f at n = 8, %.4f at n = 256\n",
        cka (Xs, Ys, "Unbiased", false), cka (Xl, Yl, "Unbiased", false));

## single unbiased values at n = 8 can be negative
printf ("unbiased values at n = 8 range from %.3f to %.3f\n", min (u(1,:)), max (u(1,:)));

## too small a batch
try
  cka (randn (3, 5), randn (3, 5));
  error ("expected an error");
catch err
  printf ("n = 3: %s\n", err.identifier);
  assert (err.identifier, "cka:input:tooFewSamples");
end_try_catch

## the trend plot
## figures go to $CKA_EXERCISE_OUT, else ./exercise-figures (kept for the class)
outdir = getenv ("CKA_EXERCISE_OUT");
if (isempty (outdir))
  outdir = "exercise-figures";
endif
if (! isfolder (outdir))
  mkdir (outdir);
endif
f = fullfile (outdir, "ex02_bias.png");
fig = plot_cka_trend ([mb'; mu'], "XValues", ns, "Labels", {"biased", "unbiased"},
                      "XLabel", "batch size n", "YLabel", "CKA of independent data",
                      "Title", "Bias of the CKA estimators", "File", f, "Visible", false);
close (fig);
assert (exist (f, "file"), 2);
printf ("plot written to %s\n", f);

## The conclusions
assert (mb(1) > 0.8);                       # strongly inflated at n = 8
assert (all (diff (mb) < 0));               # decreasing with n
assert (all (mb > mu));
assert (all (abs (mu) < 3 * su / sqrt (T) + 0.01));   # unbiased: centred on 0
assert (min (u(1,:)) < 0);                  # single values can be negative
printf ("Conclusion: the biased estimator is inflated for small batches; the unbiased one is ~0.\n");
