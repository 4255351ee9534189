## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{tf} =} cka_is_json (@var{file})
## True if @var{file} ends in @file{.json} (case-insensitive).
## @end deftypefn

function tf = cka_is_json (file)
  [~, ~, ext] = fileparts (file);
  tf = strcmpi (ext, ".json");
endfunction
