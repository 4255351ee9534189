## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{n} =} tfm_max_positions (@var{model})
## The longest sequence @var{model} takes (its position table, less what the
## architecture reserves: RoBERTa's positions start after its padding id),
## from the architecture registry.
## @end deftypefn

function n = tfm_max_positions (model)
  n = __tfm_arch__ ("max_seq", model);
endfunction
