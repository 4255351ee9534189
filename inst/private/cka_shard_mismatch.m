## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{d} =} cka_shard_mismatch (@var{A}, @var{B})
## "" when the shard (partial result) @var{A} comes from the same run as
## @var{B} (cka_merge, and the parallel modes of cka_compare on each returned
## shard and on a "Resume" file), else what differs, for a message: the
## models (fingerprints of config and weights), the data (fingerprint of
## every batch), the options that shape the sums, the layers, the model
## names, the number of batches.
## @end deftypefn

function d = cka_shard_mismatch (A, B)
  d = "";
  P = A.provenance;  Q = B.provenance;
  ## the options first: other batches or poolings also change the data's
  ## fingerprint, and the option is the better message
  checks = {"batch_size", "BatchSize differs";
            "pooling", "Pooling differs";
            "ignore_mask", "IgnoreMask differs";
            "drop_last", "DropLast differs";
            "data2", "one has Data2, the other not";
            "same_model", "one compares a model with itself, the other two models";
            "model1_config", "model1 differs (architecture, config or weight names)";
            "model1_weights", "model1 weights differ";
            "model2_config", "model2 differs (architecture, config or weight names)";
            "model2_weights", "model2 weights differ";
            "data", "the data differ"};
  for r = 1:rows (checks)
    if (! isequal (P.(checks{r,1}), Q.(checks{r,1})))
      d = checks{r,2};
      return;
    endif
  endfor
  if (! (isequal (A.layers1(:), B.layers1(:)) && isequal (A.layers2(:), B.layers2(:))))
    d = "the layers differ";
  elseif (! isequal (A.config, B.config))
    d = "the CKA options differ";
  elseif (! isequal (cka_stats_fields ("options", A), cka_stats_fields ("options", B)))
    d = "the Estimator, Measure, Bootstrap, Permutations, CILevel, Seed or SVCCAVariance options differ";
  elseif (A.shard.batches != B.shard.batches)
    d = sprintf ("the data has %d batches, not %d", A.shard.batches, B.shard.batches);
  elseif (! (strcmp (A.model1_name, B.model1_name) && strcmp (A.model2_name, B.model2_name)))
    d = "the model names differ";
  endif
endfunction

