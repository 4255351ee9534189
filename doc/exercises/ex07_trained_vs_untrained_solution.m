## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later
##
## Exercise 7, worked solution: the real pretrained stories260K against
## untrained twins of the same config, on sentences of Pride and Prejudice.

if (! exist ("cka_compare", "file"))
  pkg load cka
endif

data = fullfile (fileparts (which ("cka_demo_llm")), "data");
dir = fullfile (data, "stories260K");
model = tfm_load (dir);
tok = tfm_tokenizer (dir);
sentences = strsplit (strtrim (fileread (fullfile (data, "austen", "sentences.txt"))), "\n");
sentences = sentences(1:128);

## 1. SentencePiece pieces: "▁" marks a piece that starts a word (a space before it)
pieces = tfm_tokenize (tok, sentences{1});
printf ("%s\n-> %s\n", sentences{1}, strjoin (pieces(1:min (12, end)), " "));
assert (strncmp (pieces{1}, "▁", numel ("▁")));

## 2. two untrained twins, four comparisons
twin1 = tfm_create (model.config, "Seed", 1);
twin2 = tfm_create (model.config, "Seed", 2);
L = [{"embed_tokens"}, tfm_modules(model, "blocks")'];
cfg = cka_config ("Epsilon", 1e-12);
opts = {"Tokenizer1", tok, "Tokenizer2", tok, "Pooling", "mean", "Layers1", L, ...
        "Layers2", L, "BatchSize", 32, "Progress", false, "Config", cfg};
St = cka_compare (model, [], sentences, opts{:}).cka;      # trained with itself
Su = cka_compare (twin1, [], sentences, opts{:}).cka;      # untrained with itself
dx = diag (cka_compare (model, twin1, sentences, opts{:}).cka);   # trained vs untrained
dc = diag (cka_compare (twin2, twin1, sentences, opts{:}).cka);   # the control
Seps = cka_compare (twin1, [], sentences, opts{1:end-2}).cka;     # pytorch-cka's epsilon
printf ("untrained self-similarity of embed_tokens: %.4f with epsilon 1e-6, %.4f with 1e-12\n",
        Seps(1, 1), Su(1, 1));

## 3. figures
## figures go to $CKA_EXERCISE_OUT, else ./exercise-figures (kept for the class)
outdir = getenv ("CKA_EXERCISE_OUT");
if (isempty (outdir))
  outdir = "exercise-figures";
endif
if (! isfolder (outdir))
  mkdir (outdir);
endif
f1 = fullfile (outdir, "ex07_self_similarity.png");
f2 = fullfile (outdir, "ex07_trained_vs_untrained.png");
R1 = struct ("cka", St, "layers1", {L}, "layers2", {L});
R2 = struct ("cka", Su, "layers1", {L}, "layers2", {L});
close (plot_cka_comparison ({R1, R2}, {"trained", "untrained twin"}, "File", f1,
                            "Visible", false));
close (plot_cka_trend ([dx'; dc'], "Labels", {"trained vs untrained", "untrained vs untrained"},
                       "File", f2, "Visible", false));
printf ("figures: %s, %s\n", f1, f2);

## 4. the last two blocks
printf ("CKA(layers.3, layers.4): trained %.2f, untrained %.2f\n", St(end-1, end), Su(end-1, end));
assert (Su(end-1, end) > 0.85);                 # random blocks barely change the stream
assert (St(end-1, end) < Su(end-1, end) - 0.1); # training makes the last block break away

## 5. where trained and untrained agree most
printf ("same layer, trained vs untrained:   %s\n", mat2str (dx', 2));
printf ("same layer, untrained vs untrained: %s\n", mat2str (dc', 2));
[~, best] = max (dx);
printf ("they agree most at %s: pooled embeddings of the same tokens share word statistics\n",
        L{best});
assert (best == 1);

## 6. against the control
printf ("blocks: trained vs untrained %.2f, untrained vs untrained %.2f (means)\n",
        mean (dx(2:end)), mean (dc(2:end)));
assert (mean (dx(2:end)) < mean (dc(2:end)) + 0.1);
assert (Seps(1, 1) < Su(1, 1));                 # the epsilon caveat
