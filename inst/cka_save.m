## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {cka} {} cka_save (@var{R}, @var{file})
## Save a @code{cka_compare} result or an accumulator @var{R} to @var{file}.
##
## A name ending in @file{.json} gives a JSON document (written with
## @code{jsonencode}, readable from any language: matrices are arrays of
## rows); any other name gives an Octave/MATLAB @file{.mat} file (v7) holding
## the variable @code{R}.  Both load back with @code{cka_load} to the same
## struct, so a saved accumulator can be resumed with @code{cka_update} or
## combined with @code{cka_merge}.  The file is written to a temporary name
## in the same directory, checked (a JSON file is read back, a .mat file is
## loaded back and compared: Octave's @code{save} does not report a full
## disk) and renamed at the end: an error (@code{cka:io:cannotWrite}) leaves
## no half-written file, and an existing @var{file} keeps its old content.
## @seealso{cka_load, cka_compare, cka_merge}
## @end deftypefn

function cka_save (R, file)
  if (nargin != 2)
    print_usage ();
  endif
  if (! (isstruct (R) && isscalar (R) && all (isfield (R, {"hsic_xy", "layers1", "layers2", "config"}))))
    error ("cka:input:notAccumulator",
           "cka_save: R must be a cka_compare result or an accumulator");
  endif
  if (! (ischar (file) && isrow (file)))
    error ("cka:input:badFile", "cka_save: FILE must be a file name");
  endif
  if (cka_is_json (file))
    if (isfield (R, "fsums"))
      error ("cka:io:cannotWrite",
             "cka_save: an accumulator's feature-space sums (fsums) are saved to .mat files only, not to JSON");
    endif
    txt = jsonencode (json_ready (R));
    cka_atomic_write (file, txt, [], "cka:io:cannotWrite", "cka_save");
  else
    cka_atomic_write (file, @(tmp) save_mat (tmp, R), @(tmp) loads_back (tmp, R),
                      "cka:io:cannotWrite", "cka_save");
  endif
endfunction

## Octave's save reports no error on a full disk (it leaves a short or
## empty file): the file is loaded back, with an explicit format, and
## compared before it replaces anything.
function save_mat (tmp, R)
  save ("-v7", tmp, "R");
endfunction

function tf = loads_back (tmp, R)
  try
    S = load ("-mat", tmp);
    tf = isfield (S, "R") && isequaln (S.R, R);
  catch
    tf = false;
  end_try_catch
endfunction

function S = json_ready (S)
  ## JSON has no column vectors, no empty-vs-scalar distinction and no NaN:
  ## keep the shapes in the document so cka_load can restore them exactly.
  S.format = "octave-cka";
  S.format_version = 1;
  S.shape_hsic_xy = size (S.hsic_xy);
endfunction

%!test
%! X = randn (12, 4);  Y = randn (12, 3);
%! S = cka_update (cka_accumulator ({"a", "b"}, {"c"}, "Kernel", "rbf"), {X, X.^2}, {Y});
%! for ext = {".json", ".mat"}
%!   f = [tempname() ext{1}];
%!   unwind_protect
%!     cka_save (S, f);
%!     T = cka_load (f);
%!     assert (T.layers1, S.layers1);
%!     assert (T.layers2, S.layers2);
%!     assert (T.hsic_xy, S.hsic_xy, -1e-15);
%!     assert (T.hsic_xx, S.hsic_xx, -1e-15);
%!     assert (T.hsic_yy, S.hsic_yy, -1e-15);
%!     assert (T.config, S.config);
%!     assert (T.n_samples, 12);
%!     assert (cka_matrix (T), cka_matrix (S), -1e-15);
%!     ## resume
%!     T = cka_update (T, {X, X.^2}, {Y});
%!     assert (T.n_batches, 2);
%!   unwind_protect_cleanup
%!     unlink (f);
%!   end_unwind_protect
%! endfor
%!test
%! ## a 1x1 result survives JSON's scalar/vector ambiguity
%! S = cka_update (cka_accumulator (1, 1), {randn(6, 2)}, {randn(6, 2)});
%! f = [tempname() ".json"];
%! unwind_protect
%!   cka_save (S, f);
%!   txt = fileread (f);
%!   assert (! isempty (strfind (txt, '"hsic_xy"')));
%!   T = cka_load (f);
%!   assert (T.layers1, {"1"});
%!   assert (T.hsic_xy, S.hsic_xy, -1e-15);
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect
%!error <Invalid call> cka_save (1)
%!error id=cka:input:notAccumulator cka_save (struct ("a", 1), "x.json")
%!error id=cka:io:cannotWrite cka_save (cka_accumulator (1), "/nonexistent-dir/x.json")
