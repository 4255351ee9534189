## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later
##
## Exercise 3, worked solution: layer similarity across depth in a self-comparison.

if (! exist ("cka_compare", "file"))
  pkg load cka
endif

gpt2 = tfm_create ("gpt2", "n_embd", 64, "n_layer", 6, "n_head", 4,
                   "vocab_size", 500, "n_positions", 64, "Seed", 3, "Name", "GPT-2");
rand ("seed", 3);
ids = randi ([0 499], 64, 16);

names = tfm_modules (gpt2);
printf ("GPT-2 has %d modules; the first ones: %s\n", numel (names),
        strjoin (names(2:6)', ", "));
layers = [{"drop"}; tfm_modules(gpt2, "blocks")];
## with model2 = [], give Layers2 too: it defaults to the blocks, not to Layers1
R = cka_compare (gpt2, [], ids, "Layers1", layers, "Layers2", layers, "BatchSize", 16,
                 "Progress", false);
assert (R.same_model);

printf ("\nCKA of GPT-2 with itself (rows/columns: %s)\n", strjoin (layers', ", "));
disp (round (R.cka * 1000) / 1000);

L = numel (layers);
by_distance = arrayfun (@(k) mean (diag (R.cka, k)), 1:L-1);
for k = 1:L-1
  printf ("mean CKA at distance %d: %.3f\n", k, by_distance(k));
endfor
printf ("diagonal: %s\n", mat2str (diag (R.cka)', 5));

## figures go to $CKA_EXERCISE_OUT, else ./exercise-figures (kept for the class)
outdir = getenv ("CKA_EXERCISE_OUT");
if (isempty (outdir))
  outdir = "exercise-figures";
endif
if (! isfolder (outdir))
  mkdir (outdir);
endif
f = fullfile (outdir, "ex03_self_similarity.png");
fig = plot_cka_heatmap (R, "Annot", true, "MaskUpper", true, "Title", "GPT-2 self-similarity",
                        "File", f, "Visible", false);
close (fig);
printf ("figure: %s\n", f);

## the same for BERT, default and larger initialisation
opts = {"hidden_size", 64, "num_hidden_layers", 6, "num_attention_heads", 4, ...
        "intermediate_size", 128, "vocab_size", 500, "max_position_embeddings", 64, "Seed", 3};
bert_default = tfm_create ("bert", opts{:});
bert_wide = tfm_create ("bert", opts{:}, "initializer_range", 0.2);
Rd = cka_compare (bert_default, [], ids, "BatchSize", 16, "Progress", false);
Rw = cka_compare (bert_wide, [], ids, "BatchSize", 16, "Progress", false);
printf ("BERT, initializer_range 0.02: CKA(layer 0, layer 5) = %.4f\n", Rd.cka(1, end));
printf ("BERT, initializer_range 0.2:  CKA(layer 0, layer 5) = %.4f\n", Rw.cka(1, end));

## The conclusions
assert (all (diff (by_distance) < 0));        # farther apart, less similar
assert (all (diag (R.cka) > 0.9));           # ~1, up to epsilon (tiny activations)
for i = 1:L
  for j = 1:L
    if (abs (i - j) >= 2)                     # a nearer layer is always more similar
      nearer = j + sign (i - j);
      assert (R.cka(i, nearer) > R.cka(i, j));
    endif
  endfor
endfor
assert (min (Rd.cka(:)) > 0.99);              # default-init random BERT: layers ~identical
assert (Rw.cka(1, end) < 0.8);
printf ("Conclusion: neighbouring layers are the most similar; similarity decays with depth.\n");
