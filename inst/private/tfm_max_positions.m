## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{n} =} tfm_max_positions (@var{model})
## Length of the position table of @var{model}: the longest sequence it takes.
## @end deftypefn

function n = tfm_max_positions (model)
  if (strcmp (model.arch, "gpt2"))
    n = model.config.n_positions;
  else
    n = model.config.max_position_embeddings;
  endif
endfunction
