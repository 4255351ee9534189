## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{name} =} tfm_dtype_name (@var{s})
## The canonical name of a weight storage type: @qcode{"float32"} (for
## "single", "float32", "f32"), @qcode{"bfloat16"} ("bfloat16", "bf16") or
## @qcode{"float16"} ("float16", "f16", "half"), case-insensitive; "" for
## anything else.  The one table of these names (tfm_cast, tfm_load,
## tfm_create, tfm_save).
## @end deftypefn

function name = tfm_dtype_name (s)
  name = "";
  if (! (ischar (s) && isrow (s)))
    return;
  endif
  switch (lower (s))
    case {"single", "float32", "f32"}
      name = "float32";
    case {"bfloat16", "bf16"}
      name = "bfloat16";
    case {"float16", "f16", "half"}
      name = "float16";
  endswitch
endfunction

%!assert (tfm_dtype_name ("Single"), "float32")
%!assert (tfm_dtype_name ("bf16"), "bfloat16")
%!assert (tfm_dtype_name ("half"), "float16")
%!assert (tfm_dtype_name ("int8"), "")
%!assert (tfm_dtype_name (16), "")
