## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{nbytes} =} st_write_file (@var{file}, @var{names}, @var{tensors}, @var{shapes}, @var{dtype}, @var{metadata})
## Write a safetensors file the way Hugging Face's writer does, to a
## temporary file @var{file} (which must not exist yet; the caller renames
## it into place, see @code{cka_atomic_write}).  Returns the size the file
## must have (8 + header + data), for the caller's check.
##
## @var{tensors} are single arrays with PyTorch shapes @var{shapes};
## @var{dtype} is @qcode{"F32"}, @qcode{"F16"} or @qcode{"BF16"}.  Tensors
## are ordered by name (one dtype per file), the compact header starts with
## @code{"__metadata__":@{"format":"pt", @dots{}@}}, each entry is
## @code{@{"dtype","shape","data_offsets"@}} and the header is padded with
## spaces to a multiple of 8 bytes.
## @end deftypefn

function nbytes = st_write_file (file, names, tensors, shapes, dtype, metadata)
  es = struct ("F32", 4, "F16", 2, "BF16", 2).(dtype);
  [~, order] = sort (names(:));
  names = names(order);
  tensors = tensors(order);
  shapes = shapes(order);
  n = numel (names);
  parts = cell (1, n + 1);
  meta = "{\"format\":\"pt\"";
  if (! isempty (metadata))
    mk = sort (setdiff (fieldnames (metadata), {"format"}));
    for k = 1:numel (mk)
      meta = [meta "," jsonencode(mk{k}) ":" jsonencode(metadata.(mk{k}))];
    endfor
  endif
  parts{1} = ["{\"__metadata__\":" meta "}"];
  pos = 0;
  for k = 1:n
    sh = shapes{k};
    nbytes = prod (sh) * es;
    parts{k+1} = sprintf ("%s:{\"dtype\":\"%s\",\"shape\":[%s],\"data_offsets\":[%d,%d]}",
                          jsonencode (names{k}), dtype,
                          strjoin (arrayfun (@(d) sprintf ("%d", d), sh, "UniformOutput", false), ","),
                          pos, pos + nbytes);
    pos += nbytes;
  endfor
  hdr = [strjoin(parts, ",") "}"];
  hdr = [hdr repmat(" ", 1, mod (8 - mod (numel (hdr), 8), 8))];
  __safetensors_write__ (file, hdr, tensors(:), shapes(:), dtype);
  nbytes = 8 + numel (hdr) + pos;
endfunction
