## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later
##
## Exercise 5, worked solution: BERT (6 layers) vs DistilBERT (3 layers)
## initialised from every other BERT layer; which BERT layer matches each
## DistilBERT layer best.

if (! exist ("cka_compare", "file"))
  pkg load cka
endif

V = 500;  H = 64;
bert = tfm_create ("bert", "hidden_size", H, "num_hidden_layers", 6, "num_attention_heads", 4,
                   "intermediate_size", 2 * H, "vocab_size", V, "max_position_embeddings", 64,
                   "Seed", 11, "Name", "BERT");
distil = tfm_create ("distilbert", "dim", H, "n_layers", 3, "n_heads", 4, "hidden_dim", 2 * H,
                     "vocab_size", V, "max_position_embeddings", 64, "Seed", 12,
                     "Name", "DistilBERT (random)");

## --- the student: DistilBERT layer j <- BERT layer 2j --------------------------
map = {"attention.self.query",       "attention.q_lin";
       "attention.self.key",         "attention.k_lin";
       "attention.self.value",       "attention.v_lin";
       "attention.output.dense",     "attention.out_lin";
       "attention.output.LayerNorm", "sa_layer_norm";
       "intermediate.dense",         "ffn.lin1";
       "output.dense",               "ffn.lin2";
       "output.LayerNorm",           "output_layer_norm"};
src = cell (size (distil.names));          # the BERT parameter each one comes from
src(1:4) = {"embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", ...
            "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"};
for j = 0:2
  for r = 1:rows (map)
    for wb = {"weight", "bias"}
      dst = sprintf ("transformer.layer.%d.%s.%s", j, map{r, 2}, wb{1});
      src{strcmp (distil.names, dst)} = sprintf ("encoder.layer.%d.%s.%s", 2 * j, map{r, 1}, wb{1});
    endfor
  endfor
endfor
assert (! any (cellfun (@isempty, src)));  # every DistilBERT parameter has a source
student = distil;
student.name = "DistilBERT (from BERT layers 0, 2, 4)";
for k = 1:numel (src)
  student.weights{k} = bert.weights{strcmp (bert.names, src{k})};
endfor
## BERT adds token type 0 to every position: fold it into the position table
tt = bert.weights{strcmp (bert.names, "embeddings.token_type_embeddings.weight")};
kp = strcmp (student.names, "embeddings.position_embeddings.weight");
student.weights{kp} = student.weights{kp} + tt(1, :);

## --- check the construction ----------------------------------------------------------
rand ("seed", 5);
ids = randi ([1 V-1], 64, 16);
[~, a] = tfm_forward (bert, ids(1:4, :), "Hooks", {"embeddings", "encoder.layer.0"});
[~, b] = tfm_forward (student, ids(1:4, :), "Hooks", {"embeddings", "transformer.layer.0"});
printf ("max difference: embeddings %.2g, layer 0 %.2g\n",
        max (abs (a{1}(:) - b{1}(:))), max (abs (a{2}(:) - b{2}(:))));
assert (a{1}, b{1}, 1e-5);
assert (a{2}, b{2}, 1e-4);

## --- compare -------------------------------------------------------------------------
R = cka_compare (bert, student, ids, "BatchSize", 16, "Progress", false);
Rc = cka_compare (bert, distil, ids, "BatchSize", 16, "Progress", false);
[~, best] = max (R.cka, [], 1);
[~, best_c] = max (Rc.cka, [], 1);

printf ("\nCKA, BERT layers (rows) vs student layers (columns):\n");
disp (round (R.cka * 1e4) / 1e4);
for j = 1:3
  printf ("  %s best matches %s (CKA %.4f)\n", R.layers2{j}, R.layers1{best(j)},
          R.cka(best(j), j));
endfor
printf ("\nControl, BERT vs the random DistilBERT:\n");
disp (round (Rc.cka * 1e4) / 1e4);
printf ("  column ranges (max - min): %s\n", mat2str (max (Rc.cka) - min (Rc.cka), 3));

## figures go to $CKA_EXERCISE_OUT, else ./exercise-figures (kept for the class)
outdir = getenv ("CKA_EXERCISE_OUT");
if (isempty (outdir))
  outdir = "exercise-figures";
endif
if (! isfolder (outdir))
  mkdir (outdir);
endif
f = fullfile (outdir, "ex05_bert_vs_distilbert.png");
fig = plot_cka_heatmap (R, "Annot", true, "AnnotFmt", ".4f", "LayerNameDepth", 2,
                        "File", f, "Visible", false);
close (fig);
printf ("figure: %s\n", f);

## The conclusions
assert (best, [1 3 5]);                    # BERT layers 0, 2, 4
assert (R.cka(1, 1) > 0.9999);             # layer 0 is the same computation
assert (all (max (Rc.cka) - min (Rc.cka) < 0.01));   # control: flat columns ...
assert (max (Rc.cka(:)) < 0.3);            # ... and low values
printf ("Conclusion: DistilBERT layer j matches BERT layer 2j, the layer it was copied from.\n");
