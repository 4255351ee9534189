## Checkpoints of cka_compare: a failed batch is never counted, a resume
## gives exactly the uninterrupted result, a checkpoint states what its
## sums contain and a resume refuses anything else
## (cka:checkpoint:resumeMismatch, naming what differs), and checkpoint /
## result files are read without running code.

%!shared m, g, ids, d
%! m = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 2,
%!                 "num_attention_heads", 2, "intermediate_size", 32,
%!                 "vocab_size", 50, "max_position_embeddings", 16, "Seed", 1);
%! g = tfm_create ("gpt2", "n_embd", 16, "n_layer", 2, "n_head", 2,
%!                 "vocab_size", 50, "n_positions", 16, "Seed", 2);
%! ids = mod ((0:31)' * 7 + (0:5) * 3, 50);
%! d = tempname ();  mkdir (d);

%!test
%! ## a bad id in batch 3 of matrix data fails before the first forward
%! ## (all the data is checked against both models up front), naming its
%! ## row: nothing is computed, no checkpoint is written; a batch that fails
%! ## during the run is not counted (function-handle data, next test)
%! bad = ids;  bad(21,1) = 99;
%! for ext = {".mat", ".json"}
%!   f = fullfile (d, ["badid" ext{1}]);
%!   t0 = tic ();
%!   try
%!     cka_compare (m, g, bad, "BatchSize", 8, "Progress", false, "Checkpoint", f);
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:input:tokenOutOfRange");
%!     assert (! isempty (strfind (e.message, "input_ids(21,1) = 99")), e.message);
%!   end_try_catch
%!   assert (! exist (f, "file"));
%!   ## an id valid for BERT (vocab 50) but not for... both have 50: the
%!   ## smaller vocabulary of the two models is the bound
%!   g2 = tfm_create ("gpt2", "n_embd", 16, "n_layer", 1, "n_head", 2,
%!                    "vocab_size", 40, "n_positions", 16, "Seed", 2);
%!   fail ("cka_compare (m, g2, mod (ids, 50), 'Progress', false)", "outside \\[0, vocab_size\\) = \\[0, 40\\)");
%! endfor

%!test
%! ## DropLast: a dropped batch is counted as consumed (not in the sums), a
%! ## failing batch after it is not; function-handle data is replayed
%! pdir = fullfile (d, "gen");  mkdir (pdir);
%! fid = fopen (fullfile (pdir, "ckpt_test_gen.m"), "w");
%! fputs (fid, ["function b = ckpt_test_gen (ids, sizes, fail_at)\n" ...
%!              "  global CKPT_TEST_K\n  CKPT_TEST_K++;\n  b = [];\n" ...
%!              "  if (CKPT_TEST_K > numel (sizes)) return; endif\n" ...
%!              "  if (CKPT_TEST_K == fail_at) error ('test:fail', 'batch %d fails', CKPT_TEST_K); endif\n" ...
%!              "  r = sum (sizes(1:CKPT_TEST_K-1)) + (1:sizes(CKPT_TEST_K));\n" ...
%!              "  b = struct ('input_ids', ids(r,:), 'attention_mask', ones (numel (r), columns (ids)));\n" ...
%!              "endfunction\n"]);
%! fclose (fid);
%! addpath (pdir);
%! unwind_protect
%!   global CKPT_TEST_K
%!   sizes = [8 2 8 6 8];
%!   f = fullfile (d, "drop.mat");
%!   CKPT_TEST_K = 0;
%!   ref = cka_compare (m, [], @() ckpt_test_gen (ids, sizes, 0), "Progress", false, "DropLast", true);
%!   assert (ref.n_dropped, 2);
%!   assert (ref.batch_sizes, [8; 8; 6; 8]);
%!   CKPT_TEST_K = 0;
%!   try
%!     cka_compare (m, [], @() ckpt_test_gen (ids, sizes, 4), "Progress", false, ...
%!                  "DropLast", true, "Checkpoint", f);
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "test:fail");
%!   end_try_catch
%!   C = cka_load (f);
%!   assert (C.checkpoint.batches, 3);
%!   assert (C.checkpoint.dropped_batches, 1);
%!   assert (C.checkpoint.dropped_samples, 2);
%!   assert (C.batch_sizes, [8; 8]);
%!   CKPT_TEST_K = 0;
%!   R = cka_compare (m, [], @() ckpt_test_gen (ids, sizes, 0), "Progress", false, ...
%!                    "DropLast", true, "Resume", f);
%!   assert (R.cka, ref.cka, 0);
%!   assert (R.batch_sizes, ref.batch_sizes);
%!   assert (R.n_dropped, 2);
%!   ## other data from the function: named batch
%!   CKPT_TEST_K = 0;
%!   sizes2 = [8 2 7 6 8];
%!   try
%!     cka_compare (m, [], @() ckpt_test_gen (ids, sizes2, 0), "Progress", false, ...
%!                  "DropLast", true, "Resume", f);
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:checkpoint:resumeMismatch");
%!     assert (! isempty (strfind (e.message, "data of batch 3 differs")), e.message);
%!   end_try_catch
%! unwind_protect_cleanup
%!   rmpath (pdir);
%!   clear -global CKPT_TEST_K
%! end_unwind_protect

%!test
%! ## a resume refuses any difference, naming it
%! f = fullfile (d, "ck.mat");
%! stop = @(k, t, M) assert (k < 2, "stop");
%! try
%!   cka_compare (m, g, ids, "BatchSize", 8, "Progress", false, "Checkpoint", f, "Callback", stop);
%! catch
%! end_try_catch
%! assert (cka_load (f).checkpoint.batches, 2);
%! m_w = m;  m_w.weights{7}(3) += 1e-3;
%! m_c = m;  m_c.config.layer_norm_eps = 1e-5;
%! g_w = g;  g_w.weights{end}(1) += 1;
%! ids_2 = ids;  ids_2(12, 3) = mod (ids_2(12, 3) + 1, 50);
%! mk = ones (size (ids));  mk(:, end) = 0;
%! run = @(varargin) cka_compare (varargin{:}, "Progress", false, "Resume", f);
%! cases = {{m_w, g, ids, "BatchSize", 8}, "model1 weights differ";
%!          {m_c, g, ids, "BatchSize", 8}, "model1 differs (architecture, config";
%!          {m, g_w, ids, "BatchSize", 8}, "model2 weights differ";
%!          {m, [], ids, "BatchSize", 8}, "one model with itself";
%!          {m, g, ids, "BatchSize", 4}, "BatchSize 4 vs 8";
%!          {m, g, ids, "BatchSize", 8, "Pooling", "mean"}, "Pooling mean vs flatten";
%!          {m, g, ids, "BatchSize", 8, "Kernel", "rbf"}, "CKA option kernel differs";
%!          {m, g, ids, "BatchSize", 8, "Layers1", {"encoder.layer.1"}}, "other layers1";
%!          {m, g, ids, "BatchSize", 8, "DropLast", true}, "DropLast true vs false";
%!          {m, g, ids, "BatchSize", 8, "IgnoreMask", true}, "IgnoreMask true vs false";
%!          {m, g, ids_2, "BatchSize", 8}, "data of batch 2 differs";
%!          {m, g, ids, "BatchSize", 8, "AttentionMask", mk}, "data of batch 1 differs";
%!          {m, g, ids, "BatchSize", 8, "Data2", ids}, "Data2 given true vs false";
%!          {m, g, ids(1:8,:), "BatchSize", 8}, "holds 2 batches but the data only 1"};
%! for k = 1:rows (cases)
%!   try
%!     run (cases{k,1}{:});
%!     error ("no error for case %d", k);
%!   catch e
%!     assert (e.identifier, "cka:checkpoint:resumeMismatch");
%!     if (isempty (strfind (e.message, cases{k,2})))
%!       error ("case %d: wrong message: %s", k, e.message);
%!     endif
%!   end_try_catch
%! endfor
%! ## the same run resumes
%! R = run (m, g, ids, "BatchSize", 8);
%! assert (R.n_batches, 4);

%!test
%! ## hand edits of a checkpoint are refused
%! f = fullfile (d, "edit.mat");
%! stop = @(k, t, M) assert (k < 2, "stop");
%! try
%!   cka_compare (m, [], ids, "BatchSize", 8, "Progress", false, "Checkpoint", f, "Callback", stop);
%! catch
%! end_try_catch
%! C = cka_load (f);
%! edits = {@(R) setfield (R, "checkpoint", setfield (R.checkpoint, "batches", 3)), ...
%!          "batch count edited: sums hold 2 batches (+ 0 dropped), header says 3";
%!          @(R) setfield (R, "hsic_xy", R.hsic_xy * 2), "sums or counts were edited";
%!          @(R) setfield (setfield (setfield (R, "batch_sizes", [8; 7]), "n_samples", 15), ...
%!                         "hsic_xx", R.hsic_xx), "sums or counts were edited";
%!          @(R) setfield (R, "checkpoint", setfield (R.checkpoint, "data", R.checkpoint.data(1:16))), ...
%!          "data fingerprints do not match";
%!          @(R) setfield (R, "checkpoint", setfield (R.checkpoint, "version", 1)), ...
%!          "unknown checkpoint format version";
%!          @(R) rmfield (R, "checkpoint"), "not a checkpoint written by cka_compare";
%!          @(R) setfield (R, "checkpoint", setfield (R.checkpoint, "batch_size", "8")), ...
%!          "batch_size must be a non-negative integer"};
%! for k = 1:rows (edits)
%!   R = edits{k,1} (C);
%!   save ("-v7", f, "R");
%!   try
%!     cka_compare (m, [], ids, "BatchSize", 8, "Progress", false, "Resume", f);
%!     error ("no error for edit %d", k);
%!   catch e
%!     assert (e.identifier, "cka:checkpoint:resumeMismatch");
%!     if (isempty (strfind (e.message, edits{k,2})))
%!       error ("edit %d: wrong message: %s", k, e.message);
%!     endif
%!   end_try_catch
%! endfor
%! ## an edited count that breaks the sums' own consistency: badFormat
%! R = setfield (C, "n_batches", 3);
%! save ("-v7", f, "R");
%! fail ('cka_compare (m, [], ids, "BatchSize", 8, "Progress", false, "Resume", f)', ...
%!       "n_batches is 3 but batch_sizes lists 2");

%!test
%! ## a JSON checkpoint: header round-trips, resume is exact to 1e-12
%! f = fullfile (d, "ck.json");
%! ref = cka_compare (m, [], ids, "BatchSize", 4, "Progress", false, "Pooling", "mean");
%! stop = @(k, t, M) assert (k < 5, "stop");
%! try
%!   cka_compare (m, [], ids, "BatchSize", 4, "Progress", false, "Pooling", "mean", ...
%!                "Checkpoint", f, "Callback", stop);
%! catch
%! end_try_catch
%! C = cka_load (f);
%! assert (C.checkpoint.batches, 5);
%! assert (numel (C.checkpoint.data), 80);
%! R = cka_compare (m, [], ids, "BatchSize", 4, "Progress", false, "Pooling", "mean", "Resume", f);
%! assert (R.cka, ref.cka, 1e-12);
%! txt = strrep (fileread (f), C.checkpoint.data(20:23), "0000");
%! fid = fopen (f, "w");  fputs (fid, txt);  fclose (fid);
%! fail ('cka_compare (m, [], ids, "BatchSize", 4, "Progress", false, "Pooling", "mean", "Resume", f)', ...
%!       "data of batch 2 differs");

%!test
%! ## sparse, NaN and fractional inputs reach no model (cka_compare, also
%! ## from a function handle)
%! mk = ones (size (ids));
%! fail ("cka_compare (m, [], sparse (ids), 'Progress', false)", "sparse");
%! fail ("cka_compare (m, [], ids, 'AttentionMask', sparse (mk), 'Progress', false)", "sparse");
%! nanmk = mk;  nanmk(5, 2) = NaN;
%! fail ("cka_compare (m, [], ids, 'AttentionMask', nanmk, 'Progress', false)", "attention_mask\\(5,2\\) = nan; an attention mask holds only 0");
%! halfmk = mk;  halfmk(5, 2) = 0.5;
%! fail ("cka_compare (m, [], ids, 'AttentionMask', halfmk, 'Progress', false)", "attention_mask\\(5,2\\) = 0.5; an attention mask holds only 0");
%! S = struct ("input_ids", ids, "token_type_ids", [NaN(32, 1) zeros(32, 5)]);
%! fail ("cka_compare (m, [], S, 'Progress', false)", "data: token_type_ids\\(1,1\\) = nan is not an integer");
%! ## a NaN mask ignored with IgnoreMask is not an error
%! R = cka_compare (m, [], ids, "AttentionMask", nanmk, "IgnoreMask", true, "Progress", false);
%! assert (R.n_samples, 32);
%! h = @() struct ("input_ids", ids(1:8,:), "attention_mask", nanmk(1:8,:));
%! try
%!   cka_compare (m, [], h, "Progress", false);
%!   error ("no error");
%! catch e
%!   assert (e.identifier, "cka:input:badMask");
%! end_try_catch
%! h = @() struct ("input_ids", sparse (ids(1:8,:)));
%! fail ("cka_compare (m, [], h, 'Progress', false)", "sparse");
%! h = @() struct ("input_ids", zeros (0, 6));
%! try
%!   cka_compare (m, [], h, "Progress", false);
%!   error ("no error");
%! catch e
%!   assert (e.identifier, "cka:input:emptyInput");
%! end_try_catch
%! h = @() struct ("input_ids", ids(1:8,:), "attention_mask", ones (8, 5));
%! fail ("cka_compare (m, [], h, 'Progress', false)", "data: attention_mask must have the size of data: input_ids \\[8 6\\]");
%! ## a logical or integer mask gives the numbers of a double one
%! mk(:, end) = 0;
%! R1 = cka_compare (m, [], ids, "AttentionMask", mk, "Progress", false);
%! R2 = cka_compare (m, [], int32 (ids), "AttentionMask", logical (mk), "Progress", false);
%! assert (R2.cka, R1.cka, 0);
%! ## the C reader refuses them too when called directly
%! b = struct ("ids", sparse (ids(1:8,:)), "mask", [], "tt", []);
%! L = {"encoder.layer.0"};
%! io = struct ("kernel", 0, "sigma", NaN, "unbiased", 1, "epsilon", 1e-6, "single", 0);
%! fail ("__cka_compare_batch__ (m, [], b, [], L, L, 'flatten', io)", "sparse");
%! b = struct ("ids", ids(1:8,:), "mask", nanmk(1:8,:), "tt", []);
%! fail ("__cka_compare_batch__ (m, [], b, [], L, L, 'flatten', io)", "only 0");

%!test
%! ## a results file or checkpoint in Octave's text format runs no code:
%! ## plain load() would evaluate the function-handle text at load time
%! marker = fullfile (d, "marker");
%! payload = sprintf ("{system('touch %s'), @() 1}{2}", marker);
%! txt = sprintf (["# Created by Octave 7.3.0\n# name: R\n# type: scalar struct\n" ...
%!                 "# ndims: 2\n 1 1\n# length: 1\n# name: a\n# type: function handle\n" ...
%!                 "@<anonymous>\n%s\n\n\n"], payload);
%! for ext = {".mat", ".ckpt"}
%!   f = fullfile (d, ["evil" ext{1}]);
%!   fid = fopen (f, "w");  fputs (fid, txt);  fclose (fid);
%!   ## the hole is real: auto-detecting load runs the payload
%!   r = run_in_child (sprintf ("load ('%s');", f));
%!   assert (exist (marker, "file") == 2, "plain load did not run the payload");
%!   unlink (marker);
%!   assert_child_error (sprintf ("cka_load ('%s');", f), "cka:io:badFormat");
%!   assert (! exist (marker, "file"));
%!   code = sprintf (["m = tfm_create ('bert', 'hidden_size', 16, 'num_hidden_layers', 1, " ...
%!                    "'num_attention_heads', 2, 'intermediate_size', 32, 'vocab_size', 50); " ...
%!                    "cka_compare (m, [], mod ((0:7)' * 7 + (0:5), 50), 'Progress', false, " ...
%!                    "'Resume', '%s');"], f);
%!   assert_child_error (code, "cka:io:badFormat");
%!   assert (! exist (marker, "file"));
%! endfor

%!test
%! ## the fingerprint is cheap, deterministic and sensitive to one ulp
%! h1 = __cka_hash__ ({m.arch, m.config, m.names, m.weights});
%! assert (h1, __cka_hash__ ({m.arch, m.config, m.names, m.weights}));
%! assert (numel (h1), 16);
%! m2 = m;  m2.weights{4}(2) = m2.weights{4}(2) + eps (m2.weights{4}(2));
%! assert (! strcmp (h1, __cka_hash__ ({m2.arch, m2.config, m2.names, m2.weights})));
%! assert (! strcmp (__cka_hash__ (int8 (1)), __cka_hash__ (uint8 (1))));
%! assert (! strcmp (__cka_hash__ ([1 2]), __cka_hash__ ([1; 2])));
%! assert (__cka_hash__ (struct ("a", 1, "b", 2)), __cka_hash__ (struct ("b", 2, "a", 1)));
%! fail ("__cka_hash__ (sparse (1))", "sparse");
%! fail ("__cka_hash__ (@sin)", "cannot be fingerprinted");

%!test
%! ## clean up (last block)
%! confirm_recursive_rmdir (false, "local");
%! rmdir (d, "s");

%!test
%! ## bookkeeping of a resumed run with DropLast: the same n_dropped and
%! ## n_samples as the uninterrupted run (issue 20, item 10)
%! m = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 2, "num_attention_heads", 2,
%!                 "intermediate_size", 32, "vocab_size", 50, "Seed", 1);
%! ids = mod ((0:13)' * 7 + (0:4) * 3, 50);
%! f = [tempname() ".mat"];
%! unwind_protect
%!   R = cka_compare (m, [], ids, "BatchSize", 4, "DropLast", true, "Progress", false);
%!   try
%!     cka_compare (m, [], ids, "BatchSize", 4, "DropLast", true, "Progress", false,
%!                  "Checkpoint", f, "Callback", @(k, t, M) assert (k < 2));
%!   catch
%!   end_try_catch
%!   R2 = cka_compare (m, [], ids, "BatchSize", 4, "DropLast", true, "Progress", false,
%!                     "Resume", f);
%!   assert ([R2.n_dropped, R2.n_samples, R2.n_batches], [R.n_dropped, R.n_samples, R.n_batches]);
%!   assert (R.n_dropped, 2);
%!   assert (R2.cka, R.cka, 1e-12);
%! unwind_protect_cleanup
%!   if (exist (f, "file"))
%!     unlink (f);
%!   endif
%! end_unwind_protect
