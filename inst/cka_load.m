## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {cka} {@var{R} =} cka_load (@var{file})
## Load a result or accumulator saved by @code{cka_save} (@file{.json} or
## @file{.mat}).  Shapes are restored (layer lists as column cellstrs,
## @code{hsic_xx}/@code{hsic_yy} as columns, @code{hsic_xy} as
## @var{L1}x@var{L2}), so the result can be plotted, merged with
## @code{cka_merge} or resumed with @code{cka_update}.
##
## A file from anyone is safe to read: a @file{.mat} file is read with an
## explicit format (@code{load ("-mat", @dots{})}, never Octave's text
## format, whose function-handle text would be evaluated), after a check
## that it holds only cells, structs, chars and numeric arrays (Octave's
## MAT reader evaluates function-handle text and runs class constructors
## too); JSON goes through the same depth and duplicate-key checks as
## every JSON file the package reads; and every field
## is checked (layer lists, the HSIC sums real, finite and of the right
## shapes, counts non-negative integers consistent with @code{batch_sizes},
## a valid CKA configuration).  Anything else is @code{cka:io:badFormat},
## naming the file and the field.
## @seealso{cka_save, cka_compare}
## @end deftypefn

function R = cka_load (file)
  if (nargin != 1)
    print_usage ();
  endif
  if (! (ischar (file) && isrow (file)))
    error ("cka:input:badFile", "cka_load: FILE must be a file name");
  endif
  if (! exist (file, "file"))
    error ("cka:io:notFound", "cka_load: no such file '%s'", file);
  endif
  if (cka_is_json (file))
    R = cka_read_json (file, "cka_load", "cka:io:badFormat", "results");
    if (! (isstruct (R) && isfield (R, "format") && strcmp (R.format, "octave-cka")))
      error ("cka:io:badFormat", "cka_load: '%s' is not a file written by cka_save", file);
    endif
  else
    ## Always an explicit format: with auto-detection, Octave's text format
    ## would evaluate the text of a function handle stored in the file (a
    ## crafted "results" file runs commands).  Octave's MAT5 reader runs
    ## code too, for function-handle and object elements: every element's
    ## class is checked first (a regular file, at most 256 MiB).
    __cka_mat_check__ (file);
    try
      d = load ("-mat", file);
    catch e
      error ("cka:io:badFormat", "cka_load: cannot read '%s': %s", file, e.message);
    end_try_catch
    if (! (isfield (d, "R") && isstruct (d.R)))
      error ("cka:io:badFormat", "cka_load: '%s' has no variable R written by cka_save", file);
    endif
    R = d.R;
  endif
  R = cka_check_state (R, "cka_load", file);
endfunction

%!test
%! ## a MAT-file holding a function handle or an object (whose loading
%! ## evaluates text or runs a constructor) is refused before load reads it
%! f = [tempname() ".mat"];
%! unwind_protect
%!   R = struct ("a", {{1.5}});
%!   save ("-v6", f, "R");          # uncompressed: the class byte can be patched
%!   fid = fopen (f, "r");  b = fread (fid, Inf, "uint8=>uint8")';  fclose (fid);
%!   flags = uint8 ([6 0 0 0 8 0 0 0 6]);    # array flags of a double
%!   k = strfind (char (b), char (flags))(end) + 8;
%!   for cls = [16 3]
%!     b(k) = cls;
%!     fid = fopen (f, "w");  fwrite (fid, b);  fclose (fid);
%!     try
%!       cka_load (f);
%!       error ("no error");
%!     catch e
%!       assert (e.identifier, "cka:io:badFormat");
%!       assert (! isempty (strfind (e.message, sprintf ("MAT class %d", cls))), e.message);
%!     end_try_catch
%!   endfor
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect
%!error <Invalid call> cka_load ()
%!error id=cka:io:notFound cka_load ("/nonexistent/file.json")
%!test
%! f = [tempname() ".json"];
%! unwind_protect
%!   fid = fopen (f, "w");  fputs (fid, "{\"a\": 1}");  fclose (fid);
%!   try
%!     cka_load (f);
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:io:badFormat");
%!   end_try_catch
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect
%!test
%! ## stored sums and counts are checked, the message names the field
%! S = cka_update (cka_accumulator ({"a", "b"}, {"c", "d"}), {randn(6, 2), randn(6, 3)}, ...
%!                 {randn(6, 2), randn(6, 1)});
%! f = [tempname() ".json"];
%! g = [tempname() ".mat"];
%! unwind_protect
%!   cka_save (S, f);
%!   good = fileread (f);
%!   ## regexp replacing a field's value (or its first element), expected message
%!   cases = {'"hsic_xy":\[\[[^,]+', '"hsic_xy":[["x"', "hsic_xy must be a real double";
%!            '"hsic_xx":\[[^,]+', '"hsic_xx":[null', "hsic_xx holds NaN";
%!            '"hsic_yy":\[[^,]+', '"hsic_yy":[1,2,3', "hsic_yy must be 2x1";
%!            '"n_samples":6', '"n_samples":-6', "n_samples must be a non-negative integer";
%!            '"n_batches":1', '"n_batches":2', "n_batches is 2 but batch_sizes lists 1";
%!            '"kernel":"linear"', '"kernel":"poly"', "config.kernel";
%!            '"layers1":\[', '"layers1":[1,', "layers1 must be a non-empty list"};
%!   for k = 1:rows (cases)
%!     bad = regexprep (good, cases{k,1}, cases{k,2}, "once");
%!     assert (! strcmp (bad, good));
%!     fid = fopen (f, "w");
%!     fputs (fid, bad);
%!     fclose (fid);
%!     try
%!       cka_load (f);
%!       error ("no error for %s", cases{k,2});
%!     catch e
%!       assert (e.identifier, "cka:io:badFormat");
%!       if (isempty (strfind (e.message, cases{k,3})))
%!         error ("wrong message: %s", e.message);
%!       endif
%!     end_try_catch
%!   endfor
%!   ## .mat: a stored Inf, a string as a sum
%!   R = setfield (S, "hsic_yy", [1; Inf]);
%!   save ("-v7", g, "R");
%!   fail ("cka_load (g)", "hsic_yy holds NaN or Inf");
%!   R = setfield (S, "hsic_xy", "ab");
%!   save ("-v7", g, "R");
%!   fail ("cka_load (g)", "hsic_xy must be a real double");
%! unwind_protect_cleanup
%!   unlink (f);
%!   if (exist (g, "file")) unlink (g); endif
%! end_unwind_protect
%!test
%! ## a file in Octave's text format is refused without being parsed
%! f = [tempname() ".mat"];
%! unwind_protect
%!   x = 1;
%!   save ("-text", f, "x");
%!   fail ("cka_load (f)", "not a MAT-file written by cka_save");
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect
