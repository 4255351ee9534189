## The bad-input catalogue: every row of doc/bad-inputs.md is one
## "## BAD <function> | <input>" comment followed by the %!error test that
## backs it.  doc/bad-inputs.md is generated from this file by
## `make bad-inputs-doc` (tests/robust/bad_inputs_doc.m), which runs each
## row and records the message; the last test checks that the document and
## this file list the same rows.

%!shared F, m, g, ids, X, S, d
%! F = bad_inputs_fixtures ();
%! m = F.m;  g = F.g;  ids = F.ids;  X = F.X;  S = F.S;  d = F.dir;

## ---- tfm_create ----
## BAD tfm_create | unknown architecture
%!error id=cka:config:unknownArch tfm_create ("t5")
## BAD tfm_create | DType that is not a storage type
%!error id=cka:input:badOption tfm_create ("bert", "DType", "int8")
## BAD tfm_create | unknown option (a GPT-2 field for BERT)
%!error id=cka:input:unknownOption tfm_create ("bert", "n_embd", 32)
## BAD tfm_create | option without a value
%!error id=cka:input:badOption tfm_create ("bert", "hidden_size")
## BAD tfm_create | hidden size not divisible by the number of heads
%!error id=cka:config:badValue tfm_create ("bert", "hidden_size", 30, "num_attention_heads", 4)
## BAD tfm_create | NaN config value
%!error id=cka:config:badValue tfm_create ("bert", "hidden_size", NaN)
## BAD tfm_create | negative seed
%!error id=cka:input:badSeed tfm_create ("bert", "Seed", -1)
## BAD tfm_create | a billion layers (refused before anything is built)
%!error id=cka:config:badValue tfm_create ("bert", "num_hidden_layers", 1e9)
## BAD tfm_create | sizes beyond the memory of the machine
%!error id=cka:config:tooLarge tfm_create ("bert", "vocab_size", 2^31 - 1, "hidden_size", 4096, "num_attention_heads", 16)
## BAD tfm_create | relative position embeddings (not implemented)
%!error id=cka:config:unsupported tfm_create ("bert", "position_embedding_type", "relative_key")
## BAD tfm_create | RoBERTa without a pad_token_id (its position ids need one)
%!error id=cka:config:badValue tfm_create ("roberta", "pad_token_id", [], "hidden_size", 8, "num_attention_heads", 2, "num_hidden_layers", 1, "vocab_size", 10)
## BAD tfm_create | key/value heads that do not divide the attention heads (Llama)
%!error id=cka:config:badValue tfm_create ("llama", "hidden_size", 32, "num_attention_heads", 4, "num_key_value_heads", 3)
## BAD tfm_create | an odd head size (rotary embeddings pair the dims)
%!error id=cka:config:badValue tfm_create ("mistral", "hidden_size", 36, "num_attention_heads", 4, "num_key_value_heads", 4)
## BAD tfm_create | GPT-NeoX rotating an odd number of dims
%!error id=cka:config:badValue tfm_create ("gpt_neox", "hidden_size", 32, "num_attention_heads", 4, "rotary_pct", 0.4)
## BAD tfm_create | rope_scaling of an unimplemented type (yarn)
%!error id=cka:config:unsupported tfm_create ("llama", "hidden_size", 32, "num_attention_heads", 4, "rope_scaling", struct ("rope_type", "yarn", "factor", 4))
## BAD tfm_create | rope_scaling factor below 1
%!error id=cka:config:badValue tfm_create ("llama", "hidden_size", 32, "num_attention_heads", 4, "rope_scaling", struct ("type", "linear", "factor", 0.5))
## BAD tfm_create | a config struct without model_type
%!error id=cka:config:missingField tfm_create (struct ("hidden_size", 32))

## ---- tfm_modules ----
## BAD tfm_modules | not a model struct
%!error id=cka:input:badModel tfm_modules (struct ("arch", "bert"))
## BAD tfm_modules | unknown listing mode
%!error id=cka:input:badOption tfm_modules (m, "layers")

## ---- tfm_forward ----
## BAD tfm_forward | token id >= vocab_size
%!error id=cka:input:tokenOutOfRange tfm_forward (m, [1 50])
## BAD tfm_forward | negative token id
%!error id=cka:input:tokenOutOfRange tfm_forward (m, [-1 2])
## BAD tfm_forward | non-integer token id
%!error id=cka:input:nonIntegerIds tfm_forward (m, [1 2.5])
## BAD tfm_forward | NaN token id
%!error id=cka:input:nonIntegerIds tfm_forward (m, [1 NaN])
## BAD tfm_forward | Inf token id
%!error id=cka:input:nonIntegerIds tfm_forward (m, [1 Inf])
## BAD tfm_forward | sequence longer than max_position_embeddings
%!error id=cka:input:sequenceTooLong tfm_forward (m, ones (1, 9))
## BAD tfm_forward | empty input
%!error id=cka:input:emptyInput tfm_forward (m, zeros (0, 3))
## BAD tfm_forward | 3-D ids
%!error id=cka:input:idsShape tfm_forward (m, ones (2, 2, 2))
## BAD tfm_forward | ids of class char
%!error id=cka:input:idsShape tfm_forward (m, "abc")
## BAD tfm_forward | attention mask of another size
%!error id=cka:input:maskShape tfm_forward (m, ids, "AttentionMask", ones (2, 4))
## BAD tfm_forward | token type id >= type_vocab_size
%!error id=cka:input:tokenTypeOutOfRange tfm_forward (m, ids, "TokenTypeIds", 2 * ones (8, 6))
## BAD tfm_forward | unknown hook name
%!error id=cka:input:unknownHook tfm_forward (m, ids, "Hooks", {"h.0"})
## BAD tfm_forward | container hook (a ModuleList never runs)
%!error id=cka:input:containerHook tfm_forward (m, ids, "Hooks", {"encoder.layer"})
## BAD tfm_forward | unknown option
%!error id=cka:input:unknownOption tfm_forward (m, ids, "Mask", ones (8, 6))
## BAD tfm_forward | a uint16 weight matrix without model.dtype naming its 16-bit type
%!error id=cka:input:badWeight tfm_forward (setfield (m, "weights", [{uint16(m.weights{1})}; m.weights(2:end)]), ids)
## BAD tfm_forward | a uint16 norm vector (1-D weights are single)
%!error id=cka:input:badWeight tfm_forward (setfield (setfield (m, "dtype", "bfloat16"), "weights", [m.weights(1:3); {uint16(m.weights{4})}; m.weights(5:end)]), ids)
## BAD tfm_forward | NaN weight reaching a hooked output
%!error id=cka:input:nonFinite cka_compare (setfield (m, "weights", cellfun (@(w) w * NaN, m.weights, "uniformoutput", false)), [], ids, "Progress", false)

## ---- safetensors_info / safetensors_read / safetensors_write ----
## BAD safetensors_info | file name not a string
%!error id=cka:input:type safetensors_info (3)
## BAD safetensors_info | missing file
%!error id=cka:safetensors:open safetensors_info (fullfile (d, "missing.safetensors"))
## BAD safetensors_info | a folder instead of a file
%!error id=cka:safetensors:open safetensors_info (d)
## BAD safetensors_info | empty file
%!error id=cka:safetensors:truncated safetensors_info (fullfile (d, "empty.safetensors"))
## BAD safetensors_info | file cut inside the header
%!error id=cka:safetensors:truncated safetensors_info (fullfile (d, "header_cut.safetensors"))
## BAD safetensors_info | header length above 100 MB
%!error id=cka:safetensors:headerTooLarge safetensors_info (fullfile (d, "huge_header.safetensors"))
## BAD safetensors_info | header not JSON (corrupt first byte)
%!error id=cka:safetensors:badHeader safetensors_info (fullfile (d, "corrupt.safetensors"))
## BAD safetensors_info | text file, not safetensors
%!error id=cka:safetensors:headerTooLarge safetensors_info (fullfile (d, "text.safetensors"))
## BAD safetensors_read | file cut inside the data (partial download)
%!error id=cka:safetensors:truncated safetensors_read (fullfile (d, "truncated.safetensors"))
## BAD safetensors_read | a 1 TB tensor (sparse file): more than the machine's memory
%!error id=cka:safetensors:noMemory safetensors_read (fullfile (d, "terabyte.safetensors"))
## BAD safetensors_read | unknown tensor name
%!error id=cka:safetensors:notFound safetensors_read (fullfile (d, "good", "model.safetensors"), {"nope"})
## BAD safetensors_read | names not a cellstr
%!error id=cka:input:type safetensors_read (fullfile (d, "good", "model.safetensors"), 3)
## BAD safetensors_write | duplicate tensor names
%!error id=cka:input:badName safetensors_write (fullfile (d, "w1.safetensors"), {"a", "a"}, {1, 2})
## BAD safetensors_write | unsupported dtype
%!error id=cka:input:badOption safetensors_write (fullfile (d, "w2.safetensors"), {"a"}, {1}, "Dtype", "int8")
## BAD safetensors_write | shape that does not match the data
%!error id=cka:input:shape safetensors_write (fullfile (d, "w3.safetensors"), {"a"}, {1}, "Shapes", {[2 2]})
## BAD safetensors_write | read-only output folder
%!error id=cka:safetensors:write safetensors_write (fullfile (F.rodir, "x.safetensors"), {"a"}, {1})
## BAD safetensors_write | full disk (file size limit 4 KiB)
%!error id=cka:safetensors:write run_with_file_limit ("safetensors_write (fullfile (out, 'x.safetensors'), {'a'}, {randn(64)})", 4)

## ---- tfm_load ----
## BAD tfm_load | path that does not exist
%!error id=cka:load:notFound tfm_load (fullfile (d, "nothing-here"))
## BAD tfm_load | path not a string
%!error id=cka:input:type tfm_load (3)
## BAD tfm_load | folder without weights
%!error id=cka:load:noWeights tfm_load (fullfile (d, "noweights"))
## BAD tfm_load | weights file without config.json next to it
%!error id=cka:load:noConfig tfm_load (fullfile (d, "truncated.safetensors"))
## BAD tfm_load | corrupt config.json
%!error id=cka:load:badConfig tfm_load (fullfile (d, "badconfig"))
## BAD tfm_load | truncated weights (partial download)
%!error id=cka:safetensors:truncated tfm_load (fullfile (d, "partial"))
## BAD tfm_load | unknown model_type
%!error id=cka:load:unknownArch tfm_load (fullfile (d, "good"), "Config", struct ("model_type", "t5"))
## BAD tfm_load | config whose sizes do not match the weights
%!error id=cka:load:shapeMismatch tfm_load (fullfile (d, "good"), "Config", setfield (m.config, "intermediate_size", 64))
## BAD tfm_load | config.json with 100000 layers over a 2-layer checkpoint (fails at once)
%!error id=cka:config:badValue tfm_load (fullfile (d, "good"), "Config", setfield (m.config, "num_hidden_layers", 1e5))

## BAD tfm_load | DType that is not a storage type
%!error id=cka:input:badOption tfm_load (fullfile (d, "good"), "DType", "fp8")

## ---- tfm_cast ----
## BAD tfm_cast | neither a storage type nor a parameter name
%!error id=cka:input:badOption tfm_cast (m, "fp8")
## BAD tfm_cast | not a model
%!error id=cka:input:badModel tfm_cast (struct ("a", 1), "bf16")
## BAD tfm_cast | a uint16 weight whose model.dtype is not a 16-bit type
%!error id=cka:input:badWeight tfm_cast (setfield (m, "weights", [{uint16(m.weights{1})}; m.weights(2:end)]), "single")

## ---- tfm_save ----
## BAD tfm_save | not a model
%!error id=cka:save:badModel tfm_save (struct ("a", 1), fullfile (d, "s1"))
## BAD tfm_save | unsupported dtype
%!error id=cka:input:badOption tfm_save (m, fullfile (d, "s2"), "Dtype", "f8")
## BAD tfm_save | read-only output folder
%!error id=cka:save:io tfm_save (m, fullfile (F.rodir, "model"))
## BAD tfm_save | full disk (file size limit 64 KiB)
%!error id=cka:safetensors:write run_with_file_limit ("tfm_save (m, fullfile (out, 'model'))", 64)

## ---- cka_config ----
## BAD cka_config | unknown option
%!error id=cka:input:unknownOption cka_config ("Kernal", "rbf")
## BAD cka_config | unknown kernel
%!error id=cka:input:badOption cka_config ("Kernel", "poly")
## BAD cka_config | negative sigma
%!error id=cka:input:badOption cka_config ("Sigma", -1)
## BAD cka_config | NaN epsilon
%!error id=cka:input:badOption cka_config ("Epsilon", NaN)
## BAD cka_config | unknown dtype
%!error id=cka:input:badOption cka_config ("Dtype", "half")

## ---- cka / hsic ----
## BAD hsic | a matrix that is not symmetric (not a Gram matrix)
%!error id=cka:input:notSymmetric hsic (magic (5), eye (5))
## BAD cka | n <= 3 with the unbiased estimator
%!error id=cka:input:tooFewSamples cka (randn (3, 4), randn (3, 4))
## BAD cka | n <= 1 with the biased estimator
%!error id=cka:input:tooFewSamples cka (randn (1, 4), randn (1, 4), "Unbiased", false)
## BAD cka | 200000 samples: Gram matrices beyond the memory of the machine
%!error id=cka:memory:tooLarge cka (randn (2e5, 2), randn (2e5, 2))
## BAD cka | different numbers of samples
%!error id=cka:input:sampleMismatch cka (randn (8, 4), randn (7, 4))
## BAD cka | NaN feature
%!error id=cka:input:nonFinite cka ([X(1:end-1,:); NaN(1, 5)], X)
## BAD cka | Inf feature
%!error id=cka:input:nonFinite cka (X, [X(1:end-1,:); Inf(1, 5)])
## BAD cka | integer/char/complex features
%!error id=cka:input:type cka (int8 (X), X)
## BAD cka | empty features
%!error id=cka:input:tooFewSamples cka (zeros (0, 3), zeros (0, 3))
## BAD cka | Gram matrix overflow with a fixed RBF bandwidth
%!error id=cka:input:overflow cka (1e200 * X, X, "Kernel", "rbf", "Sigma", 1)
## BAD cka | unknown measure
%!error id=cka:input:badOption cka (X, X, "Measure", "cca")
## BAD cka | two measures at once (an accumulator takes several)
%!error id=cka:input:badOption cka (X, X, "Measure", {"svcca", "rsa"})
## BAD cka | the full-data estimator with the RBF kernel
%!error id=cka:input:badOption cka (X, X, "Estimator", "full", "Kernel", "rbf")
## BAD cka | a bootstrap of one batch
%!error id=cka:input:badOption cka (X, X, "Bootstrap", 100)
## BAD cka | a p-value output without Permutations
%!error id=cka:input:badOption [c, p] = cka (X, X)
## BAD cka | a negative number of permutations
%!error id=cka:input:badOption cka (X, X, "Permutations", -1)
## BAD hsic | non-square Gram matrix
%!error id=cka:input:notSquare hsic (ones (3, 4), ones (3, 4))
## BAD hsic | Gram matrices of different sizes
%!error id=cka:input:sizeMismatch hsic (eye (5), eye (6))
## BAD hsic | NaN in a Gram matrix
%!error id=cka:input:nonFinite hsic ([1 NaN; 0 1], eye (2), "Unbiased", false)
## BAD hsic | n <= 3 with the unbiased estimator
%!error id=cka:input:tooFewSamples hsic (eye (3), eye (3))

## ---- cka_accumulator / cka_update / cka_merge / cka_matrix ----
## BAD cka_accumulator | empty layer list
%!error id=cka:input:badLayers cka_accumulator ({})
## BAD cka_accumulator | 100001 layers
%!error id=cka:input:badLayers cka_accumulator (1e5 + 1, 1)
## BAD cka_accumulator | layer pairs beyond memory
%!error id=cka:input:tooLarge cka_accumulator (1e5, 1e5)
## BAD cka_accumulator | unknown option
%!error id=cka:input:unknownOption cka_accumulator (2, "Kernal", "rbf")
## BAD cka_accumulator | Bootstrap with the full-data estimator
%!error id=cka:input:badOption cka_accumulator (2, "Estimator", "full", "Bootstrap", 100)
## BAD cka_accumulator | a confidence level of 95 (not 0.95)
%!error id=cka:input:badOption cka_accumulator (2, "Bootstrap", 100, "CILevel", 95)
## BAD cka_accumulator | SVCCA keeping no variance
%!error id=cka:input:badOption cka_accumulator (2, "Measure", "svcca", "SVCCAVariance", 0)
## BAD cka_accumulator | a negative seed
%!error id=cka:input:badOption cka_accumulator (2, "Permutations", 10, "Seed", -1)
## BAD cka_update | not an accumulator
%!error id=cka:input:notAccumulator cka_update (struct (), {X})
## BAD cka_update | wrong number of layers
%!error id=cka:input:layerCount cka_update (S, {X, X}, {X})
## BAD cka_update | n <= 3 with the unbiased estimator
%!error id=cka:input:tooFewSamples cka_update (S, {X(1:3,:)}, {X(1:3,:)})
## BAD cka_update | NaN activation
%!error id=cka:input:nonFinite cka_update (S, {[X(1:end-1,:); NaN(1, 5)]}, {X})
## BAD cka_update | features of class char
%!error id=cka:input:type cka_update (S, {"abcdefgh"}, {X})
## BAD cka_update | full-data sums: a batch with another number of features
%!error id=cka:input:featureMismatch cka_update (cka_update (cka_accumulator (1, "Estimator", "full"), {X}, {X}), {X(:,1:2)}, {X})
## BAD cka_merge | accumulators of different layers
%!error id=cka:input:mergeMismatch cka_merge (S, cka_accumulator (2))
## BAD cka_merge | accumulators with different CKA options
%!error id=cka:input:mergeMismatch cka_merge (S, cka_accumulator (1, "Kernel", "rbf"))
## BAD cka_matrix | nothing accumulated yet
%!error id=cka:input:emptyAccumulator cka_matrix (cka_accumulator (2))
## BAD cka_matrix | not an accumulator
%!error id=cka:input:notAccumulator cka_matrix (struct ("a", 1))
## BAD cka_matrix | a measure the accumulator was not asked for
%!error id=cka:input:badOption cka_matrix (cka_update (S, {X}, {X}), "svcca")
## BAD cka_matrix | bootstrap intervals from one batch
%!error id=cka:input:tooFewBatches cka_matrix (cka_update (cka_accumulator (1, "Bootstrap", 10), {X}, {X}), "stats")
## BAD cka_merge | accumulators with different Measure options
%!error id=cka:input:mergeMismatch cka_merge (cka_accumulator (1, "Measure", "rsa"), cka_accumulator (1))

## ---- cka_compare ----
## BAD cka_compare | not a model
%!error id=cka:input:notModel cka_compare (struct ("a", 1), [], ids)
## BAD cka_compare | a batch of 200000 samples (Gram matrices beyond memory)
%!error id=cka:memory:tooLarge cka_compare (m, [], zeros (2e5, 2), "BatchSize", 2e5, "Progress", false)
## BAD cka_compare | empty data
%!error id=cka:input:emptyData cka_compare (m, [], zeros (0, 4))
## BAD cka_compare | sentences as data without a tokenizer
%!error id=cka:input:noTokenizer cka_compare (m, g, {"a b", "c"}, "Progress", false)
## BAD cka_compare | sentences through two different tokenizers with flatten pooling
%!error id=cka:input:misalignedTokens cka_compare (m, g, {"a b", "c"}, "Progress", false, "Tokenizer1", tfm_tokenizer (struct ("vocab", {{"[PAD]"; "[UNK]"; "[CLS]"; "[SEP]"; "[MASK]"; "a"}})), "Tokenizer2", tfm_tokenizer (struct ("vocab", {{"[PAD]"; "[UNK]"; "[CLS]"; "[SEP]"; "[MASK]"; "b"}})))
## BAD cka_compare | data of the wrong type
%!error id=cka:input:badData cka_compare (m, [], {1, 2})
## BAD cka_compare | negative token ids
%!error id=cka:input:tokenOutOfRange cka_compare (m, [], -ids)
## BAD cka_compare | token ids >= vocab_size
%!error id=cka:input:tokenOutOfRange cka_compare (m, [], ids + 50, "Progress", false)
## BAD cka_compare | sequences longer than the model's positions
%!error id=cka:input:sequenceTooLong cka_compare (m, [], [ids ids], "Progress", false)
## BAD cka_compare | batch of n <= 3 with the unbiased estimator
%!error id=cka:input:tooFewSamples cka_compare (m, [], ids, "BatchSize", 3, "Progress", false)
## BAD cka_compare | unknown layer
%!error id=cka:input:unknownLayer cka_compare (m, [], ids, "Layers1", {"h.0"})
## BAD cka_compare | unknown option
%!error id=cka:input:unknownOption cka_compare (m, [], ids, "Layer", {"h.0"})
## BAD cka_compare | non-integer batch size
%!error id=cka:input:badOption cka_compare (m, [], ids, "BatchSize", 2.5)
## BAD cka_compare | unknown pooling
%!error id=cka:input:badOption cka_compare (m, [], ids, "Pooling", "max")
## BAD cka_compare | a fractional number of bootstrap resamples
%!error id=cka:input:badOption cka_compare (m, [], ids, "Bootstrap", 10.5)
## BAD cka_compare | feature-space sums (full estimator) in a JSON checkpoint
%!error id=cka:input:badOption cka_compare (m, [], ids, "Estimator", "full", "Pooling", "mean", "Checkpoint", fullfile (d, "p.json"))
## BAD cka_compare | mask of another size
%!error id=cka:input:maskShape cka_compare (m, [], ids, "AttentionMask", ones (2, 2))
## BAD cka_compare | data and Data2 with different batch sizes
%!error id=cka:input:sampleMismatch cka_compare (m, g, ids, "Data2", ids(1:6,:), "BatchSize", 4, "Progress", false)
## BAD cka_compare | Resume from a missing checkpoint
%!error id=cka:io:notFound cka_compare (m, [], ids, "Resume", fullfile (d, "none.mat"), "Progress", false)
## BAD cka_compare | Resume from a checkpoint of other options
%!error id=cka:checkpoint:resumeMismatch cka_compare (m, [], ids, "Resume", fullfile (d, "ck.mat"), "Progress", false)

## ---- cka_save / cka_load ----
## BAD cka_save | not a result or accumulator
%!error id=cka:input:notAccumulator cka_save (struct ("a", 1), fullfile (d, "r.json"))
## BAD cka_save | file name not a string
%!error id=cka:input:badFile cka_save (S, 3)
## BAD cka_save | an accumulator's feature-space sums to JSON
%!error id=cka:io:cannotWrite cka_save (cka_update (cka_accumulator (1, "Estimator", "full"), {X}, {X}), fullfile (d, "f.json"))
## BAD cka_save | read-only output folder
%!error id=cka:io:cannotWrite cka_save (S, fullfile (F.rodir, "r.json"))
## BAD cka_save | full disk (file size limit 4 KiB)
%!error id=cka:io:cannotWrite run_with_file_limit ("cka_save (cka_accumulator (200), fullfile (out, 'r.json'))", 4)
## BAD cka_load | missing file
%!error id=cka:io:notFound cka_load (fullfile (d, "none.json"))
## BAD cka_load | corrupt JSON
%!error id=cka:io:badFormat cka_load (fullfile (d, "bad.json"))
## BAD cka_load | JSON not written by cka_save
%!error id=cka:io:badFormat cka_load (fullfile (d, "other.json"))
## BAD cka_load | corrupt MAT file
%!error id=cka:io:badFormat cka_load (fullfile (d, "bad.mat"))

## ---- tokenizers ----
## BAD tfm_tokenizer | path that does not exist
%!error id=cka:tokenizer:notFound tfm_tokenizer (fullfile (d, "nothing"))
## BAD tfm_tokenizer | folder without tokenizer files
%!error id=cka:tokenizer:notFound tfm_tokenizer (fullfile (d, "good"))
## BAD tfm_tokenizer | path not a string
%!error id=cka:input:badPath tfm_tokenizer (3)
## BAD tfm_tokenizer | vocab.txt with invalid UTF-8
%!error id=cka:tokenizer:invalidUtf8 tfm_tokenizer (fullfile (d, "tok_badutf8"))
## BAD tfm_tokenizer | empty vocab.txt
%!error id=cka:tokenizer:emptyVocab tfm_tokenizer (fullfile (d, "tok_empty"))
## BAD tfm_tokenizer | vocab.txt without the unknown token
%!error id=cka:tokenizer:missingToken tfm_tokenizer (fullfile (d, "tok_nounk"))
## BAD tfm_tokenizer | merges.txt line that is not two symbols
%!error id=cka:tokenizer:badMerges tfm_tokenizer (fullfile (d, "tok_badmerges"))
## BAD tfm_tokenizer | corrupt vocab.json
%!error id=cka:tokenizer:badJson tfm_tokenizer (fullfile (d, "tok_badjson"))
## BAD tfm_tokenizer | vocab.json without merges.txt
%!error id=cka:tokenizer:missingFile tfm_tokenizer (fullfile (d, "tok_nomerges"))
## BAD tfm_tokenizer | tokenizer.model cut short (truncated protobuf)
%!error id=cka:tokenizer:badModel tfm_tokenizer (fullfile (d, "tok_spmtrunc"))
## BAD tfm_tokenizer | tokenizer.model that is a text file, not a protobuf
%!error id=cka:tokenizer:badModel tfm_tokenizer (fullfile (d, "tok_spmtext"))
## BAD tfm_tokenizer | tokenizer.json whose Split regex is not the Qwen2 or Llama-3 pattern
%!error id=cka:tokenizer:unsupported tfm_tokenizer (fullfile (d, "tok_splitpat"))
## BAD tfm_tokenizer | tokenizer.json with an unknown pre-tokenizer (Punctuation + ByteLevel)
%!error id=cka:tokenizer:unsupported tfm_tokenizer (fullfile (d, "tok_pretok"))
## BAD tfm_encode | SentencePiece tokenizer whose pad_token was cleared, texts of different lengths
%!error id=cka:tokenizer:noPadToken tfm_encode (F.spm, {"a", "a a"})
## BAD tfm_tokenizer | unknown field in a toy spec
%!error id=cka:input:unknownOption tfm_tokenizer (struct ("vocab", {{"[UNK]"}}, "colour", 1))
## BAD tfm_encode | MaxLength 1e10 with max_length padding (beyond memory)
%!error id=cka:input:tooLarge tfm_encode (F.bert, "a", "MaxLength", 1e10, "Padding", "max_length")
## BAD tfm_encode | texts not a string or cellstr
%!error id=cka:input:badText tfm_encode (F.bert, {1, 2})
## BAD tfm_encode | text with invalid UTF-8
%!error id=cka:tokenizer:invalidUtf8 tfm_encode (F.bert, "ab\xff")
## BAD tfm_encode | non-positive MaxLength
%!error id=cka:input:badOption tfm_encode (F.bert, "a", "MaxLength", -1)
## BAD tfm_encode | unknown option
%!error id=cka:input:unknownOption tfm_encode (F.bert, "a", "MaxLen", 3)
## BAD tfm_tokenize | text not a string
%!error id=cka:input:badText tfm_tokenize (F.bert, 42)
## BAD tfm_tokenize | not a tokenizer
%!error id=cka:input:badTokenizer tfm_tokenize (struct ("a", 1), "x")
## BAD tfm_tokenize | text with invalid UTF-8
%!error id=cka:tokenizer:invalidUtf8 tfm_tokenize (F.gpt2, "caf\xe9")
## BAD tfm_decode | id >= vocabulary size
%!error id=cka:input:tokenOutOfRange tfm_decode (F.bert, 25)
## BAD tfm_decode | negative id
%!error id=cka:input:tokenOutOfRange tfm_decode (F.bert, -1)
## BAD tfm_decode | NaN id
%!error id=cka:input:tokenOutOfRange tfm_decode (F.bert, [1 NaN])
## BAD tfm_decode | ids of class char
%!error id=cka:input:badIds tfm_decode (F.bert, "abc")

## ---- plots ----
## BAD plot_cka_heatmap | not a matrix or result
%!error id=cka:plot:badInput plot_cka_heatmap ("abc")
## BAD plot_cka_heatmap | layer names of the wrong length
%!error id=cka:plot:sizeMismatch plot_cka_heatmap (eye (2), "Layers1", {"a"})
## BAD plot_cka_heatmap | unknown colormap
%!error id=cka:plot:badColormap plot_cka_heatmap (eye (2), "Cmap", "nosuchmap")
## BAD plot_cka_heatmap | unknown option
%!error id=cka:input:unknownOption plot_cka_heatmap (eye (2), "Colour", "red")
## BAD plot_cka_heatmap | unwritable output file
%!error id=cka:plot:badFile plot_cka_heatmap (eye (2), "File", fullfile (F.rodir, "x.png"))
## BAD plot_cka_trend | values not numeric
%!error id=cka:plot:badInput plot_cka_trend ("abc")
## BAD plot_cka_trend | XValues of another length
%!error id=cka:plot:sizeMismatch plot_cka_trend (1:3, "XValues", 1:4)
## BAD plot_cka_trend | Intervals true for a result without confidence intervals
%!error id=cka:plot:noIntervals plot_cka_trend (struct ("cka", eye (3)), "Intervals", true)
## BAD plot_cka_trend | confidence intervals of another size than the matrix
%!error id=cka:plot:sizeMismatch plot_cka_trend (struct ("cka", eye (3), "ci_low", eye (2), "ci_high", eye (2)))
## BAD plot_cka_heatmap | Significance for a result without p-values
%!error id=cka:plot:noPValues plot_cka_heatmap (struct ("cka", eye (2)), "Significance", 0.05)
## BAD plot_cka_heatmap | Significance for a plain matrix
%!error id=cka:plot:noPValues plot_cka_heatmap (eye (2), "Significance", 0.05)
## BAD plot_cka_heatmap | Significance level outside (0, 1)
%!error id=cka:input:badOption plot_cka_heatmap (struct ("cka", eye (2), "p_value", ones (2)), "Significance", 5)
## BAD plot_cka_comparison | no matrices
%!error id=cka:plot:badInput plot_cka_comparison ({})
## BAD plot_cka_comparison | titles of another length
%!error id=cka:input:badOption plot_cka_comparison ({eye(2), eye(2)}, {"a"})
## BAD cka_heatmap_text | not a matrix or result
%!error id=cka:plot:badInput cka_heatmap_text ({})
## BAD cka_heatmap_text | a Range that is not [lo hi] with lo < hi
%!error id=cka:input:badOption cka_heatmap_text (eye (2), "Range", [1 0])
## BAD cka_heatmap_text | Width below 20 characters
%!error id=cka:input:badOption cka_heatmap_text (eye (2), "Width", 5)

## ---- cka_demo_llm ----
## BAD cka_demo_llm | unknown option
%!error id=cka:input:unknownOption cka_demo_llm (fullfile (d, "demo"), "Sample", 3)
## BAD cka_demo_llm | unknown figure format
%!error id=cka:input:badOption cka_demo_llm (fullfile (d, "demo"), "Format", "gif")

%!test
%! ## doc/bad-inputs.md and this file list the same rows (function, input, id)
%! root = fileparts (fileparts (fileparts (file_in_loadpath ("bad_inputs_fixtures.m"))));
%! me = fileread (fullfile (root, "tests", "test_bad_inputs.m"));
%! rows = regexp (me, '## BAD ([^|\n]+?) \| ([^\n]+)\n%!error id=(\S+)', "tokens");
%! doc = fullfile (root, "doc", "bad-inputs.md");
%! txt = fileread (doc);
%! drows = regexp (txt, '\n\| `([a-z_]+)` \| ([^|]+?) \| `(cka:[A-Za-z0-9]+:[A-Za-z0-9]+)` \|', "tokens");
%! key = @(r) sprintf ("%s|%s|%s", r{1}, strtrim (r{2}), r{3});
%! a = sort (cellfun (key, rows, "uniformoutput", false));
%! b = sort (cellfun (key, drows, "uniformoutput", false));
%! assert (numel (a) > 80);
%! assert (setdiff (a, b), cell (1, 0), "rows missing from doc/bad-inputs.md (make bad-inputs-doc)");
%! assert (setdiff (b, a), cell (1, 0), "doc/bad-inputs.md rows without an %%!error test");
%! ## every public function has at least one row (internal __*__ ones
%! ## are called by the package only)
%! pub = dir (fullfile (root, "inst", "*.m"));
%! pub = pub(! strncmp ({pub.name}, "__", 2));
%! fns = unique (cellfun (@(r) r{1}, rows, "uniformoutput", false));
%! assert (setdiff (strrep ({pub.name}, ".m", ""), fns), cell (1, 0));

## Errors raised in C name the public function the user called (the
## innermost one), never the internal __gateway__ (whose name Octave's
## mexErrMsgIdAndTxt would put first).
%!error <^tfm_forward: input_ids\(1,2\) = 50> tfm_forward (m, [1 50])
%!error <^tfm_load: .*partial.model\.safetensors: tensor> tfm_load (fullfile (d, "partial"))
%!error <^safetensors_read: .*truncated\.safetensors> safetensors_read (fullfile (d, "truncated.safetensors"))
%!error <^tfm_encode: text 1 is not valid UTF-8> tfm_encode (tfm_tokenizer (fixture_path ("tokenizers", "gpt2")), "a\xff")


## ---- checkpoints, ids and stored sums ----
## BAD tfm_forward | NaN in the attention mask
%!error id=cka:input:badMask tfm_forward (m, ids, "AttentionMask", [NaN(8, 1) ones(8, 5)])
## BAD tfm_forward | attention mask value other than 0 and 1
%!error id=cka:input:badMask tfm_forward (m, ids, "AttentionMask", 0.5 * ones (8, 6))
## BAD tfm_forward | sparse ids
%!error id=cka:input:type tfm_forward (m, sparse (ids))
## BAD tfm_forward | sparse attention mask
%!error id=cka:input:type tfm_forward (m, ids, "AttentionMask", sparse (ones (8, 6)))
## BAD tfm_forward | NaN token type id
%!error id=cka:input:nonIntegerIds tfm_forward (m, ids, "TokenTypeIds", NaN (8, 6))
## BAD tfm_forward | ids with no column
%!error id=cka:input:emptyInput tfm_forward (m, zeros (3, 0))
## BAD cka_compare | sparse ids
%!error id=cka:input:type cka_compare (m, [], sparse (ids), "Progress", false)
## BAD cka_compare | sparse attention mask
%!error id=cka:input:type cka_compare (m, [], ids, "AttentionMask", sparse (ones (8, 6)), "Progress", false)
## BAD cka_compare | NaN in the attention mask
%!error id=cka:input:badMask cka_compare (m, [], ids, "AttentionMask", [NaN(8, 1) ones(8, 5)], "Progress", false)
## BAD cka_compare | NaN token type ids in a batch struct
%!error id=cka:input:nonIntegerIds cka_compare (m, [], struct ("input_ids", ids, "token_type_ids", NaN (8, 6)), "Progress", false)
## BAD cka_compare | a data function returning a batch with a NaN mask
%!error id=cka:input:badMask cka_compare (m, [], @() struct ("input_ids", ids, "attention_mask", NaN (8, 6)), "Progress", false)
## BAD cka_compare | a data function returning an empty batch
%!error id=cka:input:emptyInput cka_compare (m, [], @() struct ("input_ids", zeros (0, 6)), "Progress", false)
## BAD cka_compare | Resume with another BatchSize
%!error id=cka:checkpoint:resumeMismatch cka_compare (m, [], ids, "BatchSize", 8, "Resume", ckpt_fixture (d, "ck_run.mat"), "Progress", false)
## BAD cka_compare | Resume with another model
%!error id=cka:checkpoint:resumeMismatch cka_compare (g, [], ids, "BatchSize", 4, "Resume", ckpt_fixture (d, "ck_run.mat"), "Progress", false)
## BAD cka_compare | Resume with other data
%!error id=cka:checkpoint:resumeMismatch cka_compare (m, [], mod (ids + 1, 50), "BatchSize", 4, "Resume", ckpt_fixture (d, "ck_run.mat"), "Progress", false)
## BAD cka_compare | Resume from a checkpoint with an edited batch count
%!error id=cka:checkpoint:resumeMismatch cka_compare (m, [], ids, "BatchSize", 4, "Resume", ckpt_fixture (d, "ck_edited.mat"), "Progress", false)
## BAD cka_compare | Resume from a file in Octave's text format
%!error id=cka:io:badFormat cka_compare (m, [], ids, "Resume", ckpt_fixture (d, "text.mat"), "Progress", false)
## BAD cka_compare | Shard that is not [k N] with 1 <= k <= N
%!error id=cka:input:badOption cka_compare (m, [], ids, "Shard", [3 2], "Progress", false)
## BAD cka_compare | Workers that is not a number of processes
%!error id=cka:input:badOption cka_compare (m, [], ids, "Workers", 0.5, "Progress", false)
## BAD cka_compare | Cluster that is not a pconnect network
%!error id=cka:input:badOption cka_compare (m, [], ids, "Cluster", "localhost", "Progress", false)
## BAD cka_compare | Workers with function-handle data
%!error id=cka:parallel:badData cka_compare (m, [], @() [], "Workers", 2, "Progress", false)
## BAD cka_compare | ModelPaths holding another model than the one given
%!error id=cka:parallel:modelMismatch cka_compare (m, [], ids, "BatchSize", 4, "Workers", 1, "ModelPaths", ckpt_fixture (d, "other-model"), "Progress", false)
## BAD cka_compare | Resume of a single-process run from a Workers checkpoint
%!error id=cka:checkpoint:resumeMismatch cka_compare (m, [], ids, "BatchSize", 4, "Resume", ckpt_fixture (d, "shard.mat"), "Progress", false)
## BAD cka_merge | a shard missing
%!error id=cka:input:mergeMismatch cka_merge (cka_compare (m, [], ids, "BatchSize", 4, "Shard", [1 2], "Progress", false))
## BAD cka_merge | the same shard twice
%!error id=cka:input:mergeMismatch cka_merge (ckpt_fixture (d, "shard.mat"), ckpt_fixture (d, "shard.mat"))
## BAD cka_merge | shards of runs over different data
%!error id=cka:input:mergeMismatch cka_merge (ckpt_fixture (d, "shard.mat"), cka_compare (m, [], mod (ids + 1, 50), "BatchSize", 4, "Shard", [2 2], "Progress", false))
## BAD cka_load | file in Octave's text format (function-handle text would run)
%!error id=cka:io:badFormat cka_load (ckpt_fixture (d, "text.mat"))
## BAD cka_load | NaN in the stored HSIC sums
%!error id=cka:io:badFormat cka_load (ckpt_fixture (d, "nan_sums.mat"))
## BAD cka_load | string as the stored HSIC sums
%!error id=cka:io:badFormat cka_load (ckpt_fixture (d, "str_sums.json"))
## BAD cka_load | n_samples not the sum of batch_sizes
%!error id=cka:io:badFormat cka_load (ckpt_fixture (d, "bad_counts.mat"))
## BAD cka_merge | NaN in the HSIC sums
%!error id=cka:input:notAccumulator cka_merge (S, setfield (S, "hsic_xy", NaN))
## BAD cka_merge | HSIC sums of the wrong shape
%!error id=cka:input:notAccumulator cka_merge (S, setfield (S, "hsic_xx", [1 2]))
## BAD cka_update | Inf in the HSIC sums
%!error id=cka:input:notAccumulator cka_update (setfield (S, "hsic_yy", Inf), {X}, {X})
## BAD cka_update | unknown kernel in the stored config
%!error id=cka:input:notAccumulator cka_update (setfield (S, "config", setfield (S.config, "kernel", "poly")), {X}, {X})
## BAD cka_matrix | string as the HSIC sums
%!error id=cka:input:notAccumulator cka_matrix (setfield (S, "hsic_xy", "a"))
## BAD cka_matrix | negative n_batches
%!error id=cka:input:notAccumulator cka_matrix (setfield (S, "n_batches", -1))


## ---- hostile files (json/fifo/ids) ----
## Made by tests/util/hostile_fixture.m; cases that could crash or hang
## before the fix run in a child process in tests/test_hostile_files.m.
## BAD tfm_load | config.json nested 100,000 levels deep
%!error id=cka:json:tooDeep tfm_load (hostile_fixture ("deep_config"))
## BAD tfm_load | config.json that is a FIFO
%!error id=cka:io:notRegularFile tfm_load (hostile_fixture ("fifo_config"))
## BAD tfm_load | config.json with a key repeated as a \u escape
%!error id=cka:json:duplicateKey tfm_load (hostile_fixture ("dup_config"))
## BAD tfm_load | sharded index with a weight_map key repeated as a \u escape
%!error id=cka:json:duplicateKey tfm_load (hostile_fixture ("dup_index"))
## BAD safetensors_info | header nested 100,000 levels deep
%!error id=cka:json:tooDeep safetensors_info (hostile_fixture ("deep_header"))
## BAD safetensors_info | header repeating a field inside one tensor entry
%!error id=cka:json:duplicateKey safetensors_info (hostile_fixture ("dup_field_header"))
## BAD safetensors_info | header repeating a tensor name as a \u escape
%!error id=cka:safetensors:duplicateName safetensors_info (hostile_fixture ("dup_name_header"))
## BAD tfm_tokenizer | vocab.json with id 99999999 (would allocate gigabytes)
%!error id=cka:tokenizer:badVocab tfm_tokenizer (hostile_fixture ("huge_id_vocab"))
## BAD tfm_tokenizer | added_tokens.json with id 99999999
%!error id=cka:tokenizer:badVocab tfm_tokenizer (hostile_fixture ("huge_id_added"))
## BAD tfm_tokenizer | tokenizer.json nested 100,000 levels deep
%!error id=cka:json:tooDeep tfm_tokenizer (hostile_fixture ("deep_tokenizer"))
## BAD tfm_tokenizer | vocab.json with a token repeated as a \u escape
%!error id=cka:json:duplicateKey tfm_tokenizer (hostile_fixture ("dup_vocab"))
## BAD tfm_tokenizer | merges.txt that is a FIFO
%!error id=cka:io:notRegularFile tfm_tokenizer (hostile_fixture ("fifo_merges"))

%!test
%! ## clean up the hostile fixtures (last block of this section)
%! hostile_fixture ("cleanup");

## ---- writers: names, full disk, interrupted saves ----
## BAD cka_save | file name with a NUL character
%!error id=cka:io:cannotWrite cka_save (S, fullfile (d, "r\0.json"))
## BAD cka_save | .mat on a full disk (file size limit 4 KiB; save itself reports nothing)
%!error id=cka:io:cannotWrite run_with_file_limit ("cka_save (setfield (cka_accumulator (200), 'hsic_xy', randn (200)), fullfile (out, 'r.mat'))", 4)
## BAD safetensors_write | file name with a NUL character
%!error id=cka:safetensors:write safetensors_write (fullfile (d, "w\0.safetensors"), {"a"}, {1})
## BAD tfm_save | target that is an existing file, not a folder
%!error id=cka:save:io tfm_save (m, "/dev/null")
## BAD plot_cka_heatmap | folder of File does not exist
%!error id=cka:plot:badFile plot_cka_heatmap (eye (2), "File", fullfile (d, "no-such-folder", "x.png"))
## BAD plot_cka_heatmap | full disk (file size limit 8 KiB; print itself reports nothing)
%!error id=cka:plot:cannotWrite run_with_file_limit ("set (0, 'defaultfigurevisible', 'off'); plot_cka_heatmap (magic (8), 'File', fullfile (out, 'h.png'))", 8)

%!test
%! ## clean up the fixture folder (last block)
%! if (exist (d, "dir"))
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! endif
