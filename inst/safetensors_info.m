## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {cka} {[@var{names}, @var{shapes}, @var{dtypes}, @var{metadata}] =} safetensors_info (@var{file})
## List the tensors of a safetensors file without reading their data.
##
## @var{names} is a column cellstr of the tensor names in header order,
## @var{shapes} a column cell of their PyTorch shapes (row vectors; @code{[]}
## for a 0-d scalar), @var{dtypes} a column cellstr of the dtype spellings
## of the file (@qcode{"F32"}, @qcode{"BF16"}, @dots{}), and @var{metadata}
## the @code{__metadata__} struct (all values strings).
##
## The whole header is validated first, as the reference implementation
## does: length bound (100 MB), JSON object, known dtypes, shape times dtype
## size equal to each offset span, offsets inside the file, sorted,
## contiguous and non-overlapping, no duplicate names.  Failures are errors
## @code{cka:safetensors:*} naming the file and the tensor (@code{truncated},
## @code{headerTooLarge}, @code{badHeader}, @code{badJson}, @code{badNumber},
## @code{unknownDtype}, @code{sizeMismatch}, @code{badOffsets},
## @code{duplicateName}, @code{open}).
##
## @example
## @group
## f = [tempname() ".safetensors"];
## safetensors_write (f, @{"w", "b"@}, @{single (magic (3)), single ([1; 2; 3])@});
## [names, shapes, dtypes] = safetensors_info (f)
## delete (f);
## @end group
## @end example
##
## @seealso{safetensors_read, safetensors_write, tfm_load}
## @end deftypefn

function [names, shapes, dtypes, metadata] = safetensors_info (file)
  if (nargin != 1)
    print_usage ();
  endif
  if (! (ischar (file) && isrow (file)))
    error ("cka:input:type", "safetensors_info: FILE must be a file name");
  endif
  h = st_header (file);
  names = h.names;
  shapes = h.shapes;
  dtypes = h.dtypes;
  metadata = h.metadata;
endfunction

%!test
%! f = [tempname() ".safetensors"];
%! unwind_protect
%!   safetensors_write (f, {"w", "b", "s"}, {single(reshape(1:6, 2, 3)), single([1; 2]), single(7)}, ...
%!                      "Shapes", {[2 3], 2, []});
%!   [n, s, d, m] = safetensors_info (f);
%!   assert (n, {"b"; "s"; "w"});
%!   assert (s, {2; zeros(1, 0); [2 3]});
%!   assert (d, {"F32"; "F32"; "F32"});
%!   assert (m.format, "pt");
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect

%!test
%! ## a minimal hand-made file, header padded with spaces
%! f = tempname ();
%! unwind_protect
%!   hdr = '{"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}  ';
%!   fid = fopen (f, "w");
%!   fwrite (fid, numel (hdr), "uint64", 0, "ieee-le");
%!   fwrite (fid, hdr, "char");
%!   fwrite (fid, uint8 ([0 63 0 192]));
%!   fclose (fid);
%!   [n, s, d] = safetensors_info (f);
%!   assert (n, {"x"});
%!   assert (d, {"BF16"});
%!   assert (safetensors_read (f, "x"), single ([0.5; -2]));
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect

%!error <Invalid call> safetensors_info ()
%!error <FILE must be> safetensors_info (3)
%!error <cannot open|not a regular> safetensors_info (tempname ())
%!error id=cka:safetensors:open safetensors_info (tempdir ())
