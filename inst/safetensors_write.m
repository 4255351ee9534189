## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {} safetensors_write (@var{file}, @var{names}, @var{tensors})
## @deftypefnx {cka} {} safetensors_write (@dots{}, @var{Name}, @var{Value})
## Write tensors to a safetensors file that Hugging Face can read.
##
## @var{names} is a cellstr and @var{tensors} a cell of real numeric arrays
## (converted to single first).  Each tensor is written with its Octave size
## as PyTorch shape, except that a column vector (including a scalar) is a
## 1-D tensor; use @qcode{"Shapes"} to say otherwise.  The data are
## transposed once from Octave's column-major layout to the format's
## row-major one, so @code{safetensors_read} returns the same arrays.
##
## The file follows Hugging Face's writer: header beginning with
## @code{@{"__metadata__":@{"format":"pt"@}}, compact JSON, tensors ordered by
## name and packed contiguously, header padded with spaces to a multiple of
## 8 bytes.  It is written to a temporary file in the same directory, its
## size checked, and renamed into place (@code{cka_atomic_write}), so an
## error (@code{cka:safetensors:write}) never leaves a half-written
## @var{file} and an existing @var{file} is replaced only when the new one
## is complete.
##
## Options:
## @table @asis
## @item @qcode{"Dtype"} (default @qcode{"f32"})
## @qcode{"f32"}, @qcode{"f16"} or @qcode{"bf16"}; the 16-bit formats round
## to nearest even (NaN stays NaN, overflow becomes Inf in F16).
## @item @qcode{"Shapes"}
## A cell of PyTorch shape vectors, one per tensor (@code{[]} for 0-d).
## @item @qcode{"Metadata"}
## A struct of extra string values for @code{__metadata__}.
## @end table
##
## @seealso{safetensors_read, safetensors_info, tfm_save}
## @end deftypefn

function safetensors_write (file, names, tensors, varargin)
  if (nargin < 3)
    print_usage ();
  endif
  opts = parse_options ("safetensors_write",
                        struct ("Dtype", "f32", "Shapes", [], "Metadata", struct ()),
                        varargin);
  if (! (ischar (file) && isrow (file)))
    error ("cka:input:type", "safetensors_write: FILE must be a file name");
  endif
  if (ischar (names))
    names = {names};
  endif
  if (! iscell (tensors))
    tensors = {tensors};
  endif
  if (! iscellstr (names) || numel (names) != numel (tensors))
    error ("cka:input:type",
           "safetensors_write: NAMES must be a cellstr with one name per tensor");
  endif
  if (any (cellfun (@isempty, names)) || numel (unique (names)) != numel (names))
    error ("cka:input:badName", "safetensors_write: names must be non-empty and distinct");
  endif
  if (any (strcmp (names, "__metadata__")))
    error ("cka:input:badName", "safetensors_write: \"__metadata__\" is not a tensor name");
  endif
  dtype = validate_dtype (opts.Dtype);
  shapes = opts.Shapes;
  if (isempty (shapes))
    shapes = cell (size (tensors));
    for k = 1:numel (tensors)
      if (iscolumn (tensors{k}))
        shapes{k} = numel (tensors{k});
      else
        shapes{k} = size (tensors{k});
      endif
    endfor
  elseif (! iscell (shapes) || numel (shapes) != numel (tensors))
    error ("cka:input:type", "safetensors_write: Shapes must be a cell with one shape per tensor");
  endif
  for k = 1:numel (tensors)
    t = tensors{k};
    if (! ((isnumeric (t) || islogical (t)) && isreal (t) && ! issparse (t)))
      error ("cka:input:type", "safetensors_write: tensor \"%s\" is not a real numeric array",
             names{k});
    endif
    sh = double (shapes{k});
    if (! (isempty (sh) || isvector (sh)) || any (sh < 0 | sh != fix (sh))
        || prod (sh) != numel (t))
      error ("cka:input:shape",
             "safetensors_write: shape [%s] does not fit tensor \"%s\" of %d elements",
             num2str (sh), names{k}, numel (t));
    endif
    shapes{k} = reshape (sh, 1, []);
    tensors{k} = single (t);
  endfor
  meta = opts.Metadata;
  if (! (isstruct (meta) && isscalar (meta)
         && all (cellfun (@(v) ischar (v), struct2cell (meta)))))
    error ("cka:input:type", "safetensors_write: Metadata must be a struct of strings");
  endif
  cka_atomic_write (file, @(tmp) write_checked (tmp, names, tensors, shapes, dtype, meta),
                    [], "cka:safetensors:write", "safetensors_write");
endfunction

## the file must have exactly the size of header plus data
function write_checked (tmp, names, tensors, shapes, dtype, meta)
  nbytes = st_write_file (tmp, names, tensors, shapes, dtype, meta);
  [st, err] = stat (tmp);
  have = 0;
  if (err == 0)
    have = st.size;
  endif
  if (have != nbytes)
    error ("cka:safetensors:write",
           "safetensors_write: writing '%s' failed: %d of %d bytes on disk", tmp,
           have, nbytes);
  endif
endfunction

function dtype = validate_dtype (d)
  if (ischar (d))
    switch (lower (d))
      case {"f32", "float32", "single"}
        dtype = "F32"; return;
      case {"f16", "float16", "half"}
        dtype = "F16"; return;
      case {"bf16", "bfloat16"}
        dtype = "BF16"; return;
    endswitch
  endif
  error ("cka:input:badOption",
         "safetensors_write: Dtype must be \"f32\", \"f16\" or \"bf16\"");
endfunction

%!test
%! f = [tempname() ".safetensors"];
%! unwind_protect
%!   W = single (randn (5, 7));
%!   safetensors_write (f, {"w", "b"}, {W, single([1; 2])});
%!   assert (safetensors_read (f, "w"), W);
%!   ## header exactly as Hugging Face writes it
%!   fid = fopen (f, "r");
%!   n = fread (fid, 1, "uint64", 0, "ieee-le");
%!   hdr = char (fread (fid, n, "char")');
%!   fclose (fid);
%!   assert (mod (n, 8), 0);
%!   assert (strtrim (hdr), ['{"__metadata__":{"format":"pt"},' ...
%!     '"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' ...
%!     '"w":{"dtype":"F32","shape":[5,7],"data_offsets":[8,148]}}']);
%!   ## overwrite in place with another dtype
%!   safetensors_write (f, {"w"}, {W}, "Dtype", "bf16");
%!   [~, ~, d] = safetensors_info (f);
%!   assert (d, {"BF16"});
%!   B = safetensors_read (f, "w");
%!   assert (bitand (typecast (B(:), "uint32"), uint32 (65535)), zeros (35, 1, "uint32"));
%!   assert (double (B), double (W), 2^-8 * max (abs (W(:))));
%!   safetensors_write (f, {"w"}, {W}, "Dtype", "f16");
%!   assert (safetensors_read (f, "w"), single (W), 2^-10 * max (abs (W(:))));
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect

%!test
%! d = tempname ();  mkdir (d);
%! f = fullfile (d, "x.safetensors");
%! unwind_protect
%!   safetensors_write (f, {"x"}, {single([1 2 3])}, "Shapes", {3}, "Metadata", struct ("a", "b"));
%!   [~, s, ~, m] = safetensors_info (f);
%!   assert (s, {3});
%!   assert (m, struct ("format", "pt", "a", "b"));
%!   assert (safetensors_read (f, "x"), single ([1; 2; 3]));
%!   ## only the file itself: no temporary file left in its folder
%!   x = readdir (d);
%!   assert (x(! ismember (x, {".", ".."})), {"x.safetensors"});
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect

%!error id=cka:input:shape safetensors_write (tempname (), {"a"}, {1}, "Shapes", {[2 2]})
%!error id=cka:input:badName safetensors_write (tempname (), {"a", "a"}, {1, 2})
%!error id=cka:input:badOption safetensors_write (tempname (), {"a"}, {1}, "Dtype", "int8")
%!error id=cka:input:unknownOption safetensors_write (tempname (), {"a"}, {1}, "Foo", 1)
%!error id=cka:safetensors:write safetensors_write ("/nonexistent-dir/x.safetensors", {"a"}, {1})
%!error <Invalid call> safetensors_write ("a")
