## -*- texinfo -*-
## @deftypefn {} {} run_with_file_limit (@var{code}, @var{kib})
## Run @var{code} in a fresh octave-cli whose file size limit is @var{kib}
## KiB (@code{ulimit -f}, SIGXFSZ ignored so writes fail with EFBIG: a full
## disk as the program sees it), with the package on the path, @code{m}, a
## small BERT, and @code{out}, an empty output folder, defined; re-raise the
## child's error with its identifier here (test helper for the full-disk
## rows of doc/bad-inputs.md).  Fails if the child succeeded, crashed or
## hung, or left any file in @code{out}.
## @end deftypefn
function run_with_file_limit (code, kib)
  out = tempname ();
  mkdir (out);
  unwind_protect
    setup = sprintf (["m = tfm_create ('bert', 'hidden_size', 64, 'num_hidden_layers', 2, " ...
                      "'num_attention_heads', 2, 'intermediate_size', 128, 'vocab_size', 500);\n" ...
                      "out = '%s';"], out);
    r = run_in_child (code, "Setup", setup,
                      "Env", sprintf ('trap "" XFSZ; ulimit -f %d;', kib));
    left = numel (dir (out)) - 2;
  unwind_protect_cleanup
    confirm_recursive_rmdir (false, "local");
    rmdir (out, "s");
  end_unwind_protect
  if (! strcmp (r.status, "error"))
    error ("run_with_file_limit: the child ended with %s, not an error: %s", r.status, r.output);
  endif
  if (left != 0)
    error ("run_with_file_limit: %d partial file(s) left behind", left);
  endif
  error (r.identifier, "%s", strrep (r.message, out, "<tmp>"));
endfunction
