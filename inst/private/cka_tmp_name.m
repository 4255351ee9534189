## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {@var{tmp} =} cka_tmp_name (@var{file})
## @deftypefnx {} {@var{tmp} =} cka_tmp_name (@var{file}, @var{kind})
## A fresh hidden name in the folder of @var{file} (the current folder for a
## bare name): @file{.cka-<kind>-<pid>-<random>}, @var{kind} being
## @qcode{"tmp"} (default) or e.g. @qcode{"stage"}.  Only the folder comes
## from @var{file}; the rest is made of [A-Za-z0-9-.] so the name can never
## carry quotes, spaces or shell syntax, and the pid lets a later run tell
## a leftover of a killed process from one in progress.  The random part
## comes from @code{tempname}, so the user's random number streams are not
## touched.
## @end deftypefn

function tmp = cka_tmp_name (file, kind)
  if (nargin < 2)
    kind = "tmp";
  endif
  dir = fileparts (file);
  if (isempty (dir))
    dir = ".";
  endif
  [~, rnd] = fileparts (tempname ("", "x"));
  rnd = regexprep (rnd, '[^A-Za-z0-9]', "");
  tmp = fullfile (dir, sprintf (".cka-%s-%d-%s", kind, getpid (), rnd));
endfunction
