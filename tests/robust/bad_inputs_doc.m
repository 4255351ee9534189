## bad_inputs_doc (test_file, out_file): run every "## BAD fn | input" row
## of tests/test_bad_inputs.m and write the catalogue doc/bad-inputs.md
## (make bad-inputs-doc).  Prints rows whose identifier differs.
function bad_inputs_doc (test_file, out_file)
  warning ("off", "all");
  set (0, "defaultfigurevisible", "off");
  txt = fileread (test_file);
  rows = regexp (txt, '## BAD ([^|\n]+?) \| ([^\n]+)\n%!error id=(\S+) ([^\n]+)', "tokens");
  F = bad_inputs_fixtures ();
  m = F.m;  g = F.g;  ids = F.ids;  X = F.X;  S = F.S;  d = F.dir;
  out = {};
  nbad = 0;
  for k = 1:numel (rows)
    [fn, what, id, code] = rows{k}{:};
    got = "";  msg = "(no error)";
    try
      eval ([code ";"]);
    catch e
      got = e.identifier;  msg = e.message;
    end_try_catch
    if (! strcmp (got, id))
      printf ("MISMATCH %s | %s: expected %s, got %s: %s\n", fn, what, id, got, msg);
      nbad++;
    endif
    msg = strrep (msg, d, "<tmp>");
    msg = strrep (msg, tempdir (), "<tmp>/");
    msg = regexprep (msg, '\s+', " ");
    msg = regexprep (msg, 'tmp-\d+-\d+', "tmp-PID-N");
    msg = regexprep (msg, 'cka-hostile-\d+', "cka-hostile-PID");
    msg = strrep (msg, "|", "\\|");
    if (numel (msg) > 160)
      msg = [msg(1:157) "..."];
    endif
    out{end+1} = sprintf ("| `%s` | %s | `%s` | %s |", fn, strtrim (what), id, msg);
  endfor
  confirm_recursive_rmdir (false, "local");
  rmdir (d, "s");
  hostile_fixture ("cleanup");
  fid = fopen (out_file, "w");
  hdr = {"# Bad-input catalogue", "", ...
    "What each public function does with inputs it cannot use: the error", ...
    "identifier (catch it with `try ... catch e; e.identifier`) and the message", ...
    "(paths shortened to `<tmp>`).  Nothing here crashes Octave, leaks memory or", ...
    "leaves a partial file behind (the full-disk rows check the output folder).", ...
    "", "Every row is a `%!error` test in `tests/test_bad_inputs.m` (run by", ...
    "`make check`); this page is generated from it by `make bad-inputs-doc`, and a", ...
    "test checks that both list the same rows.", "", ...
    "\"Read-only folder\" rows write below `/proc`, which even root cannot write;", ...
    "\"full disk\" rows run in a child Octave with `ulimit -f` (writes fail with", ...
    "EFBIG, as on a full disk).", "", ...
    "| Function | Input | Identifier | Message |", ...
    "|---|---|---|---|"};
  fprintf (fid, "%s\n", hdr{:});
  fprintf (fid, "%s\n", out{:});
  fclose (fid);
  printf ("%d rows, %d mismatches -> %s\n", numel (rows), nbad, out_file);
endfunction
