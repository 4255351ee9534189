## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later
##
## Exercise 8, worked solution: how sure are we?  Bootstrap intervals,
## permutation tests and a second measure, for the trained stories260K
## against untrained twins on sentences of Pride and Prejudice.

if (! exist ("cka_compare", "file"))
  pkg load cka
endif

data = fullfile (fileparts (which ("cka_demo_llm")), "data");
dir = fullfile (data, "stories260K");
model = tfm_load (dir);
tok = tfm_tokenizer (dir);
sentences = strsplit (strtrim (fileread (fullfile (data, "austen", "sentences.txt"))), "\n");
sentences = sentences(1:240);
twin1 = tfm_create (model.config, "Seed", 1);
twin2 = tfm_create (model.config, "Seed", 2);
L = [{"embed_tokens"}, tfm_modules(model, "blocks")'];
opts = {"Tokenizer1", tok, "Tokenizer2", tok, "Pooling", "mean", "Layers1", L, ...
        "Layers2", L, "Progress", false, "Config", cka_config("Epsilon", 1e-12)};

## 1. intervals: 30 batches of 8 sentences, 1000 resamples of the batches
stats = {"BatchSize", 8, "Bootstrap", 1000, "Permutations", 499, "Measure", {"rsa", "svcca"}};
Rx = cka_compare (model, twin1, sentences, opts{:}, stats{:});   # trained vs untrained
Rc = cka_compare (twin2, twin1, sentences, opts{:}, stats{:});   # the control
printf ("%-14s %-24s %-24s\n", "layer", "trained vs untrained", "untrained vs untrained");
for k = 1:numel (L)
  printf ("%-14s %.2f [%.2f, %.2f]       %.2f [%.2f, %.2f]\n", L{k}, Rx.cka(k, k),
          Rx.ci_low(k, k), Rx.ci_high(k, k), Rc.cka(k, k), Rc.ci_low(k, k), Rc.ci_high(k, k));
endfor
assert (all (diag (Rx.ci_low) <= diag (Rx.cka) & diag (Rx.cka) <= diag (Rx.ci_high)));

## figures go to $CKA_EXERCISE_OUT, else ./exercise-figures (kept for the class)
outdir = getenv ("CKA_EXERCISE_OUT");
if (isempty (outdir))
  outdir = "exercise-figures";
endif
if (! isfolder (outdir))
  mkdir (outdir);
endif
f1 = fullfile (outdir, "ex08_intervals.png");
f2 = fullfile (outdir, "ex08_significance.png");
close (plot_cka_trend ({Rx, Rc}, "Labels", {"trained vs untrained", "untrained vs untrained"},
                       "XLabel", "layer (0 = the embeddings)", "File", f1, "Visible", false));

## 2. do the intervals overlap?  (overlapping intervals do not prove the
## two values equal: the data at hand cannot tell them apart)
sep = diag (Rx.ci_high) < diag (Rc.ci_low);
printf ("intervals apart at: %s\n", strjoin (L(sep), ", "));
printf ("blocks, mean CKA: trained vs untrained %.2f, control %.2f\n",
        mean (diag (Rx.cka)(2:end)), mean (diag (Rc.cka)(2:end)));
assert (mean (diag (Rx.cka)(2:end)) < mean (diag (Rc.cka)(2:end)));

## 2b. more data, narrower intervals: a quarter of the sentences
Rq = cka_compare (model, twin1, sentences(1:60), opts{:}, "BatchSize", 8, "Bootstrap", 1000);
w_all = mean (diag (Rx.ci_high - Rx.ci_low));
w_quarter = mean (diag (Rq.ci_high - Rq.ci_low));
printf ("mean interval width: %.3f with 240 sentences, %.3f with 60 (ratio %.2f, sqrt(4) = 2)\n",
        w_all, w_quarter, w_quarter / w_all);
assert (w_quarter / w_all > 1.3);

## 3. significance: every pair, even the two untrained twins (same sentences)
printf ("p-values, trained vs untrained:   %s\n", mat2str (diag (Rx.p_value)', 2));
printf ("p-values, untrained vs untrained: %s\n", mat2str (diag (Rc.p_value)', 2));
assert (all (diag (Rx.p_value) <= 2 / 500) && all (diag (Rc.p_value) <= 2 / 500));
close (plot_cka_heatmap (Rx, "Significance", 0.01, "Annot", true, "File", f2,
                         "Visible", false));
## the same test when the pairing of sentences is broken: the second model
## reads the sentences in another order (sentence i against sentence i + 120)
enc = tfm_encode (tok, sentences, "Padding", true);
other = enc;
order = [121:240, 1:120];
other.input_ids = enc.input_ids(order, :);
other.attention_mask = enc.attention_mask(order, :);
Ru = cka_compare (model, twin1, enc, "Data2", other, "Pooling", "mean", "Layers1", L,
                  "Layers2", L, "Progress", false, "BatchSize", 8, "Permutations", 499);
printf ("p-values, unrelated pairing:      %s\n", mat2str (diag (Ru.p_value)', 2));
assert (median (diag (Ru.p_value)) > 0.05);

## 4. few batches: 2 batches of 120 (the bootstrap warns)
lastwarn ("");
Rf = cka_compare (model, twin1, sentences, opts{:}, "BatchSize", 120, "Bootstrap", 1000);
[~, id] = lastwarn ();
printf ("2 batches of 120: %s; interval of layers.1 [%.2f, %.2f] vs [%.2f, %.2f] from 30 batches\n",
        id, Rf.ci_low(2, 2), Rf.ci_high(2, 2), Rx.ci_low(2, 2), Rx.ci_high(2, 2));
assert (strcmp (id, "cka:bootstrap:fewBatches"));

## 5. a second opinion: RSA and SVCCA on the same features
printf ("RSA,   blocks: trained vs untrained %.2f, control %.2f\n", mean (diag (Rx.rsa)(2:end)),
        mean (diag (Rc.rsa)(2:end)));
printf ("SVCCA, blocks: trained vs untrained %.2f, control %.2f\n",
        mean (diag (Rx.svcca)(2:end)), mean (diag (Rc.svcca)(2:end)));
assert (mean (diag (Rx.rsa)(2:end)) < mean (diag (Rc.rsa)(2:end)));
assert (mean (diag (Rx.cka)(2:end)) < mean (diag (Rc.cka)(2:end)));
printf ("figures: %s, %s\n", f1, f2);
