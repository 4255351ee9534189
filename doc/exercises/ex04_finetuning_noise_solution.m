## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later
##
## Exercise 4, worked solution: CKA of each layer with its perturbed self, as
## the strength of a simulated fine-tuning grows.

if (! exist ("cka_compare", "file"))
  pkg load cka
endif

bert = tfm_create ("bert", "hidden_size", 64, "num_hidden_layers", 4,
                   "num_attention_heads", 4, "intermediate_size", 128,
                   "vocab_size", 500, "max_position_embeddings", 64, "Seed", 4);
rand ("seed", 4);
ids = randi ([1 499], 32, 16);
blocks = tfm_modules (bert, "blocks");
perturbed = {"encoder.layer.2.", "encoder.layer.3."};

k3 = find (strcmp (bert.names, "encoder.layer.3.output.dense.weight"));
printf ("std of the weights of %s: %.4f (initializer_range %.2f)\n",
        bert.names{k3}, std (double (bert.weights{k3}(:))), bert.config.initializer_range);

stds = [0 0.01 0.02 0.05 0.1 0.2 0.5];
D = zeros (numel (stds), numel (blocks));
for s = 1:numel (stds)
  tuned = bert;
  randn ("seed", 100);                     # the same noise directions for every std
  for k = 1:numel (tuned.names)
    if (any (strncmp (tuned.names{k}, perturbed, numel (perturbed{1}))))
      w = tuned.weights{k};
      tuned.weights{k} = w + single (stds(s) * randn (size (w)));
    endif
  endfor
  R = cka_compare (bert, tuned, ids, "BatchSize", 8, "Progress", false);
  D(s, :) = diag (R.cka)';
endfor

printf ("\nCKA of each layer with its perturbed self\n%8s", "std");
printf ("%18s", blocks{:});
printf ("\n");
for s = 1:numel (stds)
  printf ("%8.2f", stds(s));
  printf ("%18.4f", D(s, :));
  printf ("\n");
endfor

## figures go to $CKA_EXERCISE_OUT, else ./exercise-figures (kept for the class)
outdir = getenv ("CKA_EXERCISE_OUT");
if (isempty (outdir))
  outdir = "exercise-figures";
endif
if (! isfolder (outdir))
  mkdir (outdir);
endif
f = fullfile (outdir, "ex04_finetuning.png");
labels = arrayfun (@(x) sprintf ("noise std %g", x), stds, "UniformOutput", false);
fig = plot_cka_trend (D, "Labels", labels, "XLabel", "Layer", "YLabel", "CKA with the original",
                      "Title", "Fine-tuning strength", "File", f, "Visible", false);
close (fig);
assert (exist (f, "file"), 2);
printf ("\ntrend plot written to %s\n", f);

## The conclusions
assert (D(:, 1:2), ones (numel (stds), 2), 1e-6);   # layers before the perturbation: unchanged
assert (D(1, :), ones (1, 4), 1e-6);                  # no noise, no change
assert (all (diff (D(:, 3)) < 0) && all (diff (D(:, 4)) < 0));   # decreasing with the noise
assert (all (D(2:end, 4) < D(2:end, 3)));             # the last layer moves most
assert (D(2, 3) > 0.99);                              # small noise: small change
assert (D(end, 4) < 0.5);                             # large noise: nearly unrelated
printf ("Conclusion: only the perturbed layers move, and the more so the stronger the noise.\n");
