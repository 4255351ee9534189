## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {[@var{fig}, @var{ax}, @var{created}] =} cka_plot_figure (@var{ax}, @var{figsize}, @var{fname})
## Figure and axes for a plot function: a new invisible figure of
## @var{figsize} inches (at 100 pixels per inch) when @var{ax} is empty, else
## the figure holding the axes @var{ax}.  The figure stays invisible while it is
## drawn (@code{cka_plot_finish} decides visibility at the end), so the
## gnuplot toolkit does not redraw after every object.
## @end deftypefn

function [fig, ax, created] = cka_plot_figure (ax, figsize, fname)
  ## "using the gnuplot graphics toolkit is discouraged": the package supports it.
  warning ("off", "Octave:gnuplot-graphics", "local");
  created = isempty (ax);
  if (created)
    if (! (isnumeric (figsize) && isreal (figsize) && numel (figsize) == 2
           && all (isfinite (figsize)) && all (figsize > 0)))
      error ("cka:input:badOption",
             "%s: FigSize must be [width, height] in inches, both > 0", fname);
    endif
    px = max (round (100 * figsize(:)'), 50);
    fig = figure ("visible", "off", "units", "pixels",
                  "position", [0, 0, px], "color", [1 1 1]);
    ax = axes ("parent", fig);
  else
    if (! (isscalar (ax) && isaxes (ax)))
      error ("cka:input:badOption", "%s: Ax must be an axes handle", fname);
    endif
    fig = ancestor (ax, "figure");
  endif
endfunction
