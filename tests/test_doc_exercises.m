## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## Every worked solution doc/exercises/ex*_solution.m runs without error (each
## asserts its exercise's conclusion), in a clean workspace, figures invisible,
## and every exercise text has its solution.

%!function __run_clean__ (__file__)
%!  ## run() in this function's (empty) workspace; output captured, shown on error
%!  __out__ = "";
%!  try
%!    __out__ = evalc ("run (__file__);");
%!  catch __err__
%!    printf ("%s\n", __out__);
%!    error ("test_doc_exercises: %s failed: %s (%s)", __file__, __err__.message,
%!           __err__.identifier);
%!  end_try_catch
%!  close all;
%!endfunction

%!test
%! d = doc_path ("exercises");
%! sols = dir (fullfile (d, "ex*_solution.m"));
%! tasks = dir (fullfile (d, "ex*.md"));
%! assert (numel (sols) >= 5);
%! assert (numel (tasks), numel (sols));
%! for k = 1:numel (tasks)
%!   [~, base] = fileparts (tasks(k).name);
%!   assert (exist (fullfile (d, [base "_solution.m"]), "file"), 2);
%! endfor
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! set (0, "defaultfigurevisible", "off");
%! old = pwd ();
%! ## the solutions keep their figures for the class, in $CKA_EXERCISE_OUT
%! out = tempname ();
%! old_out = getenv ("CKA_EXERCISE_OUT");
%! setenv ("CKA_EXERCISE_OUT", out);
%! unwind_protect
%!   for k = 1:numel (sols)
%!     t0 = tic ();
%!     __run_clean__ (fullfile (d, sols(k).name));
%!     printf ("%s: %.1f s\n", sols(k).name, toc (t0));
%!   endfor
%!   figs = dir (fullfile (out, "ex0*.png"));
%!   assert (numel (figs) >= 6);
%!   assert (all ([figs.bytes] > 1000));
%! unwind_protect_cleanup
%!   cd (old);
%!   close all;
%!   setenv ("CKA_EXERCISE_OUT", old_out);
%!   if (isfolder (out))
%!     confirm_recursive_rmdir (false, "local");
%!     rmdir (out, "s");
%!   endif
%! end_unwind_protect
