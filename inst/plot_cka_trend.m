## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {[@var{fig}, @var{ax}] =} plot_cka_trend (@var{values})
## @deftypefnx {cka} {[@var{fig}, @var{ax}] =} plot_cka_trend (@var{values}, @var{Name}, @var{Value}, @dots{})
## Plot CKA values as lines, e.g. the diagonal of a CKA matrix across layers
## or a similarity across training epochs.
##
## @var{values} is a vector (one line), a matrix (one line per row) or a cell
## array of vectors (one line each; lengths may differ).  The y axis spans
## 0 to 1.05 (widened to show values outside that range).
##
## Options (case-insensitive; pytorch-cka's snake_case names such as
## @qcode{"x_values"} work too):
##
## @table @asis
## @item @qcode{"Labels"} (cellstr, default @qcode{"Line 0"}, @qcode{"Line 1"}, @dots{})
## Legend entries.
## @item @qcode{"XValues"} (default 0, 1, 2, @dots{})
## x coordinates, shared by all lines; needs as many values as each line.
## @item @qcode{"XLabel"} (@qcode{"Layer"}), @qcode{"YLabel"} (@qcode{"CKA Similarity"}), @qcode{"Title"} (none)
## @item @qcode{"Colors"}
## One colour per line, reused cyclically: a cell of colour names
## (@qcode{"red"}, @qcode{"r"}, @dots{}), @qcode{"#rrggbb"} strings or RGB
## triples, or an N-by-3 matrix.  Default: matplotlib's @qcode{"tab10"} colours
## spread over the lines, as pytorch-cka does.
## @item @qcode{"LineStyles"} (default @qcode{"-"})
## A string or a cell, reused cyclically: @qcode{"-"}, @qcode{"--"},
## @qcode{":"}, @qcode{"-."}, @qcode{"none"}, or matplotlib's names
## @qcode{"solid"}, @qcode{"dashed"}, @qcode{"dotted"}, @qcode{"dashdot"}.
## @item @qcode{"Markers"} (default @qcode{"o"})
## A string or a cell, reused cyclically: @qcode{"o"}, @qcode{"s"},
## @qcode{"^"}, @qcode{"v"}, @qcode{"<"}, @qcode{">"}, @qcode{"d"}
## (matplotlib's @qcode{"D"}), @qcode{"x"}, @qcode{"+"}, @qcode{"*"},
## @qcode{"."}, @qcode{"p"}, @qcode{"h"}, @qcode{"none"}.
## @item @qcode{"Legend"} (default @code{true})
## A legend when there is more than one line, in the corner with the fewest
## data points.
## @item @qcode{"Grid"} (default @code{true})
## @item @qcode{"LineWidth"} (1.5), @qcode{"MarkerSize"} (6), @qcode{"FontSize"} (11)
## @item @qcode{"FigSize"} (default @code{[10, 6]})
## In inches, at 100 pixels per inch.
## @item @qcode{"Ax"}, @qcode{"File"}, @qcode{"Visible"}, @qcode{"Dpi"}
## As for @code{plot_cka_heatmap}.
## @end table
##
## The lines are returned as the children of @var{ax} with tag
## @qcode{"cka_trend"}.
##
## @example
## @group
## d = [1 0.93 0.85 0.71 0.64 0.55];
## plot_cka_trend (@{d, d.^2@}, "Labels", @{"BERT vs BERT", "BERT vs GPT-2"@}, ...
##                 "Title", "Layer-wise CKA", "File", "trend.svg");
## @end group
## @end example
##
## @seealso{plot_cka_heatmap, plot_cka_comparison}
## @end deftypefn

function [fig, ax] = plot_cka_trend (values, varargin)
  if (nargin < 1)
    print_usage ();
  endif
  fname = "plot_cka_trend";
  defaults = struct ("Labels", [], "XValues", [], "XLabel", "Layer",
                     "YLabel", "CKA Similarity", "Title", "",
                     "FigSize", [10, 6], "Ax", [], "Colors", [],
                     "LineStyles", [], "Markers", [], "Legend", true,
                     "Grid", true, "LineWidth", 1.5, "MarkerSize", 6,
                     "FontSize", 11, "File", "", "Visible", "auto",
                     "Dpi", 100);
  opts = parse_options (fname, defaults, varargin);

  lines = to_lines (values, fname);
  n = numel (lines);
  labels = opts.Labels;
  if (isempty (labels))
    labels = arrayfun (@(k) sprintf ("Line %d", k), 0:n-1, "uniformoutput", false);
  elseif (ischar (labels))
    labels = {labels};
  elseif (! iscellstr (labels))
    error ("cka:input:badOption", "%s: Labels must be a cell array of strings",
           fname);
  endif
  xv = opts.XValues;
  if (! isempty (xv))
    if (! (isnumeric (xv) && isreal (xv) && isvector (xv)))
      error ("cka:input:badOption", "%s: XValues must be a real vector", fname);
    endif
    for k = 1:n
      if (numel (lines{k}) != numel (xv))
        error ("cka:plot:sizeMismatch",
               "%s: XValues has %d values but line %d has %d", fname,
               numel (xv), k, numel (lines{k}));
      endif
    endfor
  endif
  colors = trend_colors (opts.Colors, n, fname);
  styles = as_list (opts.LineStyles, "-", "LineStyles", fname);
  styles = cellfun (@(s) line_style (s, fname), styles, "uniformoutput", false);
  markers = as_list (opts.Markers, "o", "Markers", fname);
  markers = cellfun (@(s) marker_style (s, fname), markers, "uniformoutput", false);
  for name = {"XLabel", "YLabel", "Title"}
    if (! ischar (opts.(name{1})))
      error ("cka:input:badOption", "%s: %s must be a string", fname, name{1});
    endif
  endfor
  fs = opts.FontSize;
  if (! (isscalar (fs) && isnumeric (fs) && isfinite (fs) && fs > 0))
    error ("cka:input:badOption", "%s: FontSize must be a positive number", fname);
  endif

  [fig, ax, created] = cka_plot_figure (opts.Ax, opts.FigSize, fname);
  if (! created)
    cla (ax);
  endif
  h = zeros (n, 1);
  for k = 1:n
    y = lines{k};
    if (isempty (xv))
      x = 0:numel (y) - 1;
    else
      x = xv(:)';
    endif
    h(k) = line (ax, x, y, "color", colors(mod (k-1, rows (colors)) + 1, :),
                 "linestyle", styles{mod(k-1, numel (styles)) + 1},
                 "marker", markers{mod(k-1, numel (markers)) + 1},
                 "markersize", opts.MarkerSize, "linewidth", opts.LineWidth,
                 "tag", "cka_trend");
    if (! strcmp (get (h(k), "marker"), "none"))
      set (h(k), "markerfacecolor", get (h(k), "color"));
    endif
  endfor
  ## pytorch-cka's fixed 0..1.05, widened only if values lie outside (the
  ## unbiased estimator can give slightly negative CKA)
  ally = [cellfun(@min, lines), cellfun(@max, lines)];
  ally = ally(isfinite (ally));
  ylo = min ([0, ally - 0.05]);
  yhi = max ([1.05, ally + 0.05]);
  set (ax, "ylim", [ylo, yhi], "fontsize", fs, "box", "on",
       "ticklabelinterpreter", "none");
  allx = cell2mat (cellfun (@(y) numel (y), lines, "uniformoutput", false));
  if (isempty (xv))
    xmax = max ([allx(:); 1]) - 1;
    set (ax, "xlim", [-0.5, max(xmax, 0) + 0.5]);
    if (xmax <= 24)
      set (ax, "xtick", 0:xmax);
    endif
  elseif (numel (xv) > 1 && max (xv) > min (xv))
    pad = 0.03 * (max (xv) - min (xv));
    set (ax, "xlim", [min(xv) - pad, max(xv) + pad]);
  endif
  xlabel (ax, opts.XLabel, "interpreter", "none", "fontsize", fs + 1);
  ylabel (ax, opts.YLabel, "interpreter", "none", "fontsize", fs + 1);
  if (! isempty (opts.Title))
    ## normal weight as in matplotlib (and gnuplot's SVG mangles bold fonts)
    title (ax, opts.Title, "interpreter", "none", "fontsize", fs + 3,
           "fontweight", "normal");
  endif
  if (cka_check_flag (opts.Grid, "Grid", fname))
    set (ax, "xgrid", "on", "ygrid", "on", "gridcolor", [0.8 0.8 0.8],
         "gridalpha", 1, "gridlinestyle", "-");
  endif
  if (cka_check_flag (opts.Legend, "Legend", fname) && n > 1)
    nl = min (n, numel (labels));
    legend (ax, h(1:nl), labels(1:nl), "location", legend_corner (h, ax, nl),
            "interpreter", "none");
  endif
  cka_plot_finish (fig, created, opts.File, opts.Visible, opts.Dpi, fname);
  if (nargout == 0)
    clear fig ax;
  endif
endfunction

function loc = legend_corner (h, ax, nl)
  ## matplotlib's "best", simplified: the corner whose legend-sized box
  ## covers the fewest points of the (densely resampled) lines
  xl = get (ax, "xlim");
  yl = get (ax, "ylim");
  px = [];
  py = [];
  for k = 1:numel (h)
    x = get (h(k), "xdata");
    y = get (h(k), "ydata");
    if (numel (x) > 1)
      t = linspace (1, numel (x), 20 * numel (x));
      x = interp1 (x, t);
      y = interp1 (y, t);
    endif
    px = [px, (x - xl(1)) / diff(xl)];
    py = [py, (y - yl(1)) / diff(yl)];
  endfor
  bw = 0.45;
  bh = min (0.9, 0.07 * nl + 0.05);
  locs = {"northeast", "southwest", "southeast", "northwest"};
  boxes = [1-bw, 1-bh; 0, 0; 1-bw, 0; 0, 1-bh];
  hits = zeros (1, 4);
  for k = 1:4
    hits(k) = nnz (px >= boxes(k,1) & px <= boxes(k,1) + bw
                   & py >= boxes(k,2) & py <= boxes(k,2) + bh);
  endfor
  [~, k] = min (hits);
  loc = locs{k};
endfunction

function lines = to_lines (values, fname)
  if (iscell (values))
    lines = values(:)';
  elseif (isnumeric (values) && ndims (values) == 2)
    if (isvector (values))
      lines = {values};
    else
      lines = num2cell (values, 2)';
    endif
  else
    lines = {};
  endif
  ok = (! isempty (lines)
        && all (cellfun (@(v) isnumeric (v) && isreal (v) && isvector (v), lines)));
  if (! ok)
    error ("cka:plot:badInput",
           "%s: values must be a real vector, a matrix (one line per row) or a cell of vectors",
           fname);
  endif
  lines = cellfun (@(v) double (v(:)'), lines, "uniformoutput", false);
endfunction

function c = as_list (v, dflt, name, fname)
  if (isempty (v))
    c = {dflt};
  elseif (ischar (v))
    c = {v};
  elseif (iscellstr (v))
    c = v(:)';
  else
    error ("cka:input:badOption", "%s: %s must be a string or a cell of strings",
           fname, name);
  endif
endfunction

function s = line_style (s, fname)
  switch (s)
    case {"-", "solid"}
      s = "-";
    case {"--", "dashed"}
      s = "--";
    case {":", "dotted"}
      s = ":";
    case {"-.", "dashdot"}
      s = "-.";
    case {"none", "None", "", " "}
      s = "none";
    otherwise
      error ("cka:input:badOption", "%s: unknown line style '%s'", fname, s);
  endswitch
endfunction

function s = marker_style (s, fname)
  switch (s)
    case {"o", "s", "^", "v", "<", ">", "d", "x", "+", "*", ".", "p", "h"}
    case "D"
      s = "d";
    case {"none", "None", "", " "}
      s = "none";
    otherwise
      error ("cka:input:badOption", "%s: unknown marker '%s'", fname, s);
  endswitch
endfunction

function rgb = trend_colors (spec, n, fname)
  if (isempty (spec))
    ## matplotlib's tab10 (hex values of its published table), sampled the way
    ## pytorch-cka does: line i of n gets tab10(i / max(n-1, 1)).
    tab10 = hex2rgb ({"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", ...
                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"});
    t = (0:n-1) / max (n - 1, 1);
    idx = min (floor (t * 10), 9) + 1;
    rgb = tab10(idx, :);
    return;
  endif
  if (isnumeric (spec))
    if (columns (spec) != 3 || any (spec(:) < 0) || any (spec(:) > 1))
      error ("cka:input:badOption",
             "%s: numeric Colors must be an N-by-3 matrix of RGB values in [0, 1]",
             fname);
    endif
    rgb = double (spec);
    return;
  endif
  if (ischar (spec))
    spec = {spec};
  endif
  if (! iscell (spec))
    error ("cka:input:badOption", "%s: Colors must be a cell of colours", fname);
  endif
  rgb = zeros (numel (spec), 3);
  for k = 1:numel (spec)
    rgb(k,:) = one_color (spec{k}, fname);
  endfor
endfunction

function c = one_color (s, fname)
  if (isnumeric (s) && numel (s) == 3 && all (s >= 0 & s <= 1))
    c = double (s(:)');
    return;
  endif
  if (ischar (s))
    if (numel (s) == 7 && s(1) == "#" && all (isxdigit (s(2:end))))
      c = hex2rgb ({s});
      return;
    endif
    names = {"b", "blue", [0 0 1]; "g", "green", [0 0.5 0]; "r", "red", [1 0 0];
             "c", "cyan", [0 0.75 0.75]; "m", "magenta", [0.75 0 0.75];
             "y", "yellow", [0.75 0.75 0]; "k", "black", [0 0 0];
             "w", "white", [1 1 1]; "", "orange", [1 0.647 0];
             "", "gray", [0.5 0.5 0.5]; "", "grey", [0.5 0.5 0.5];
             "", "purple", [0.5 0 0.5]; "", "brown", [0.647 0.165 0.165]};
    k = find (strcmp (s, names(:,1)) | strcmpi (s, names(:,2)), 1);
    if (! isempty (k))
      c = names{k,3};
      return;
    endif
  endif
  error ("cka:input:badOption",
         "%s: cannot read colour %s (use a name, \"#rrggbb\" or an RGB triple)",
         fname, disp_str (s));
endfunction

function s = disp_str (v)
  if (ischar (v))
    s = ["'" v "'"];
  else
    s = mat2str (v);
  endif
endfunction

function rgb = hex2rgb (c)
  rgb = zeros (numel (c), 3);
  for k = 1:numel (c)
    rgb(k,:) = hex2dec ({c{k}(2:3), c{k}(4:5), c{k}(6:7)})' / 255;
  endfor
endfunction


%!demo
%! d = [1 0.93 0.85 0.71 0.64 0.55 0.5 0.45];
%! ## also written to a file, so the demo shows something without a display
%! f = fullfile (tempdir (), "plot_cka_trend_demo.png");
%! plot_cka_trend ({d, d.^2}, "Labels", {"BERT vs BERT", "BERT vs GPT-2"}, ...
%!                 "Title", "Layer-wise CKA", "File", f);
%! printf ("figure written to %s\n", f);

## One line: PNG of FigSize * 100 pixels, y from 0 to 1.05, tab10 blue
## markers in the picture, no legend
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! d = [1 0.93 0.85 0.71 0.64 0.55 0.5 0.45];
%! f = [tempname() ".png"];
%! unwind_protect
%!   [fig, ax] = plot_cka_trend (d, "Title", "Diagonal", "FigSize", [8, 5], "File", f);
%!   img = imread (f);
%!   assert (size (img), [500, 800, 3]);
%!   assert (get (ax, "ylim"), [0, 1.05]);
%!   h = findobj (ax, "tag", "cka_trend");
%!   assert (numel (h), 1);
%!   assert (get (h, "ydata"), d);
%!   assert (get (h, "xdata"), 0:7);
%!   assert (get (h, "color"), [31 119 180] / 255, 1e-12);
%!   assert (isempty (findobj (fig, "tag", "legend")));
%!   ## the marker colour is in the picture, at the right place
%!   blue = abs (double (img(:,:,1)) - 31) < 12 & abs (double (img(:,:,2)) - 119) < 12 ...
%!          & abs (double (img(:,:,3)) - 180) < 12;
%!   assert (nnz (blue) > 200);
%!   p = get (ax, "position");
%!   [r, c] = find (blue);
%!   assert (min (r) > (1 - p(2) - p(4)) * 500 - 10);   # inside the axes
%!   assert (max (r) < (1 - p(2)) * 500 + 10);
%! unwind_protect_cleanup
%!   close all;
%!   if (exist (f, "file"))
%!     delete (f);
%!   endif
%! end_unwind_protect

## Several lines from matrix rows or a cell; styles, markers, colours,
## legend, x values; SVG and PDF
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! d = [1 0.9 0.7 0.6 0.5];
%! fs = [tempname() ".svg"];  fp = [tempname() ".pdf"];
%! unwind_protect
%!   [fig, ax] = plot_cka_trend ([d; d.^2; sqrt(d)], "Labels", {"a_1", "b", "c"}, ...
%!                               "LineStyles", {"-", "dashed", ":"}, ...
%!                               "Markers", {"o", "D", "none"}, "File", fs);
%!   h = flipud (findobj (ax, "tag", "cka_trend"));
%!   assert (numel (h), 3);
%!   assert (get (h, "linestyle"), {"-"; "--"; ":"});
%!   assert (get (h, "marker"), {"o"; "d"; "none"});
%!   ## pytorch-cka's colours: tab10 at 0, 0.5 and 1
%!   assert (cell2mat (get (h, "color")), [31 119 180; 140 86 75; 23 190 207] / 255, 1e-12);
%!   lg = findobj (fig, "tag", "legend");
%!   assert (numel (lg), 1);
%!   assert (get (lg, "string"), {"a_1", "b", "c"});
%!   txt = fileread (fs);
%!   assert (! isempty (strfind (txt, "<svg")) && ! isempty (strfind (txt, "a_1")));
%!   close (fig);
%!   [fig, ax] = plot_cka_trend ({d, d(1:3)}, "XLabel", "Epoch", "YLabel", "CKA", ...
%!                               "Colors", {"#ff0000", "k"}, "Legend", false, ...
%!                               "Grid", false, "File", fp);
%!   h = flipud (findobj (ax, "tag", "cka_trend"));
%!   assert (cell2mat (get (h, "color")), [1 0 0; 0 0 0]);
%!   assert (numel (get (h(2), "xdata")), 3);
%!   assert (isempty (findobj (fig, "tag", "legend")));
%!   assert (get (ax, "xgrid"), "off");
%!   assert (get (get (ax, "xlabel"), "string"), "Epoch");
%!   fid = fopen (fp, "r");  head = fread (fid, 5, "char=>char")';  fclose (fid);
%!   assert (head, "%PDF-");
%!   close (fig);
%!   [fig, ax] = plot_cka_trend ([d; d], "x_values", 10:10:50, "colors", [0 0 1]);
%!   h = findobj (ax, "tag", "cka_trend");
%!   assert (get (h(1), "xdata"), 10:10:50);
%!   assert (cell2mat (get (h, "color")), [0 0 1; 0 0 1]);
%! unwind_protect_cleanup
%!   close all;
%!   for f = {fs, fp}
%!     if (exist (f{1}, "file"))
%!       delete (f{1});
%!     endif
%!   endfor
%! end_unwind_protect

%!test
%! ## negative CKA values (unbiased estimator) stay visible
%! [fig, ax] = plot_cka_trend ([-0.2 0.5 1.1], "Visible", false);
%! unwind_protect
%!   assert (get (ax, "ylim"), [-0.25, 1.15], 1e-12);
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect

%!error <Invalid call> plot_cka_trend ()
%!error id=cka:plot:badInput plot_cka_trend ("abc")
%!error id=cka:plot:badInput plot_cka_trend ({1:3, "x"})
%!error id=cka:plot:sizeMismatch plot_cka_trend (1:3, "XValues", 1:4)
%!error id=cka:input:badOption plot_cka_trend (1:3, "LineStyles", "wavy")
%!error id=cka:input:badOption plot_cka_trend (1:3, "Markers", "Q")
%!error id=cka:input:badOption plot_cka_trend (1:3, "Colors", {"nocolour"})
%!error id=cka:input:badOption plot_cka_trend (1:3, "Legend", "yes")
%!error id=cka:input:unknownOption plot_cka_trend (1:3, "YLim", [0 1])
