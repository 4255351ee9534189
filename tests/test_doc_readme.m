## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## Every ```octave code block of README.md runs, in order, in one workspace
## (issue 20: the README's samples must work as written).  The suite runs
## from the build tree with the package already on the path, so a block's
## `pkg load cka` line is the one line not run.

%!test
%! f = doc_path ("..", "README.md");
%! [blocks, lines] = doc_octave_blocks (f);
%! assert (numel (blocks) >= 2);
%! blocks = regexprep (blocks, '(^|\n)pkg load cka *(?=\n|$)', "$1");
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! set (0, "defaultfigurevisible", "off");
%! doc_run_blocks (blocks, lines, f);
%! f2 = fullfile (tempdir (), "bert_vs_gpt2.png");
%! assert (exist (f2, "file"), 2);
%! delete (f2);
