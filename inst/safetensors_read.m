## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{T} =} safetensors_read (@var{file}, @var{name})
## @deftypefnx {cka} {@var{C} =} safetensors_read (@var{file}, @var{names})
## @deftypefnx {cka} {[@var{C}, @var{names}] =} safetensors_read (@var{file})
## Read tensors from a safetensors file as @code{single} arrays.
##
## @var{T} has the tensor's PyTorch shape, with element @code{T(i,j)} equal
## to the PyTorch element @code{t[i-1, j-1]} (the row-major data is
## transposed once into Octave's column-major layout); a 1-D tensor of
## length @math{n} is an @math{n}-by-1 column, a 0-d scalar a 1-by-1 array.
## F32, F16 and BF16 are converted exactly, F64 is rounded to single.
## With a cellstr @var{names}, @var{C} is a cell of tensors; with no name,
## every tensor is read and @var{names} lists them in header order.
##
## The file is memory-mapped once and only the requested tensors are
## decoded, after the whole header has been validated (see
## @code{safetensors_info} for the checks and error identifiers).  A name
## not in the file is the error @code{cka:safetensors:notFound}; a tensor
## of an integer or boolean dtype is @code{cka:safetensors:unsupportedDtype}.
##
## @example
## @group
## f = [tempname() ".safetensors"];
## safetensors_write (f, @{"w"@}, @{single ([1 2 3; 4 5 6])@});
## W = safetensors_read (f, "w")
## delete (f);
## @end group
## @end example
##
## @seealso{safetensors_info, safetensors_write, tfm_load}
## @end deftypefn

function [T, names_out] = safetensors_read (file, names)
  if (nargin < 1 || nargin > 2)
    print_usage ();
  endif
  if (! (ischar (file) && isrow (file)))
    error ("cka:input:type", "safetensors_read: FILE must be a file name");
  endif
  h = st_header (file);
  if (nargin < 2)
    idx = 1:numel (h.names);
    T = st_read_tensors (h, idx);
    names_out = h.names;
    return;
  endif
  single_name = ischar (names);
  if (single_name)
    names = {names};
  elseif (! iscellstr (names))
    error ("cka:input:type", "safetensors_read: NAME must be a string or a cellstr");
  endif
  [tf, idx] = ismember (names(:), h.names);
  if (! all (tf))
    error ("cka:safetensors:notFound", "safetensors_read: %s: no tensor \"%s\"",
           file, names{find (! tf, 1)});
  endif
  T = st_read_tensors (h, idx);
  names_out = names(:);
  if (single_name)
    T = T{1};
  endif
endfunction

%!test
%! f = [tempname() ".safetensors"];
%! unwind_protect
%!   A = single (reshape (1:24, 2, 3, 4));
%!   safetensors_write (f, {"a", "v"}, {A, single([1; 2; 3])});
%!   assert (safetensors_read (f, "a"), A);
%!   assert (safetensors_read (f, "v"), single ([1; 2; 3]));
%!   C = safetensors_read (f, {"v", "a"});
%!   assert (C, {single([1; 2; 3]); A});
%!   [C, n] = safetensors_read (f);
%!   assert (n, {"a"; "v"});
%!   assert (C{1}, A);
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect

%!test
%! ## a row-major file read back transposed: PyTorch [2,3] tensor 0..5
%! f = tempname ();
%! unwind_protect
%!   hdr = '{"m":{"dtype":"F64","shape":[2,3],"data_offsets":[0,48]}}      ';
%!   fid = fopen (f, "w");
%!   fwrite (fid, numel (hdr), "uint64", 0, "ieee-le");
%!   fwrite (fid, hdr, "char");
%!   fwrite (fid, 0:5, "double", 0, "ieee-le");
%!   fclose (fid);
%!   assert (safetensors_read (f, "m"), single ([0 1 2; 3 4 5]));
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect

%!error id=cka:safetensors:notFound
%! f = [tempname() ".safetensors"];
%! unwind_protect
%!   safetensors_write (f, {"a"}, {single(1)});
%!   safetensors_read (f, "b");
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect
%!error <Invalid call> safetensors_read ()
%!error id=cka:input:type safetensors_read (1, "a")
%!test
%! ## empty and non-ASCII-named tensors
%! f = [tempname() ".safetensors"];
%! unwind_protect
%!   nm = "caf\xc3\xa9.w";
%!   safetensors_write (f, {"e", nm}, {zeros(0, 1, "single"), single([1 2])}, "Shapes", {0, [1 2]});
%!   assert (size (safetensors_read (f, "e")), [0 1]);
%!   assert (safetensors_read (f, nm), single ([1 2]));
%!   assert (safetensors_info (f), {"caf\xc3\xa9.w"; "e"});
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect
