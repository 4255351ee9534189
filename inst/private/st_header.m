## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{h} =} st_header (@var{file})
## Read, decode and validate the header of the safetensors file @var{file}.
##
## The prefix and header bytes are checked in C (length bound, inside the
## file, UTF-8, no NUL, starts with @samp{@{}, nesting depth at most 64, no
## duplicate key in any object, also when spelled with @code{\u} escapes:
## jsondecode would keep only the last), the JSON is decoded with
## @code{jsondecode (txt, "makeValidName", false)}, and every entry is
## validated in C (numbers, dtypes, sizes, offsets, duplicates) before any
## tensor data is read.  @var{h} has fields @code{file}, @code{file_size},
## @code{header_len}, @code{names}, @code{dtypes}, @code{shapes} (PyTorch
## shapes as row vectors), @code{offsets} (n x 2) and @code{metadata}
## (struct of strings).  Errors are @code{cka:safetensors:*} (a repeated
## tensor name is @code{cka:safetensors:duplicateName}), and
## @code{cka:json:tooDeep} and @code{cka:json:duplicateKey} (a field
## repeated inside one entry) for the JSON text.
## @end deftypefn

function h = st_header (file)
  if (! ischar (file) || isempty (file))
    error ("cka:input:type", "safetensors: FILE must be a file name");
  endif
  [txt, hlen, fsize] = __safetensors_header__ (file);
  try
    s = jsondecode (txt, "makeValidName", false);
  catch err
    error ("cka:safetensors:badJson", "%s: header is not valid JSON: %s", file,
           regexprep (err.message, '^jsondecode: ', ''));
  end_try_catch
  if (! (isstruct (s) && isscalar (s)))
    error ("cka:safetensors:badHeader", "%s: header is not a JSON object", file);
  endif
  keys = fieldnames (s);
  metadata = struct ();
  ismeta = strcmp (keys, "__metadata__");
  if (any (ismeta))
    metadata = s.("__metadata__");
    if (! (isstruct (metadata) && isscalar (metadata))
        || ! all (cellfun (@(v) ischar (v) && (isrow (v) || isempty (v)),
                           struct2cell (metadata))))
      error ("cka:safetensors:badHeader",
             "%s: __metadata__ must be an object whose values are all strings", file);
    endif
  endif
  names = keys(! ismeta);
  n = numel (names);
  dtypes = cell (n, 1);
  shapes = cell (n, 1);
  offsets = zeros (n, 2);
  for k = 1:n
    e = s.(names{k});
    nm = names{k};
    if (! (isstruct (e) && isscalar (e)))
      error ("cka:safetensors:badHeader", "%s: entry \"%s\" is not an object", file, nm);
    endif
    for f = {"dtype", "shape", "data_offsets"}
      if (! isfield (e, f{1}))
        error ("cka:safetensors:badHeader", "%s: tensor \"%s\" has no \"%s\"", file, nm, f{1});
      endif
    endfor
    if (! (ischar (e.dtype) && isrow (e.dtype)))
      error ("cka:safetensors:badHeader", "%s: tensor \"%s\": dtype is not a string", file, nm);
    endif
    sh = e.shape;
    if (! (isnumeric (sh) && isreal (sh) && (isempty (sh) || isvector (sh))))
      error ("cka:safetensors:badHeader",
             "%s: tensor \"%s\": shape is not a list of integers", file, nm);
    endif
    o = e.data_offsets;
    if (! (isnumeric (o) && isreal (o) && numel (o) == 2))
      error ("cka:safetensors:badHeader",
             "%s: tensor \"%s\": data_offsets is not a pair of integers", file, nm);
    endif
    dtypes{k} = e.dtype;
    shapes{k} = reshape (double (sh), 1, []);
    offsets(k,:) = double (o(:)');
  endfor
  __safetensors_read__ (file, fsize, hlen, names, dtypes, shapes, offsets, []);
  h = struct ("file", file, "file_size", fsize, "header_len", hlen);
  h.names = names;
  h.dtypes = dtypes;
  h.shapes = shapes;
  h.offsets = offsets;
  h.metadata = metadata;
endfunction
