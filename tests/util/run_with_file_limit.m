## -*- texinfo -*-
## @deftypefn {} {} run_with_file_limit (@var{code}, @var{kib})
## Run @var{code} in a fresh octave-cli whose file size limit is @var{kib}
## KiB (@code{ulimit -f}, SIGXFSZ ignored so writes fail with EFBIG: a full
## disk as the program sees it), with the package on the path and
## @code{m}, a small BERT, defined; re-raise the child's error with its
## identifier here (test helper for the full-disk rows of
## doc/bad-inputs.md).  The child also checks that its output folder
## @code{out} holds no partial file afterwards.
## @end deftypefn
function run_with_file_limit (code, kib)
  root = fileparts (fileparts (fileparts (mfilename ("fullpath"))));
  src = fullfile (root, "src");
  bld = getenv ("BUILDDIR");
  if (! isempty (bld))
    src = fullfile (bld, "src");
  endif
  d = tempname ();
  mkdir (d);
  script = fullfile (d, "child.m");
  fid = fopen (script, "w");
  fprintf (fid, "addpath ('%s', '%s');\n", src, fullfile (root, "inst"));
  fprintf (fid, ["m = tfm_create ('bert', 'hidden_size', 64, 'num_hidden_layers', 2, " ...
                 "'num_attention_heads', 2, 'intermediate_size', 128, 'vocab_size', 500);\n"]);
  fprintf (fid, "out = '%s'; mkdir (out);\n", fullfile (d, "out"));
  fprintf (fid, "try\n  %s;\n  printf ('CHILD-OK\\n');\ncatch e\n", code);
  fprintf (fid, "  [~, left] = system (['find ' out ' -type f | wc -l']);\n");
  fprintf (fid, "  printf ('CHILD-LEFT %%d\\n', str2double (left));\n");
  fprintf (fid, "  printf ('CHILD-ID %%s\\nCHILD-MSG %%s\\n', e.identifier, e.message);\nend\n");
  fclose (fid);
  cmd = sprintf ("bash -c 'trap \"\" XFSZ; ulimit -f %d; %s --no-gui --no-history --norc --silent --no-window-system %s 2>/dev/null'",
                 kib, octave_bin (), script);
  [~, out] = system (cmd);
  confirm_recursive_rmdir (false, "local");
  rmdir (d, "s");
  id = regexp (out, 'CHILD-ID (\S*)', "tokens", "once");
  if (isempty (id))
    error ("run_with_file_limit: the child did not fail: %s", out);
  endif
  left = str2double (regexp (out, 'CHILD-LEFT (\d+)', "tokens", "once"){1});
  if (left != 0)
    error ("run_with_file_limit: %d partial file(s) left behind", left);
  endif
  msg = regexp (out, 'CHILD-MSG ([^\n]*)', "tokens", "once"){1};
  msg = strrep (msg, d, "<tmp>");
  error (id{1}, "%s", msg);
endfunction

function o = octave_bin ()
  o = getenv ("OCTAVE");
  if (isempty (o))
    o = fullfile (OCTAVE_HOME (), "bin", "octave-cli");
  endif
endfunction
