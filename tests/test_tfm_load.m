## Fixture tests of tfm_load / tfm_save on the Hugging Face checkpoints in
## tests/fixtures/models (written by transformers 4.31 save_pretrained, plus
## hand-written hub layouts; see /work/shared/fixtures/README.md).

## independent decoder: raw little-endian bytes of one tensor -> single in
## PyTorch shape (row-major -> column-major by permute), F32/F16/BF16
%!function T = raw_tensor (file, name)
%!  fid = fopen (file, "r");
%!  n = fread (fid, 1, "uint64", 0, "ieee-le");
%!  h = jsondecode (char (fread (fid, n, "char")'), "makeValidName", false);
%!  e = h.(name);
%!  fseek (fid, 8 + n + e.data_offsets(1), "bof");
%!  cnt = prod (e.shape);
%!  switch (e.dtype)
%!    case "F32"
%!      v = single (fread (fid, cnt, "single", 0, "ieee-le"));
%!    case "BF16"
%!      b = uint32 (fread (fid, cnt, "uint16", 0, "ieee-le"));
%!      v = typecast (bitshift (b, 16), "single");
%!    case "F16"
%!      b = double (fread (fid, cnt, "uint16", 0, "ieee-le"));
%!      s = 1 - 2 * (b >= 32768); ex = bitand (floor (b / 1024), 31); m = bitand (b, 1023);
%!      v = s .* ((ex > 0) .* (1 + m / 1024) .* 2 .^ (ex - 15) + (ex == 0) .* m * 2^-24);
%!      v = single (v);
%!  endswitch
%!  fclose (fid);
%!  sh = e.shape(:)';
%!  if (numel (sh) <= 1)
%!    T = v(:);
%!  else
%!    T = permute (reshape (v, fliplr (sh)), numel (sh):-1:1);
%!  endif
%!endfunction

%!function m = load_quiet (name)
%!  warning ("off", "cka:load:unusedTensors", "local");
%!  m = tfm_load (fixture_path ("models", name));
%!endfunction

%!function assert_same_weights (a, b)
%!  assert (a.names, b.names);
%!  for k = 1:numel (a.weights)
%!    assert (class (a.weights{k}), class (b.weights{k}));
%!    assert (any (strcmp (class (a.weights{k}), {"single", "uint16"})));   # 16-bit matrices
%!    assert (size (a.weights{k}), size (b.weights{k}));
%!    bits = merge (isa (a.weights{k}, "single"), "uint32", "uint16");
%!    assert (typecast (a.weights{k}(:), bits), typecast (b.weights{k}(:), bits));
%!  endfor
%!endfunction

%!test
%! m = tfm_load (fixture_path ("models", "bert"));
%! assert (m.arch, "bert");
%! assert (m.name, "bert");
%! assert (numel (m.names), 5 + 16 * 4 + 2);
%! assert (m.names{1}, "embeddings.word_embeddings.weight");
%! assert (m.names{end}, "pooler.dense.bias");
%! assert (m.config.hidden_size, 32);
%! assert (m.config.num_hidden_layers, 4);
%! assert (m.config.layer_norm_eps, 1e-12);
%! assert (size (m.weights{1}), [1000 32]);
%! assert (size (m.weights{4}), [32 1]);
%! k = find (strcmp (m.names, "encoder.layer.1.intermediate.dense.weight"));
%! assert (size (m.weights{k}), [64 32]);
%! f = fixture_path ("models", "bert", "model.safetensors");
%! for k = 1:numel (m.names)
%!   assert (m.weights{k}, raw_tensor (f, m.names{k}));
%! endfor

%!test
%! m = tfm_load (fixture_path ("models", "gpt2"));
%! assert (m.arch, "gpt2");
%! assert (numel (m.names), 2 + 12 * 4 + 2);
%! assert (isempty (m.config.n_inner));
%! assert (m.config.layer_norm_epsilon, 1e-5);
%! k = find (strcmp (m.names, "h.0.attn.c_attn.weight"));
%! assert (size (m.weights{k}), [32 96]);
%! k = find (strcmp (m.names, "h.3.mlp.c_proj.weight"));
%! assert (size (m.weights{k}), [128 32]);
%! f = fixture_path ("models", "gpt2", "model.safetensors");
%! for k = 1:numel (m.names)
%!   assert (m.weights{k}, raw_tensor (f, m.names{k}));
%! endfor

%!test
%! m = tfm_load (fixture_path ("models", "distilbert"));
%! assert (m.arch, "distilbert");
%! assert (numel (m.names), 4 + 16 * 2);
%! assert (m.config.dim, 32);
%! assert (m.config.hidden_dim, 64);
%! f = fixture_path ("models", "distilbert", "model.safetensors");
%! for k = 1:numel (m.names)
%!   assert (m.weights{k}, raw_tensor (f, m.names{k}));
%! endfor

## hub layouts load to exactly the bare model's weights
%!test
%! ref = tfm_load (fixture_path ("models", "bert"));
%! for name = {"bert_sharded", "bert_pretraining", "bert_legacy_gamma_beta"}
%!   m = load_quiet (name{1});
%!   assert (m.arch, "bert");
%!   assert (m.name, name{1});
%!   assert_same_weights (m, ref);
%! endfor
%!test
%! ref = tfm_load (fixture_path ("models", "gpt2"));
%! for name = {"gpt2_lmhead_tied", "gpt2_lmhead", "gpt2_legacy_buffers"}
%!   m = load_quiet (name{1});
%!   assert (m.arch, "gpt2");
%!   assert_same_weights (m, ref);
%! endfor
%!test
%! ref = tfm_load (fixture_path ("models", "distilbert"));
%! m = load_quiet ("distilbert_mlm");
%! assert_same_weights (m, ref);

## warnings: heads listed, buffers silent
%!test
%! lastwarn ("");
%! tfm_load (fixture_path ("models", "gpt2_legacy_buffers"));
%! assert (lastwarn (), "");
%! tfm_load (fixture_path ("models", "gpt2_lmhead_tied"));
%! assert (lastwarn (), "");
%! tfm_load (fixture_path ("models", "bert_pretraining"));
%! [msg, id] = lastwarn ();
%! assert (id, "cka:load:unusedTensors");
%! assert (! isempty (strfind (msg, "cls.seq_relationship.weight")));
%! assert (! isempty (strfind (msg, "cls.predictions.bias")));
%! lastwarn ("");
%! tfm_load (fixture_path ("models", "gpt2_lmhead"));
%! [msg, id] = lastwarn ();
%! assert (id, "cka:load:unusedTensors");
%! assert (! isempty (strfind (msg, "lm_head.weight")));
%! lastwarn ("");
%! tfm_load (fixture_path ("models", "distilbert_mlm"));
%! [msg, id] = lastwarn ();
%! assert (! isempty (strfind (msg, "vocab_projector.bias")));

## F16 / BF16: the exact upcast of the stored values (what HF sees), and
## within half / bfloat16 rounding of the F32 model
%!test
%! ref = tfm_load (fixture_path ("models", "bert"));
%! cases = {"bert_f16", 2^-11; "bert_bf16", 2^-8};
%! for r = 1:rows (cases)
%!   c = cases(r,:);
%!   m = tfm_load (fixture_path ("models", c{1}), "DType", "single");
%!   f = fixture_path ("models", c{1}, "model.safetensors");
%!   assert (m.names, ref.names);
%!   assert (m.dtype, "float32");
%!   for k = 1:numel (m.names)
%!     assert (m.weights{k}, raw_tensor (f, m.names{k}));
%!     w = double (ref.weights{k});
%!     assert (double (m.weights{k}), w, c{2} * abs (w) + 2^-24);
%!   endfor
%! endfor
%!test
%! m = tfm_load (fixture_path ("models", "bert_bf16"), "DType", "single");
%! u = cellfun (@(w) any (bitand (typecast (w(:), "uint32"), uint32 (65535))), m.weights);
%! assert (! any (u));
## By default the matrices of an F16 / BF16 checkpoint stay 16-bit: uint16
## arrays of the stored numbers (transposed into Octave's layout), their
## exact upcast what "single" gives, the vectors single; half the memory
%!test
%! for c = {"bert_f16", "float16"; "bert_bf16", "bfloat16"}'
%!   s = tfm_load (fixture_path ("models", c{1}), "DType", "single");
%!   m = tfm_load (fixture_path ("models", c{1}));
%!   assert (m.dtype, c{2});
%!   bytes = @(w) numel (w) * merge (isa (w, "uint16"), 2, 4);
%!   for k = 1:numel (m.names)
%!     w = m.weights{k};
%!     is_matrix = rows (w) > 1 && columns (w) > 1;
%!     assert (class (w), merge (is_matrix, "uint16", "single"));
%!     assert (tfm_cast (m, m.names{k}), s.weights{k});
%!   endfor
%!   total = @(mm) sum (cellfun (bytes, mm.weights));
%!   assert (total (m) < 0.55 * total (s));
%!   ## asked for bf16 from an f16 file: rounded from the exact float32 values
%!   b = tfm_load (fixture_path ("models", c{1}), "DType", "bfloat16");
%!   assert (b.dtype, "bfloat16");
%!   assert (b.weights, tfm_cast (s, "bfloat16").weights);
%! endfor
%!test
%! m = tfm_load (fixture_path ("models", "bert"), "DType", "bf16");
%! assert (m.dtype, "bfloat16");
%! assert (m.weights, tfm_cast (tfm_load (fixture_path ("models", "bert")), "bfloat16").weights);
%!error <DType must be> tfm_load (fixture_path ("models", "bert"), "DType", "int8")

## a .safetensors file or an index file as PATH
%!test
%! ref = tfm_load (fixture_path ("models", "bert"));
%! m = tfm_load (fixture_path ("models", "bert", "model.safetensors"));
%! assert_same_weights (m, ref);
%! m = tfm_load (fixture_path ("models", "bert_sharded", "model.safetensors.index.json"));
%! assert_same_weights (m, ref);
%! m = tfm_load (fixture_path ("models", "bert", "model.safetensors"), "Config", ...
%!               fixture_path ("models", "bert", "config.json"));
%! assert_same_weights (m, ref);

## round trip through tfm_save: bit-exact weights, same config
%!test
%! names = {"bert", "gpt2", "distilbert", "bert_f16", "bert_bf16", "bert_sharded", ...
%!          "bert_pretraining", "bert_legacy_gamma_beta", "gpt2_lmhead_tied", ...
%!          "gpt2_lmhead", "gpt2_legacy_buffers", "distilbert_mlm"};
%! d = tempname ();
%! unwind_protect
%!   for k = 1:numel (names)
%!     m = load_quiet (names{k});
%!     out = fullfile (d, names{k});
%!     tfm_save (m, out);
%!     m2 = tfm_load (out);
%!     assert (m2.arch, m.arch);
%!     assert (m2.name, names{k});
%!     assert_same_weights (m2, m);
%!     f = fieldnames (m.config);
%!     for j = 1:numel (f)
%!       if (! any (strcmp (f{j}, {"architectures", "torch_dtype"})))
%!         assert (m2.config.(f{j}), m.config.(f{j}));
%!       endif
%!     endfor
%!     ## header exactly as the HF writer: format pt, sorted names, 8-aligned
%!     [n, s, t, meta] = safetensors_info (fullfile (out, "model.safetensors"));
%!     assert (meta, struct ("format", "pt"));
%!     assert (n, sort (m.names));
%!     ## in the model's own type: F32, or the F16 / BF16 it was loaded from
%!     types = struct ("float32", "F32", "float16", "F16", "bfloat16", "BF16");
%!     assert (all (strcmp (t, types.(m.dtype))));
%!   endfor
%!   ## BF16 save of the BF16 model is lossless too
%!   m = tfm_load (fixture_path ("models", "bert_bf16"));
%!   tfm_save (m, fullfile (d, "b16"), "Dtype", "bf16");
%!   assert_same_weights (tfm_load (fullfile (d, "b16")), m);
%!   assert (safetensors_read (fullfile (d, "b16", "model.safetensors"), "pooler.dense.bias"), ...
%!           safetensors_read (fixture_path ("models", "bert_bf16", "model.safetensors"), "pooler.dense.bias"));
%!   m = tfm_load (fixture_path ("models", "bert_f16"));
%!   tfm_save (m, fullfile (d, "f16"), "Dtype", "f16");
%!   assert_same_weights (tfm_load (fullfile (d, "f16")), m);
%!   ## the F16 file is byte-identical in its data to the fixture's
%!   [~, ~, t] = safetensors_info (fullfile (d, "f16", "model.safetensors"));
%!   assert (all (strcmp (t, "F16")));
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   if (isfolder (d)) rmdir (d, "s"); endif
%! end_unwind_protect

## the HF-written fixture file and ours: same header text and bytes
%!test
%! d = tempname ();
%! unwind_protect
%!   m = tfm_load (fixture_path ("models", "bert"));
%!   tfm_save (m, d);
%!   a = fileread (fixture_path ("models", "bert", "model.safetensors"));
%!   b = fileread (fullfile (d, "model.safetensors"));
%!   assert (b, a);
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   if (isfolder (d)) rmdir (d, "s"); endif
%! end_unwind_protect

## a BERT head checkpoint without pooler (e.g. BertForMaskedLM): loads
## without pooler, with a warning, and saves / reloads that way
%!test
%! d = tempname ();
%! unwind_protect
%!   mkdir (d);
%!   copyfile (fixture_path ("models", "bert", "config.json"), d);
%!   [C, n] = safetensors_read (fixture_path ("models", "bert", "model.safetensors"));
%!   keep = cellfun (@isempty, regexp (n, '^pooler'));
%!   safetensors_write (fullfile (d, "model.safetensors"), strcat ("bert.", n(keep)), C(keep));
%!   lastwarn ("");
%!   m = tfm_load ([d "/"]);
%!   [~, id] = lastwarn ();
%!   assert (id, "cka:load:noPooler");
%!   assert (numel (m.names), 69);
%!   assert (! any (strncmp (m.names, "pooler", 6)));
%!   [~, b] = fileparts (d);
%!   assert (m.name, b);
%!   ref = tfm_load (fixture_path ("models", "bert"));
%!   assert (m.weights, ref.weights(1:69));
%!   tfm_save (m, fullfile (d, "out"));
%!   warning ("off", "cka:load:noPooler", "local");
%!   m2 = tfm_load (fullfile (d, "out"));
%!   assert (m2.names, m.names);
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   if (isfolder (d)) rmdir (d, "s"); endif
%! end_unwind_protect

## __metadata__ aliases of the conversion bot: the embedding matrix stored
## only under its tied head name
%!test
%! d = tempname ();
%! unwind_protect
%!   mkdir (d);
%!   copyfile (fixture_path ("models", "gpt2", "config.json"), d);
%!   [C, n] = safetensors_read (fixture_path ("models", "gpt2", "model.safetensors"));
%!   n = strcat ("transformer.", n);
%!   n{strcmp (n, "transformer.wte.weight")} = "lm_head.weight";
%!   safetensors_write (fullfile (d, "model.safetensors"), n, C, ...
%!                      "Metadata", struct ("transformer.wte.weight", "lm_head.weight"));
%!   lastwarn ("");
%!   m = tfm_load (d);
%!   assert (lastwarn (), "");
%!   ref = tfm_load (fixture_path ("models", "gpt2"));
%!   assert (m.weights, ref.weights);
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   if (isfolder (d)) rmdir (d, "s"); endif
%! end_unwind_protect

## architecture from "architectures" when model_type is absent
%!test
%! c = jsondecode (fileread (fixture_path ("models", "distilbert", "config.json")));
%! c = rmfield (c, "model_type");
%! m = tfm_load (fixture_path ("models", "distilbert", "model.safetensors"), "Config", c);
%! assert (m.arch, "distilbert");

## saving over a sharded checkpoint replaces it
%!test
%! d = tempname ();
%! unwind_protect
%!   mkdir (d);
%!   copyfile (fixture_path ("models", "bert_sharded", "*"), d);
%!   m = tfm_load (d);
%!   tfm_save (m, d);
%!   assert (! exist (fullfile (d, "model.safetensors.index.json"), "file"));
%!   assert (isempty (glob (fullfile (d, "model-*.safetensors"))));
%!   f = dir (d);
%!   assert (sort ({f(! [f.isdir]).name}), {"config.json", "model.safetensors"});
%!   assert_same_weights (tfm_load (d), m);
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   if (isfolder (d)) rmdir (d, "s"); endif
%! end_unwind_protect
