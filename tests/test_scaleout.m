## Scale-out (issue 18): shards of a cka_compare run ("Shard", [k N]) merge
## with cka_merge into the single-process matrix (bit for bit: the shards'
## per-batch values are added again in the run's order), in any order and through
## files; shards of different runs, twice or missing are refused by name;
## "Workers" runs the shards on local processes (parcellfun) and "Cluster"
## on the servers of a pconnect network (a real octave-pserver started on
## this machine), with checkpoints that survive a lost server; the Slurm
## job-array example of the guide runs its tasks as separate processes.

%!shared m, g, ids, ref, d
%! m = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 3,
%!                 "num_attention_heads", 2, "intermediate_size", 32,
%!                 "vocab_size", 50, "max_position_embeddings", 16, "Seed", 1);
%! g = tfm_create ("gpt2", "n_embd", 16, "n_layer", 2, "n_head", 2,
%!                 "vocab_size", 50, "n_positions", 16, "Seed", 2);
%! ids = mod ((0:41)' * 7 + (0:5) * 3, 50);       # 11 batches of 4, the last of 2
%! ref = cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Progress", false);
%! d = tempname ();  mkdir (d);

%!function P = shards (m, g, ids, N, varargin)
%!  P = cell (1, N);
%!  for k = 1:N
%!    P{k} = cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Progress", false,
%!                        "Shard", [k N], varargin{:});
%!  endfor
%!endfunction

%!test
%! ## N shards in any order = one run; batch k goes to shard 1 + mod (k-1, N)
%! for N = [1 2 4 11 13]
%!   P = shards (m, g, ids, N);
%!   assert (P{1}.kind, "cka_partial");
%!   assert (! isfield (P{1}, "cka"));
%!   assert (P{1}.shard.computed, (1:N:10)');     # batch 11 (n = 2) is dropped
%!   R = cka_merge (P{randperm(N)});
%!   assert (R.kind, "cka_result");
%!   assert (R.cka, ref.cka, 0);                   # bit for bit: the batches re-added in order
%!   assert ([R.hsic_xy(:); R.hsic_xx; R.hsic_yy], [ref.hsic_xy(:); ref.hsic_xx; ref.hsic_yy], 0);
%!   assert (R.batch_sizes, ref.batch_sizes);
%!   assert ([R.n_samples R.n_batches R.n_dropped], [40 10 2]);
%!   assert (R.scale_out.shards, N);
%!   assert (R.layers1, ref.layers1);
%! endfor

%!test
%! ## through files (.mat bit for bit, .json to 15 digits), a cellstr of
%! ## names, and in stages ("Incomplete")
%! P = shards (m, g, ids, 3);
%! f = {fullfile(d, "s1.mat"), fullfile(d, "s2.json"), fullfile(d, "s3.mat")};
%! for k = 1:3
%!   cka_save (P{k}, f{k});
%! endfor
%! R = cka_merge (f);
%! assert (R.cka, ref.cka, 1e-12);                 # .json: 15 significant digits
%! assert (cka_merge (f{3}, P{1}, f{2}).cka, R.cka, 1e-15);
%! H = cka_merge (P{1}, P{3}, "Incomplete", true);
%! assert (H.kind, "cka_partial");
%! assert (H.shard.index, [1 3]);
%! assert (cka_merge (H, P{2}).cka, ref.cka, 0);
%! assert (cka_merge (f{1}, f{3}, P{2}).cka, ref.cka, 0);   # .mat files are exact

%!test
%! ## a crafted or damaged shard file is refused by cka_load / cka_merge,
%! ## naming the field; an edited sum no longer merges with its run
%! P = shards (m, g, ids, 2);
%! f = fullfile (d, "p.json");
%! cka_save (P{1}, f);
%! txt = fileread (f);
%! edits = {'"computed":\[[^\]]*\]', '"computed":[1,2,99]', "shard.computed";
%!          '"index":1', '"index":7', "shard.index";
%!          '"drop_last":true', '"drop_last":"yes"', "provenance.drop_last";
%!          '"kind":"cka_partial"', '"kind":"cka_shard"', "field kind"};
%! for r = 1:rows (edits)
%!   fid = fopen (f, "w");  fputs (fid, regexprep (txt, edits{r,1}, edits{r,2}, "once"));  fclose (fid);
%!   try
%!     cka_merge (f, P{2});
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:io:badFormat", e.message);
%!     assert (! isempty (strfind (e.message, edits{r,3})), e.message);
%!   end_try_catch
%! endfor
%! Q = P{1};  Q.provenance.data(1) = "x";
%! fail ("cka_merge (Q, P{2})", "the data differ");
%! Q = P{1};  Q.batch_hsic(1) += 1;
%! fail ("cka_merge (Q, P{2})", "do not add up to its sums");

%!test
%! ## function-handle data: each shard calls it for every batch and computes
%! ## its own; Data2 and masks go along
%! P = cell (1, 3);
%! for k = 1:3
%!   rows_stream (ids, 4);                 # rewind
%!   P{k} = cka_compare (m, g, @() rows_stream (), "Progress", false, "DropLast", true,
%!                       "Shard", [k 3]);
%! endfor
%! assert (cka_merge (P{:}).cka, ref.cka, 1e-12);
%! assert (cka_merge (P{:}).batch_sizes, ref.batch_sizes);
%! mask = ones (size (ids));  mask(:, end) = 0;
%! r1 = cka_compare (m, [], ids, "BatchSize", 6, "AttentionMask", mask, "Pooling", "mean",
%!                   "Progress", false, "Data2", ids);
%! Q = cell (1, 2);
%! for k = 1:2
%!   Q{k} = cka_compare (m, [], ids, "BatchSize", 6, "AttentionMask", mask, "Pooling", "mean",
%!                       "Progress", false, "Data2", ids, "Shard", [k 2]);
%! endfor
%! assert (cka_merge (Q{:}).cka, r1.cka, 1e-12);

%!test
%! ## shards of another run, twice or missing: refused, naming the problem
%! P = shards (m, g, ids, 4);
%! g2 = g;  g2.weights{end}(1) += 1;
%! other = {cka_compare(m, g2, ids, "BatchSize", 4, "DropLast", true, "Progress", false, "Shard", [2 4]), "model2 weights differ";
%!          cka_compare(m, g, ids(end:-1:1,:), "BatchSize", 4, "DropLast", true, "Progress", false, "Shard", [2 4]), "the data differ";
%!          cka_compare(m, g, ids, "BatchSize", 2, "DropLast", true, "Progress", false, "Shard", [2 4]), "BatchSize differs";
%!          cka_compare(m, g, ids, "BatchSize", 4, "DropLast", true, "Progress", false, "Shard", [2 4], "Kernel", "rbf"), "CKA options differ";
%!          cka_compare(m, g, ids, "BatchSize", 4, "DropLast", true, "Progress", false, "Shard", [2 4], "Layers2", {"h.0"}), "layers differ";
%!          cka_compare(m, g, ids, "BatchSize", 4, "DropLast", true, "Progress", false, "Shard", [2 4], "Pooling", "mean"), "Pooling differs"};
%! for r = 1:rows (other)
%!   try
%!     cka_merge (P{1}, other{r,1}, P{3:4});
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:input:mergeMismatch");
%!     assert (! isempty (strfind (e.message, other{r,2})), e.message);
%!     assert (! isempty (strfind (e.message, "argument 2 (shard 2 of 4)")), e.message);
%!   end_try_catch
%! endfor
%! fail ("cka_merge (P{[1 2 4]})", "shard 3 of 4 is missing");
%! fail ("cka_merge (P{1})", "shards 2, 3, 4 of 4 are missing");
%! fail ("cka_merge (P{[1 2 3 4 2]})", "shard 2 of 4 is given twice \\(argument 2 and argument 5\\)");
%! P3 = shards (m, g, ids, 3);
%! fail ("cka_merge (P{1}, P3{2})", "belongs to a run of 3 shards");
%! fail ("cka_merge (P{1}, ref)", "shards merge only with shards");
%! fail ("cka_merge (ref, ref, 'Incomplete', true)", "applies to shards only");

%!test
%! ## a shard checkpoints and resumes like a whole run
%! f = fullfile (d, "shard2.mat");
%! whole = cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Progress", false,
%!                      "Shard", [2 3]);
%! stop = @(k, total, M) assert (k < 2, "stop at the second batch of the shard");
%! try
%!   cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Progress", false,
%!                "Shard", [2 3], "Checkpoint", f, "Callback", stop);
%!   error ("no error");
%! catch e
%!   assert (! isempty (strfind (e.message, "stop at the second batch")), e.message);
%! end_try_catch
%! C = cka_load (f);
%! assert ([C.n_batches, C.checkpoint.batches], [2 5]);    # batches 2 and 5 of 1..5
%! R = cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Progress", false,
%!                  "Shard", [2 3], "Resume", f);
%! assert (R.hsic_xy, whole.hsic_xy, 0);
%! assert (R.shard.computed, whole.shard.computed);
%! fail ("cka_compare (m, g, ids, 'BatchSize', 4, 'DropLast', true, 'Progress', false, 'Shard', [3 3], 'Resume', f)",
%!       "Shard \\[3 3\\] vs \\[2 3\\]");

%!error <Shard must be \[k N\]> cka_compare (m, [], ids, "Shard", [3 2])
%!error <Shard must be \[k N\]> cka_compare (m, [], ids, "Shard", 1)
%!error <goes with "Workers" or "Cluster"> cka_compare (m, [], ids, "Shards", 4)
%!error <not both> cka_compare (m, [], ids, "Workers", 2, "Cluster", 3, "Progress", false)
%!error <Workers must be a number> cka_compare (m, [], ids, "Workers", 0, "Progress", false)
%!error <Cluster must be the connections> cka_compare (m, [], ids, "Cluster", 3, "Progress", false)
%!error <does not combine> cka_compare (m, [], ids, "Workers", 2, "Shard", [1 2])
%!error id=cka:parallel:badData cka_compare (m, [], @() [], "Workers", 2)
%!error <the last batch \(11 of 11\) would have n = 2> cka_compare (m, [], ids, "BatchSize", 4, "Workers", 2, "Progress", false)

%!test
%! ## intervals, p-values and measures (issue 19) from local workers: those
%! ## of a single process (the bootstrap resamples the per-batch values in
%! ## single-run order; batch k draws the same permutations anywhere)
%! o = {"BatchSize", 4, "DropLast", true, "Progress", false, "Pooling", "mean", ...
%!      "Bootstrap", 100, "Permutations", 49, "Measure", "rsa"};
%! one = cka_compare (m, g, ids, o{:});
%! R = cka_compare (m, g, ids, o{:}, "Workers", 2);
%! assert (R.ci_low, one.ci_low, 1e-12);
%! assert (R.ci_high, one.ci_high, 1e-12);
%! assert (R.p_value, one.p_value);
%! assert (R.rsa, one.rsa, 1e-12);
%! assert (R.n_bootstrap, 100);

%!test
%! ## local workers (parcellfun): the single-process matrix, with the
%! ## models sent or loaded by path; threads per worker
%! R = cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Workers", 2,
%!                  "Progress", false);
%! assert (R.cka, ref.cka, 1e-12);
%! assert (R.batch_sizes, ref.batch_sizes);
%! assert (R.scale_out, struct ("mode", "workers", "shards", 2, "where", "2 local workers"));
%! pm = fullfile (d, "bert");  pg = fullfile (d, "gpt2");
%! tfm_save (m, pm);  tfm_save (g, pg);
%! R = cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Workers", 2,
%!                  "ModelPaths", {pm, pg}, "Shards", 5, "ThreadsPerWorker", 1, "Progress", false);
%! assert (R.cka, ref.cka, 1e-12);
%! assert (R.scale_out.shards, 5);
%! ## a path holding another model is refused, naming it
%! try
%!   cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Workers", 2,
%!                "ModelPaths", {pg, pm}, "Progress", false);
%!   error ("no error");
%! catch e
%!   assert (e.identifier, "cka:parallel:modelMismatch");
%!   assert (! isempty (regexp (e.message, "failed on worker process \\d+: model1 loaded from")), e.message);
%! end_try_catch
%! fail ("cka_compare (m, g, ids, 'Workers', 2, 'ModelPaths', pm, 'DropLast', true, 'Progress', false)",
%!       "ModelPaths must be 2 paths");

%!test
%! ## a failing shard keeps its identifier and names the worker; a
%! ## checkpointed run interrupted after its first wave resumes
%! bad = m;
%! bad.weights{strcmp (bad.names, "encoder.layer.1.output.dense.bias")}(1) = NaN;
%! try
%!   cka_compare (bad, [], ids, "BatchSize", 4, "DropLast", true, "Workers", 2,
%!                "Progress", false);
%!   error ("no error");
%! catch e
%!   assert (e.identifier, "cka:input:nonFinite");
%!   assert (! isempty (regexp (e.message, "shard \\d of 2 failed on worker process")), e.message);
%! end_try_catch
%! f = fullfile (d, "workers.json");
%! stop = @(k, total, M) assert (k < 2, "stop after the first wave");
%! try
%!   cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Workers", 2, "Shards", 4,
%!                "Checkpoint", f, "Callback", stop, "Progress", false);
%!   error ("no error");
%! catch e
%!   assert (! isempty (strfind (e.message, "stop after the first wave")), e.message);
%! end_try_catch
%! C = cka_load (f);
%! assert (C.kind, "cka_partial");
%! assert (C.shard.index, [1 2]);
%! R = cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Workers", 2,
%!                  "Resume", f, "Progress", false);
%! assert (R.cka, ref.cka, 1e-12);
%! assert (R.scale_out.shards, 4);
%! fail ("cka_compare (m, g, ids, 'BatchSize', 8, 'DropLast', true, 'Workers', 2, 'Resume', f, 'Progress', false)",
%!       "BatchSize differs");
%! fail ("cka_compare (m, g, ids, 'BatchSize', 4, 'DropLast', true, 'Workers', 2, 'Resume', f, 'Shards', 3, 'Progress', false)",
%!       "Shards 3 vs 4");

%!test
%! ## progress: one line per wave of shards, readable in a log
%! out = evalc ("cka_compare (m, g, ids, 'BatchSize', 4, 'DropLast', true, 'Workers', 2, 'Shards', 4);");
%! assert (! isempty (strfind (out, "11 batches in 4 shards on 2 local workers")), out);
%! assert (! isempty (strfind (out, "4/4 shards")), out);

%!test
%! ## without the parallel package: a clear error, the rest works
%! r = run_in_child (["pkg ('local_list', tempname ()); pkg ('global_list', tempname ()); " ...
%!                    "m = tfm_create ('gpt2', 'n_embd', 8, 'n_layer', 1, 'n_head', 2, " ...
%!                    "'vocab_size', 20, 'n_positions', 8); " ...
%!                    "cka_compare (m, [], mod (magic (8), 20), 'Workers', 2)"]);
%! assert (r.status, "error", r.output);
%! assert (r.identifier, "cka:parallel:unavailable");
%! assert (! isempty (strfind (r.message, "octave-parallel")), r.message);

%!function kill_after_first_wave (k, S)
%!  if (k == 2)
%!    pserver_local ("stop", S);
%!  endif
%!endfunction

%!test
%! ## a cluster: one octave-pserver on this machine (as an unprivileged
%! ## user), reached through pconnect; netcellfun runs the shards there
%! S = pserver_local ("start");
%! unwind_protect
%!   c = pserver_local ("connect", S);
%!   R = cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Cluster", c,
%!                    "Progress", false);
%!   assert (R.cka, ref.cka, 1e-12);
%!   assert (R.scale_out.mode, "cluster");
%!   assert (R.scale_out.where, "1 server (localhost)");
%!   ## the models loaded by path on the server
%!   pm = fullfile (d, "bert-c");  pg = fullfile (d, "gpt2-c");
%!   tfm_save (m, pm);  tfm_save (g, pg);
%!   system (sprintf ("chmod -R a+rX '%s'", d));
%!   R = cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Cluster", c,
%!                    "ModelPaths", {pm, pg}, "Progress", false);
%!   assert (R.cka, ref.cka, 1e-12);
%!   ## a shard failing on the server names it and keeps its identifier
%!   bad = m;
%!   bad.weights{strcmp (bad.names, "encoder.layer.1.output.dense.bias")}(1) = NaN;
%!   try
%!     cka_compare (bad, [], ids, "BatchSize", 4, "DropLast", true, "Cluster", c,
%!                  "Progress", false);
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:input:nonFinite");
%!     assert (! isempty (strfind (e.message, ["failed on server " gethostname()])), e.message);
%!   end_try_catch
%!   ## the server is lost after the first wave (2 of 8 shards): the
%!   ## checkpoint keeps them, the error names the server, and the run
%!   ## continues on a new server with "Resume"
%!   f = fullfile (d, "cluster.mat");
%!   try
%!     cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Cluster", c,
%!                  "Checkpoint", f, "Progress", false,
%!                  "Callback", @(k, total, M) kill_after_first_wave (k, S));
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:parallel:serverLost");
%!     assert (! isempty (strfind (e.message, "lost server localhost")), e.message);
%!     assert (! isempty (strfind (e.message, "Resume")), e.message);
%!   end_try_catch
%!   C = cka_load (f);
%!   assert (C.shard.index, [1 2]);
%!   assert (C.shard.count, 8);
%!   S = pserver_local ("start");
%!   c = pserver_local ("connect", S);
%!   R = cka_compare (m, g, ids, "BatchSize", 4, "DropLast", true, "Cluster", c,
%!                    "Checkpoint", f, "Resume", f, "Progress", false);
%!   assert (R.cka, ref.cka, 1e-12);
%!   assert (R.scale_out.shards, 8);
%!   sclose (c);
%! unwind_protect_cleanup
%!   pserver_local ("stop", S);
%! end_unwind_protect

%!test
%! ## the Slurm job-array example of the guide: each array task is a
%! ## separate octave-cli process (SLURM_ARRAY_TASK_ID / _COUNT set as
%! ## Slurm sets them), then the merge step; = one process
%! ex = fullfile (fileparts (fileparts (which ("cka_compare"))), "doc", "examples", "slurm");
%! work = fullfile (d, "slurm");  mkdir (work);
%! model = stories260k_path ();
%! sentences = fullfile (work, "sentences.txt");
%! txt = strsplit (strtrim (fileread (fullfile (fileparts (which ("cka_demo_llm")), "data", "austen", "sentences.txt"))), "\n");
%! fid = fopen (sentences, "w");  fprintf (fid, "%s\n", txt{1:40});  fclose (fid);
%! env = sprintf ("CKA_MODEL1='%s' CKA_DATA='%s' CKA_OUT='%s' CKA_BATCH=8 CKA_MAXLEN=32 SLURM_ARRAY_TASK_COUNT=3",
%!                model, sentences, work);
%! for k = 1:3
%!   r = run_in_child (sprintf ("run ('%s')", fullfile (ex, "cka_shard_task.m")),
%!                     "Env", sprintf ("%s SLURM_ARRAY_TASK_ID=%d", env, k), "Timeout", 120);
%!   assert (r.status, "ok", r.output);
%! endfor
%! r = run_in_child (sprintf ("run ('%s')", fullfile (ex, "cka_merge_shards.m")),
%!                   "Env", env, "Timeout", 120);
%! assert (r.status, "ok", r.output);
%! R = cka_load (fullfile (work, "cka-result.mat"));
%! real = tfm_load (model);  real.tokenizer = tfm_tokenizer (model);
%! one = cka_compare (real, [], txt(1:40), "BatchSize", 8, "MaxLength", 32, "Pooling", "mean",
%!                    "Progress", false);
%! assert (R.cka, one.cka, 1e-12);
%! assert (exist (fullfile (work, "cka-heatmap.png"), "file"), 2);

%!test
%! confirm_recursive_rmdir (false, "local");
%! rmdir (d, "s");
