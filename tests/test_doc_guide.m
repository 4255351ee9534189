## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## Every ```octave code block of doc/guide.md, run in order in one workspace,
## so that the user guide never shows a sample that does not work.  Blocks
## fenced as ```sh (shell commands) or ```text (output) are not run.  The
## guide keeps every file it writes under the folder in its variable `work`,
## which is removed at the end.

%!function [blocks, lines] = __octave_blocks__ (file)
%!  ## The ```octave fenced blocks of a Markdown file and their first lines.
%!  txt = strsplit (fileread (file), "\n", "CollapseDelimiters", false);
%!  blocks = {};  lines = [];  cur = {};  inblock = false;  fence = "";
%!  for k = 1:numel (txt)
%!    t = regexprep (txt{k}, '\r$', "");
%!    if (! isempty (fence))
%!      if (regexp (t, '^\s*```\s*$', "once"))
%!        if (inblock)
%!          blocks{end+1} = strjoin (cur, "\n");
%!        endif
%!        fence = "";  inblock = false;  cur = {};
%!      elseif (inblock)
%!        cur{end+1} = t;
%!      endif
%!    else
%!      tok = regexp (t, '^\s*```\s*([\w+-]*)\s*$', "tokens", "once");
%!      if (! isempty (tok))
%!        fence = "```";
%!        inblock = strcmp (tok{1}, "octave");
%!        if (inblock)
%!          lines(end+1) = k + 1;
%!        endif
%!      endif
%!    endif
%!  endfor
%!  if (! isempty (fence))
%!    error ("test_doc_guide: unterminated code fence in %s", file);
%!  endif
%!endfunction

%!function __run_blocks__ (__blocks__, __lines__, __file__)
%!  ## One workspace for all blocks (this function's), as in a user's session.
%!  __out__ = "";
%!  unwind_protect
%!    for __k__ = 1:numel (__blocks__)
%!      try
%!        __out__ = evalc (__blocks__{__k__});
%!      catch __err__
%!        printf ("%s\n", __out__);
%!        error ("test_doc_guide: the block at %s:%d failed: %s (%s)", __file__,
%!               __lines__(__k__), __err__.message, __err__.identifier);
%!      end_try_catch
%!    endfor
%!  unwind_protect_cleanup
%!    close all;
%!    if (exist ("work", "var") && ischar (work) && isfolder (work)
%!        && strncmp (work, tempdir (), numel (tempdir ())))
%!      confirm_recursive_rmdir (false, "local");
%!      rmdir (work, "s");
%!    endif
%!  end_unwind_protect
%!endfunction

%!test
%! f = doc_path ("guide.md");
%! [blocks, lines] = __octave_blocks__ (f);
%! assert (numel (blocks) >= 20);
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! set (0, "defaultfigurevisible", "off");
%! t0 = tic ();
%! __run_blocks__ (blocks, lines, f);
%! printf ("%d blocks of %s ran in %.1f s\n", numel (blocks), f, toc (t0));

%!test
%! ## The extractor itself: fences, languages, nested-looking text.
%! f = [tempname() ".md"];
%! unwind_protect
%!   fid = fopen (f, "w");
%!   fprintf (fid, "# t\n```octave\na = 1;\n```\n```sh\nmake\n```\ntext\n\n```octave\nb = a + 1;\n\nc = 2;\n```\n");
%!   fclose (fid);
%!   [b, l] = __octave_blocks__ (f);
%!   assert (b, {"a = 1;", "b = a + 1;\n\nc = 2;"});
%!   assert (l, [3 11]);                # blank lines count
%! unwind_protect_cleanup
%!   delete (f);
%! end_unwind_protect
