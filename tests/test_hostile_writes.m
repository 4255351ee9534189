## Hostile names and labels for every writer, and interrupted saves.
## A file name or label must never reach a shell or a gnuplot command: each
## payload would create a marker file if it ran.  Figures must be written
## under the exact odd name.  An interrupted tfm_save (SIGKILL at random
## moments) must leave config.json and model.safetensors of the same save.

%!function tf = complete_figure (f)
%! fid = fopen (f, "r");  b = fread (fid, Inf, "uint8=>char")';  fclose (fid);
%! [~, ~, ext] = fileparts (f);
%! switch (ext)
%!   case ".png", tf = strcmp (b(end-7:end), ["IEND" char([174 66 96 130])]);
%!   case ".pdf", tf = ! isempty (regexp (b(max(1,end-10):end), '%%EOF\s*$', "once"));
%!   case ".svg", tf = ! isempty (regexp (b(max(1,end-20):end), '</svg>\s*$', "once"));
%! endswitch
%!endfunction

%!function names = odd_names ()
%! ## each would run "touch MARKER" (in the current folder, the test's
%! ## folder) if it reached gnuplot's set output '...' or a shell (Octave's
%! ## movefile runs one)
%! names = {"q'; system('touch MARKER'); '", 'd"$(touch MARKER)"', "b`touch MARKER`", ...
%!          "sp ace", sprintf("nl\nx"), "semi; touch MARKER #"};
%!endfunction

%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! set (0, "defaultfigurevisible", "off");
%! d = tempname ();  mkdir (d);  M = fullfile (d, "MARKER");
%! here = pwd ();  cd (d);
%! unwind_protect
%!   ## the folder part may hold quotes too
%!   sub = fullfile (d, "dir'\"$(touch MARKER)`touch MARKER`");
%!   assert (mkdir (sub));
%!   for where = {d, sub}
%!     for n = odd_names ()
%!       for ext = {".png", ".svg", ".pdf"}
%!         f = fullfile (where{1}, [n{1} ext{1}]);
%!         h = plot_cka_heatmap (eye (3), "File", f, "Visible", false);
%!         close (h);
%!         assert (exist (f, "file") == 2, "figure not written as %s", f);
%!         assert (complete_figure (f), "incomplete figure %s", f);
%!         assert (! exist (M, "file"), "a file name ran a command: %s", f);
%!       endfor
%!     endfor
%!     left = glob (fullfile (where{1}, ".cka-*"));
%!     assert (isempty (left), "temporary files left: %s", strjoin (left', " "));
%!   endfor
%! unwind_protect_cleanup
%!   cd (here);
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect

%!test
%! ## the other writers take the same names (no shell there either)
%! d = tempname ();  mkdir (d);  M = fullfile (d, "MARKER");
%! here = pwd ();  cd (d);
%! unwind_protect
%!   S = cka_update (cka_accumulator (1, 1), {randn(6, 2)}, {randn(6, 2)});
%!   m = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 1, "num_attention_heads", 2, ...
%!                   "intermediate_size", 32, "vocab_size", 40, "Seed", 1);
%!   for n = odd_names ()
%!     f = fullfile (d, n{1});
%!     cka_save (S, [f ".json"]);
%!     cka_save (S, [f ".mat"]);
%!     assert (cka_load ([f ".mat"]).hsic_xy, S.hsic_xy);
%!     safetensors_write ([f ".safetensors"], {"a"}, {single(1:3)});
%!     assert (safetensors_read ([f ".safetensors"], "a"), single (1:3));
%!     tfm_save (m, [f "_model"]);
%!     assert (tfm_load ([f "_model"]).weights, m.weights);
%!     assert (! exist (M, "file"), "a file name ran a command: %s", f);
%!   endfor
%!   assert (isempty (glob (fullfile (d, ".cka-*"))));
%! unwind_protect_cleanup
%!   cd (here);
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect

%!test
%! ## labels, titles and legend entries with quotes, backquotes, newlines
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! set (0, "defaultfigurevisible", "off");
%! d = tempname ();  mkdir (d);  M = fullfile (d, "MARKER");
%! here = pwd ();  cd (d);
%! unwind_protect
%!   bad = {"t`touch MARKER`", 'a" at 0,0; system "touch MARKER"; set label "', ...
%!          "x\nsystem 'touch MARKER'", "q\" ; system(\"touch MARKER\") ; \"\\"};
%!   for ext = {".png", ".svg", ".pdf"}
%!     f = fullfile (d, ["h" ext{1}]);
%!     h = plot_cka_heatmap (magic (4) / 16, "Title", bad{1}, "Layers1", bad, "Layers2", bad(end:-1:1), ...
%!                           "Model1Name", bad{2}, "Model2Name", bad{3}, "File", f);
%!     close (h);
%!     assert (complete_figure (f));
%!     f = fullfile (d, ["t" ext{1}]);
%!     h = plot_cka_trend ({1:3, 3:-1:1}, "Title", bad{2}, "Labels", bad(1:2), "XLabel", bad{4}, "File", f);
%!     close (h);
%!     assert (complete_figure (f));
%!     f = fullfile (d, ["c" ext{1}]);
%!     h = plot_cka_comparison ({eye(2), eye(2)}, bad(1:2), "File", f);
%!     close (h);
%!     assert (complete_figure (f));
%!     assert (! exist (M, "file"), "a label ran a command (%s)", ext{1});
%!   endfor
%!   ## the text is drawn as given
%!   svg = fileread (fullfile (d, "h.svg"));
%!   assert (! isempty (strfind (svg, "t`touch MARKER`")));
%! unwind_protect_cleanup
%!   cd (here);
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect

%!test
%! ## tfm_save killed (SIGKILL) at random moments while it saves over an
%! ## existing model, over and over: the folder always holds the config and
%! ## the weights of one same save (save k: layer_norm_eps = k*1e-6 and
%! ## word_embeddings(1) = k), other files survive, and tfm_load never
%! ## trips over leftovers.
%! d = tempname ();  mkdir (d);  here = pwd ();
%! md = fullfile (d, "model");
%! unwind_protect
%!   setup = ["m = tfm_create ('bert', 'hidden_size', 128, 'num_hidden_layers', 4, " ...
%!            "'num_attention_heads', 2, 'intermediate_size', 512, 'vocab_size', 6000, 'Seed', 1);"];
%!   r = run_in_child (sprintf ("%s tfm_save (m, '%s');", setup, md));
%!   assert (strcmp (r.status, "ok"), "%s", r.output);
%!   fid = fopen (fullfile (md, "vocab.txt"), "w");  fputs (fid, "keep me\n");  fclose (fid);
%!   script = fullfile (d, "saver.m");
%!   fid = fopen (script, "w");
%!   root = fileparts (fileparts (fileparts (file_in_loadpath ("run_in_child.m"))));
%!   bld = getenv ("BUILDDIR");
%!   if (isempty (bld)) bld = root; endif
%!   fprintf (fid, "addpath ('%s', '%s'); warning ('off', 'all');\n%s\n", fullfile (bld, "src"), fullfile (root, "inst"), setup);
%!   fprintf (fid, "k = find (strcmp (m.names, 'embeddings.word_embeddings.weight'));\n");
%!   fprintf (fid, "for s = 1:1000\n  m.config.layer_norm_eps = s * 1e-6;  m.weights{k}(1) = s;\n");
%!   fprintf (fid, "  tfm_save (m, '%s');\nendfor\n", md);
%!   fclose (fid);
%!   octave = fullfile (OCTAVE_HOME (), "bin", "octave-cli");
%!   seen = [];
%!   for t = 1:10
%!     [~, pid] = system (sprintf ("%s --no-gui --no-history --norc --silent %s >>%s/saver.log 2>&1 & echo $!", octave, script, d));
%!     pause (2 + 2.5 * rand ());
%!     system (sprintf ("kill -9 %d; sleep 0.2", str2double (pid)));
%!     m2 = tfm_load (md);
%!     k = find (strcmp (m2.names, "embeddings.word_embeddings.weight"));
%!     s = double (m2.weights{k}(1));
%!     if (s == fix (s) && s >= 1)
%!       assert (m2.config.layer_norm_eps, s * 1e-6, 1e-12);
%!       seen(end+1) = s;
%!     else
%!       assert (m2.config.layer_norm_eps, 1e-12);   # the first save
%!     endif
%!     assert (fileread (fullfile (md, "vocab.txt")), "keep me\n");
%!   endfor
%!   assert (numel (seen) > 0, "no kill happened after a completed save: %s", fileread (fullfile (d, "saver.log")));
%!   ## leftovers are hidden siblings; the next save removes those of dead processes
%!   r = run_in_child (sprintf ("%s tfm_save (m, '%s');", setup, md));
%!   assert (strcmp (r.status, "ok"), "%s", r.output);
%!   assert (isempty (glob (fullfile (d, ".cka-*"))));
%!   x = readdir (md);
%!   assert (sort (x(! ismember (x, {".", ".."})))', {"config.json", "model.safetensors", "vocab.txt"});
%!   printf ("tfm_save killed after saves: %s\n", mat2str (seen));
%! unwind_protect_cleanup
%!   cd (here);
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect
