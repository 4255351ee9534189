## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## Every ```octave code block of doc/guide.md, run in order in one workspace,
## so that the user guide never shows a sample that does not work.  Blocks
## fenced as ```sh (shell commands) or ```text (output) are not run.  The
## guide keeps every file it writes under the folder in its variable `work`,
## which is removed at the end.  The block runner and extractor are
## tests/util/doc_run_blocks.m and doc_octave_blocks.m.

%!test
%! f = doc_path ("guide.md");
%! [blocks, lines] = doc_octave_blocks (f);
%! assert (numel (blocks) >= 20);
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! set (0, "defaultfigurevisible", "off");
%! t0 = tic ();
%! doc_run_blocks (blocks, lines, f);
%! printf ("%d blocks of %s ran in %.1f s\n", numel (blocks), f, toc (t0));

%!test
%! ## The extractor itself: fences, languages, nested-looking text.
%! f = [tempname() ".md"];
%! unwind_protect
%!   fid = fopen (f, "w");
%!   fprintf (fid, "# t\n```octave\na = 1;\n```\n```sh\nmake\n```\ntext\n\n```octave\nb = a + 1;\n\nc = 2;\n```\n");
%!   fclose (fid);
%!   [b, l] = doc_octave_blocks (f);
%!   assert (b, {"a = 1;", "b = a + 1;\n\nc = 2;"});
%!   assert (l, [3 11]);                # blank lines count
%! unwind_protect_cleanup
%!   delete (f);
%! end_unwind_protect
