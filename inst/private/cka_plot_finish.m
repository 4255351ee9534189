## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {} cka_plot_finish (@var{fig}, @var{created}, @var{file}, @var{visible}, @var{dpi}, @var{fname})
## Common end of the plot functions: write @var{file} if one is given (format
## from its extension: .png, .svg or .pdf; a PNG at @var{dpi}), then make a
## newly @var{created} figure visible or not.
##
## @var{visible} is @code{true}/@code{false}, @qcode{"on"}/@qcode{"off"}, or
## @qcode{"auto"}: visible when no @var{file} is written and a window can
## actually be shown (a toolkit other than gnuplot, or gnuplot with a
## @env{DISPLAY}); so batch scripts on a headless machine never get gnuplot's
## ASCII-art output.  A figure given through @qcode{"Ax"} keeps its visibility
## unless @var{visible} is explicit.  An explicit true where no window can be
## shown gives the warning @code{cka:plot:noDisplay} and an invisible figure.
##
## With the gnuplot toolkit the figure's texts are first escaped for gnuplot
## (@code{cka_gnuplot_text}), as gnuplot draws them whenever the figure is
## shown or printed, also later by the user.
## @end deftypefn

function cka_plot_finish (fig, created, file, visible, dpi, fname)
  warning ("off", "Octave:gnuplot-graphics", "local");
  vis = parse_visible (visible, fname);
  ## gnuplot runs text it is sent unescaped (backquotes, quotes): every
  ## label of the figure is made inert before anything is drawn or printed
  cka_gnuplot_text (fig);
  if (! isempty (file))
    cka_save_figure (fig, file, dpi, fname);
  endif
  if (ischar (vis))          # "auto"
    if (! created)
      return;
    endif
    vis = isempty (file) && can_show_windows ();
  endif
  if (vis && ! can_show_windows ())
    ## gnuplot without a window terminal would print ASCII art to stdout
    warning ("cka:plot:noDisplay",
             "%s: no display for the gnuplot toolkit; the figure stays invisible (use \"File\" to save it)",
             fname);
    vis = false;
  endif
  if (vis)
    set (fig, "visible", "on");
  else
    set (fig, "visible", "off");
  endif
endfunction

function v = parse_visible (v, fname)
  if (ischar (v))
    switch (lower (v))
      case "on"
        v = true;
      case "off"
        v = false;
      case "auto"
        v = "auto";
      otherwise
        error ("cka:input:badOption",
               "%s: Visible must be true, false, \"on\", \"off\" or \"auto\"", fname);
    endswitch
  elseif ((islogical (v) || isnumeric (v)) && isscalar (v))
    v = logical (v);
  else
    error ("cka:input:badOption",
           "%s: Visible must be true, false, \"on\", \"off\" or \"auto\"", fname);
  endif
endfunction

function tf = can_show_windows ()
  if (! strcmp (graphics_toolkit (), "gnuplot"))
    tf = true;
  else
    tf = (! isempty (getenv ("DISPLAY"))
          && (__gnuplot_has_terminal__ ("qt") || __gnuplot_has_terminal__ ("wxt")
              || __gnuplot_has_terminal__ ("x11")));
  endif
endfunction
