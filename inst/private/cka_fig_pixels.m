## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{px} =} cka_fig_pixels (@var{fig})
## Width and height of figure @var{fig} in pixels, whatever its units.
## @end deftypefn

function px = cka_fig_pixels (fig)
  u = get (fig, "units");
  set (fig, "units", "pixels");
  pos = get (fig, "position");
  set (fig, "units", u);
  px = pos(3:4);
endfunction
