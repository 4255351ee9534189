## Ctrl-C during cka_compare: SIGINT sent to a child octave-cli in the
## middle of a checkpointed run leaves a valid checkpoint holding every
## completed batch and no other (sums and count agree, whatever instruction
## the interrupt hit), and resuming from it gives the uninterrupted result
## bit for bit.  Several tries at random moments: most land inside a
## batch's forward pass, where a count taken before the sums lost a batch.

%!function [C, log] = interrupted_run (setup, run, ck, delay)
%!  oct = getenv ("OCTAVE");
%!  if (isempty (oct)) oct = fullfile (OCTAVE_HOME (), "bin", "octave-cli"); endif
%!  root = fileparts (fileparts (fileparts (file_in_loadpath ("fixture_path.m"))));
%!  src = fileparts (file_in_loadpath ("__cka_compare_batch__.mex"));
%!  d = fileparts (ck);
%!  script = fullfile (d, "child.m");
%!  fid = fopen (script, "w");
%!  fprintf (fid, "addpath ('%s', '%s');\n%s\n%s\n", src, fullfile (root, "inst"), setup, run);
%!  fclose (fid);
%!  logf = fullfile (d, "log");
%!  [~, pid] = system (sprintf ("%s --no-gui --no-history --norc --silent %s > %s 2>&1 & echo $!", ...
%!                              oct, script, logf));
%!  pid = str2double (pid);
%!  t0 = tic ();
%!  while (! exist (ck, "file") && toc (t0) < 60)
%!    pause (0.05);
%!  endwhile
%!  pause (delay);
%!  system (sprintf ("kill -INT %d", pid));
%!  t0 = tic ();
%!  while (system (sprintf ("kill -0 %d 2>/dev/null", pid)) == 0 && toc (t0) < 60)
%!    pause (0.1);
%!  endwhile
%!  log = fileread (logf);
%!  C = cka_load (ck);

%!test
%! ## a slow callback: the interrupt lands in pause ()
%! d = tempname ();  mkdir (d);
%! ck = fullfile (d, "ck.mat");
%! setup = ["m = tfm_create ('bert', 'hidden_size', 16, 'num_hidden_layers', 2, " ...
%!          "'num_attention_heads', 2, 'intermediate_size', 32, 'vocab_size', 50, " ...
%!          "'max_position_embeddings', 16, 'Seed', 1); ids = mod ((0:399)' * 7 + (0:5) * 3, 50);"];
%! run = sprintf (["cka_compare (m, [], ids, 'BatchSize', 4, 'Progress', false, " ...
%!                 "'Checkpoint', '%s', 'Callback', @(k, t, M) pause (0.1));"], ck);
%! unwind_protect
%!   C = interrupted_run (setup, run, ck, 1);
%!   k = C.checkpoint.batches;
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

%!test
%! ## no callback, 600 batches of a few ms (2-3 s in all, longer on a busy
%! ## machine): interrupts at random moments land in
%! ## the forward passes, in the checkpoint writes, between statements
%! d = tempname ();  mkdir (d);
%! ck = fullfile (d, "ck.mat");
%! setup = ["m = tfm_create ('bert', 'hidden_size', 64, 'num_hidden_layers', 4, " ...
%!          "'num_attention_heads', 4, 'intermediate_size', 128, 'vocab_size', 50, " ...
%!          "'max_position_embeddings', 32, 'Seed', 1); " ...
%!          "ids = mod ((0:9599)' * 7 + (0:23) * 3, 50);"];
%! run = sprintf (["cka_compare (m, [], ids, 'BatchSize', 16, 'Progress', false, " ...
%!                 "'Checkpoint', '%s', 'CheckpointEvery', 3);"], ck);
%! eval (setup);
%! ref = cka_compare (m, [], ids, "BatchSize", 16, "Progress", false);
%! rand ("seed", 7);
%! unwind_protect
%!   stopped = 0;
%!   for t = 1:4
%!     if (exist (ck, "file")) unlink (ck); endif
%!     [C, log] = interrupted_run (setup, run, ck, 0.1 + 0.8 * rand ());
%!     k = C.checkpoint.batches;
%!     assert (k >= 1 && k <= 600);
%!     stopped += (k < 600);
%!     ## sums and count agree: no batch counted without its sums
%!     assert (C.n_batches, k);
%!     assert (C.n_samples, 16 * k);
%!     assert (C.batch_sizes, 16 * ones (k, 1));
%!     assert (numel (C.checkpoint.data), 16 * k);
%!     R = cka_compare (m, [], ids, "BatchSize", 16, "Progress", false, "Resume", ck);
%!     assert (R.cka, ref.cka, 0);
%!     assert (R.hsic_xy, ref.hsic_xy, 0);
%!     assert (R.n_batches, 600);
%!     assert (R.n_samples, 9600);
%!   endfor
%!   assert (stopped >= 2);                 # most tries stopped mid-run
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect
