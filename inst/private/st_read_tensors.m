## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{T} =} st_read_tensors (@var{h}, @var{idx})
## Decode the tensors @var{idx} (indices into @code{@var{h}.names}) of the
## safetensors file described by the validated header @var{h} (see
## @code{st_header}) into a column cell of single arrays in PyTorch shapes.
## @end deftypefn

function T = st_read_tensors (h, idx, keep16 = false)
  T = __safetensors_read__ (h.file, h.file_size, h.header_len, h.names, h.dtypes,
                            h.shapes, h.offsets, double (idx(:)'), keep16);
endfunction
