## Ctrl-C during cka_compare: SIGINT sent to a child octave-cli in the
## middle of a checkpointed run leaves a valid checkpoint holding every
## completed batch, and resuming from it gives the uninterrupted result.

%!test
%! oct = getenv ("OCTAVE");
%! if (isempty (oct)) oct = fullfile (OCTAVE_HOME (), "bin", "octave-cli"); endif
%! root = fileparts (fileparts (fileparts (file_in_loadpath ("fixture_path.m"))));
%! src = fileparts (file_in_loadpath ("__cka_compare_batch__.mex"));
%! d = tempname ();  mkdir (d);
%! ck = fullfile (d, "ck.mat");
%! setup = ["m = tfm_create ('bert', 'hidden_size', 16, 'num_hidden_layers', 2, " ...
%!          "'num_attention_heads', 2, 'intermediate_size', 32, 'vocab_size', 50, " ...
%!          "'max_position_embeddings', 16, 'Seed', 1); ids = mod ((0:399)' * 7 + (0:5) * 3, 50);"];
%! script = fullfile (d, "child.m");
%! fid = fopen (script, "w");
%! fprintf (fid, "addpath ('%s', '%s');\n%s\n", src, fullfile (root, "inst"), setup);
%! fprintf (fid, ["cka_compare (m, [], ids, 'BatchSize', 4, 'Progress', false, " ...
%!                "'Checkpoint', '%s', 'Callback', @(k, t, M) pause (0.1));\n"], ck);
%! fclose (fid);
%! unwind_protect
%!   [~, pid] = system (sprintf ("%s --no-gui --no-history --norc --silent %s > %s 2>&1 & echo $!", ...
%!                               oct, script, fullfile (d, "log")));
%!   pid = str2double (pid);
%!   t0 = tic ();
%!   while (! exist (ck, "file") && toc (t0) < 60)
%!     pause (0.2);
%!   endwhile
%!   pause (1);
%!   system (sprintf ("kill -INT %d", pid));
%!   t0 = tic ();
%!   while (system (sprintf ("kill -0 %d 2>/dev/null", pid)) == 0 && toc (t0) < 60)
%!     pause (0.2);
%!   endwhile
%!   C = cka_load (ck);
%!   k = C.checkpoint_batches;
%!   assert (k >= 1 && k < 100);           # stopped in the middle
%!   assert (C.n_batches, k);
%!   assert (C.n_samples, 4 * k);
%!   assert (C.batch_sizes, 4 * ones (k, 1));
%!   eval (setup);
%!   ref = cka_compare (m, [], ids, "BatchSize", 4, "Progress", false);
%!   R = cka_compare (m, [], ids, "BatchSize", 4, "Progress", false, "Resume", ck);
%!   assert (R.cka, ref.cka, 0);
%!   assert (R.n_batches, 100);
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect
