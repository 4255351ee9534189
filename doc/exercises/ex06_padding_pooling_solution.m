## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later
##
## Exercise 6, worked solution: padding and pooling; the flatten artefact.

if (! exist ("cka_compare", "file"))
  pkg load cka
endif

bert = tfm_create ("bert", "hidden_size", 64, "num_hidden_layers", 4, "num_attention_heads", 4,
                   "intermediate_size", 128, "vocab_size", 500, "max_position_embeddings", 64,
                   "initializer_range", 0.2, "Seed", 21, "Name", "BERT");
gpt2 = tfm_create ("gpt2", "n_embd", 64, "n_layer", 4, "n_head", 4, "vocab_size", 500,
                   "n_positions", 64, "initializer_range", 0.2, "Seed", 22, "Name", "GPT-2");
N = 64;  S = 16;
common = {"BatchSize", 16, "Progress", false};

## 2. no padding
rand ("seed", 6);
ids_full = randi ([1 499], N, S);
R0 = cka_compare (bert, gpt2, ids_full, common{:});
d0 = diag (R0.cka)';

## 3. random lengths, padded with id 0, with a mask
len = randi ([4 S], N, 1);
mask = double ((1:S) <= len);
ids = randi ([1 499], N, S) .* mask;
data = struct ("input_ids", ids, "attention_mask", mask);
pools = {"flatten", "mean", "last"};
d = zeros (numel (pools), 4);
for p = 1:numel (pools)
  R = cka_compare (bert, gpt2, data, common{:}, "Pooling", pools{p});
  d(p, :) = diag (R.cka)';
endfor

## 4. the padding pattern against the flattened, masked representation
[~, a] = tfm_forward (bert, ids, "AttentionMask", mask, "Hooks", "encoder.layer.3");
A = reshape (a{1} .* single (mask), N, []);
c_mask = cka (mask, A);

## 5. pytorch-cka's way: no mask at all
Rn = cka_compare (bert, gpt2, data, common{:}, "IgnoreMask", true);
dn = diag (Rn.cka)';

printf ("CKA of BERT layer i with GPT-2 layer i (unrelated random models)\n");
printf ("  %-28s %s\n", "no padding, flatten", mat2str (d0, 3));
for p = 1:numel (pools)
  printf ("  %-28s %s\n", ["padded, mask, " pools{p}], mat2str (d(p, :), 3));
endfor
printf ("  %-28s %s\n", "padded, no mask, flatten", mat2str (dn, 3));
printf ("CKA(padding mask, flattened masked encoder.layer.3) = %.3f\n", c_mask);

## The conclusions
assert (all (abs (d0) < 0.1));            # unrelated: ~0
assert (all (d(1, :) > 0.5));             # flatten + padding: spurious similarity
assert (c_mask > 0.6);                    # ... explained by the padding pattern
assert (all (d(2, :) < 0.3) && all (d(3, :) < 0.3));     # pooling removes most of it
assert (all (d(2, :) < d(1, :) - 0.3));
printf ("Conclusion: with variable-length padding, flatten pooling measures the padding;\n");
printf ("pool over the real tokens (mean, first, last) instead.\n");
