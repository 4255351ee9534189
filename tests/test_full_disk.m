## Every writer on a real full disk: a small tmpfs filled up by a filler
## file, each writer run in a child octave-cli.  Each must end with its
## identified error, leave no file under the final name (or the old content,
## intact, when it overwrites one), and leave no temporary file.  Octave's
## own save and print report nothing on a full disk, so this checks the
## verification of cka_atomic_write, not only its error paths.  Needs root
## (mount); skipped otherwise.

%!function check_case (code, id, target, old)
%! ## old: [] (no file before), a file's bytes, or "dir" (a model folder)
%! D = small_tmpfs ("mount", 512);
%! unwind_protect
%!   code = strrep (code, "$D", D);
%!   f = fullfile (D, target);
%!   setup = ["set (0, 'defaultfigurevisible', 'off'); " ...
%!            "S = cka_update (cka_accumulator (4, 4), num2cell (randn (20, 4), 1), num2cell (randn (20, 4), 1)); " ...
%!            "m = tfm_create ('bert', 'hidden_size', 32, 'num_hidden_layers', 2, 'num_attention_heads', 2, " ...
%!            "'intermediate_size', 64, 'vocab_size', 300, 'max_position_embeddings', 16, 'Seed', 3);"];
%!   if (ischar (old) && strcmp (old, "dir"))
%!     r = run_in_child (sprintf ("tfm_save (m, '%s')", f), "Setup", setup);
%!     assert (strcmp (r.status, "ok"), "%s", r.output);
%!     before = fileread (fullfile (f, "config.json"));
%!   elseif (! isempty (old))
%!     fid = fopen (f, "w");  fwrite (fid, old);  fclose (fid);
%!   endif
%!   small_tmpfs ("fill", D, 0);
%!   r = assert_child_error (code, id, "Setup", setup, "Timeout", 120);
%!   assert (! isempty (strfind (r.message, target)), "message does not name the file: %s", r.message);
%!   if (ischar (old) && strcmp (old, "dir"))
%!     unlink (fullfile (D, "filler"));
%!     assert (strcmp (fileread (fullfile (f, "config.json")), before), "old config.json damaged");
%!     r = run_in_child (sprintf ("m2 = tfm_load ('%s'); assert (m2.weights, m.weights);", f), "Setup", setup);
%!     assert (strcmp (r.status, "ok"), "%s", r.output);
%!   elseif (isempty (old))
%!     assert (! exist (f, "file"), "a file was left under the final name %s", target);
%!   else
%!     fid = fopen (f, "r");  back = fread (fid, Inf, "uint8=>char")';  fclose (fid);
%!     assert (strcmp (back, old), "the old content of %s was damaged", target);
%!   endif
%!   left = readdir (D);
%!   left = left(! ismember (left, {".", "..", "filler", target}));
%!   assert (isempty (left), "temporary files left: %s", strjoin (left(:)', " "));
%! unwind_protect_cleanup
%!   small_tmpfs ("umount", D);
%! end_unwind_protect
%!endfunction

%!testif ; small_tmpfs ("available")
%! ## cka_save: JSON and .mat (Octave's save writes an empty file silently)
%! check_case ("cka_save (S, '$D/r.json')", "cka:io:cannotWrite", "r.json", []);
%! check_case ("cka_save (S, '$D/r.mat')", "cka:io:cannotWrite", "r.mat", []);
%! check_case ("cka_save (S, '$D/r.mat')", "cka:io:cannotWrite", "r.mat", "old checkpoint bytes");
%! check_case ("cka_save (S, '$D/r.json')", "cka:io:cannotWrite", "r.json", "{\"old\": 1}");

%!testif ; small_tmpfs ("available")
%! ## checkpoints of cka_compare go through cka_save
%! ids = mod ((0:7)' * 7 + (0:5) * 3, 300);
%! code = sprintf ("cka_compare (m, [], %s, 'BatchSize', 4, 'Progress', false, 'Checkpoint', '$D/ck.mat')", mat2str (ids));
%! check_case (code, "cka:io:cannotWrite", "ck.mat", []);
%! check_case (code, "cka:io:cannotWrite", "ck.mat", "old checkpoint");

%!testif ; small_tmpfs ("available")
%! ## safetensors_write and tfm_save (new folder, and over an existing model)
%! check_case ("safetensors_write ('$D/w.safetensors', {'a'}, {randn(300)})", "cka:safetensors:write", "w.safetensors", []);
%! check_case ("safetensors_write ('$D/w.safetensors', {'a'}, {randn(300)})", "cka:safetensors:write", "w.safetensors", "old weights");
%! check_case ("tfm_save (m, '$D/model')", "cka:safetensors:write", "model", []);
%! check_case ("m.config.layer_norm_eps = 1e-5; tfm_save (m, '$D/model')", "cka:safetensors:write", "model", "dir");

%!testif ; small_tmpfs ("available")
%! ## figures: print gives no error on a full disk
%! for ext = {"png", "svg", "pdf"}
%!   f = ["h." ext{1}];
%!   code = sprintf ("plot_cka_heatmap (magic (6) / 36, 'File', '$D/%s')", f);
%!   check_case (code, "cka:plot:cannotWrite", f, []);
%!   check_case (code, "cka:plot:cannotWrite", f, "old figure");
%! endfor
