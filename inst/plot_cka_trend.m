## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {[@var{fig}, @var{ax}] =} plot_cka_trend (@var{values})
## @deftypefnx {cka} {[@var{fig}, @var{ax}] =} plot_cka_trend (@var{R})
## @deftypefnx {cka} {[@var{fig}, @var{ax}] =} plot_cka_trend (@dots{}, @var{Name}, @var{Value}, @dots{})
## Plot CKA values as lines, e.g. the diagonal of a CKA matrix across layers
## or a similarity across training epochs.
##
## @var{values} is a vector (one line), a matrix (one line per row) or a cell
## array of vectors (one line each; lengths may differ).  A @code{cka_compare}
## result @var{R}, alone or as an element of such a cell, gives the diagonal
## of its matrix (layer k of the first model against layer k of the second),
## or the rows or columns chosen with @qcode{"Rows"} or @qcode{"Columns"};
## its lines are named @qcode{"<model 1> vs <model 2>"} or after the layer of
## the row or column.  The y axis spans 0 to 1.05 (widened to show values
## outside that range).
##
## When a result carries bootstrap confidence intervals (from
## @code{cka_compare (@dots{}, "Bootstrap", @var{B})}: fields @code{ci_low}
## and @code{ci_high}), each of its lines is drawn over a shaded band from
## the lower to the upper end of the interval of each point, in a light
## shade of the line's colour; points whose interval is NaN break the band.
## A second line under the x label says what the shading is, e.g.
## @qcode{"shaded: 95% bootstrap CI (1000 resamples of batches)"}.
##
## Options (case-insensitive; pytorch-cka's snake_case names such as
## @qcode{"x_values"} work too):
##
## @table @asis
## @item @qcode{"Labels"} (cellstr, default @qcode{"Line 0"}, @qcode{"Line 1"}, @dots{})
## Legend entries.  Lines of results default to the names given above.
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
## @item @qcode{"Intervals"} (default @code{true})
## Draw the interval bands of results that carry them; @code{false} draws
## none.  Given explicitly as @code{true}, every line must come from a result
## with intervals, else the error @code{cka:plot:noIntervals}.
## @item @qcode{"Rows"}, @qcode{"Columns"} (default: the diagonal)
## Indices (from 1) of the rows or columns of a result's matrix to draw,
## one line each, instead of its diagonal; one of the two at most.  A row
## is one layer of the first model against every layer of the second.
## @end table
##
## The lines are returned as the children of @var{ax} with tag
## @qcode{"cka_trend"}, the bands as patches with tag
## @qcode{"cka_interval"}, drawn below the lines and markers.
##
## @example
## @group
## d = [1 0.93 0.85 0.71 0.64 0.55];
## plot_cka_trend (@{d, d.^2@}, "Labels", @{"BERT vs BERT", "BERT vs GPT-2"@}, ...
##                 "Title", "Layer-wise CKA", "File", "trend.svg");
## @end group
## @end example
##
## @example
## @group
## R = cka_compare (bert, gpt2, ids, "Bootstrap", 1000);
## plot_cka_trend (R, "File", "diagonal.png");        # diagonal with its 95% CI
## plot_cka_trend (R, "Rows", [1 4], "File", "rows.png");
## @end group
## @end example
##
## @seealso{plot_cka_heatmap, plot_cka_comparison, cka_compare}
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
                     "Dpi", 100, "Intervals", true, "Rows", [],
                     "Columns", []);
  [opts, given] = parse_options (fname, defaults, varargin);

  show_ci = cka_check_flag (opts.Intervals, "Intervals", fname);
  [lines, bands, names, ci_notes] = to_lines (values, opts.Rows, opts.Columns, fname);
  n = numel (lines);
  if (show_ci && given.Intervals)
    k = find (cellfun (@isempty, bands), 1);
    if (! isempty (k))
      error ("cka:plot:noIntervals",
             ["%s: Intervals is true but %s has no confidence intervals (fields ", ...
              "ci_low, ci_high); they come from cka_compare (..., \"Bootstrap\", B)"],
             fname, cka_ifelse (n == 1, "the input", sprintf ("line %d", k)));
    endif
  endif
  if (! show_ci)
    bands(:) = {[]};
    ci_notes = {};
  endif
  labels = opts.Labels;
  if (isempty (labels))
    labels = names;
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
  xs = cell (1, n);
  for k = 1:n
    if (isempty (xv))
      xs{k} = 0:numel (lines{k}) - 1;
    else
      xs{k} = double (xv(:)');
    endif
  endfor
  ## interval bands first, so that every line and marker is drawn over them
  for k = 1:n
    if (! isempty (bands{k}))
      draw_band (ax, xs{k}, bands{k}, colors(mod (k-1, rows (colors)) + 1, :));
    endif
  endfor
  h = zeros (n, 1);
  for k = 1:n
    h(k) = line (ax, xs{k}, lines{k}, "color", colors(mod (k-1, rows (colors)) + 1, :),
                 "linestyle", styles{mod(k-1, numel (styles)) + 1},
                 "marker", markers{mod(k-1, numel (markers)) + 1},
                 "markersize", opts.MarkerSize, "linewidth", opts.LineWidth,
                 "tag", "cka_trend");
    if (! strcmp (get (h(k), "marker"), "none"))
      set (h(k), "markerfacecolor", get (h(k), "color"));
    endif
  endfor
  ## pytorch-cka's fixed 0..1.05, widened only if values (or interval ends)
  ## lie outside (the unbiased estimator can give slightly negative CKA)
  ally = [cellfun(@min, lines), cellfun(@max, lines), ...
          cell2mat(cellfun (@(b) b(:)', bands, "uniformoutput", false))];
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
  ## what the shading means, as a second line under the x axis: the toolkit
  ## makes room for it, in a figure of its own or in a subplot alike
  xl = opts.XLabel;
  if (! isempty (ci_notes) && ! isempty (findobj (ax, "tag", "cka_interval")))
    xl = [cka_ifelse(isempty (xl), {}, {xl}), {["shaded: " strjoin(ci_notes, "; ")]}];
    if (created)
      ## gnuplot sets the last line flush with the figure's edge: lift the
      ## axes by a few pixels so that descenders are not cut off
      lift = 8 / cka_fig_pixels (fig)(2);
      set (ax, "outerposition", [0, lift, 1, 1 - lift]);
    endif
  endif
  xlabel (ax, xl, "interpreter", "none", "fontsize", fs + 1);
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

function draw_band (ax, x, b, col)
  ## one patch per run of points whose interval is known (NaN ends break
  ## the band); an isolated point gets a narrow bar
  ok = isfinite (x) & all (isfinite (b), 1);
  d = diff ([false, ok, false]);
  first = find (d == 1);
  last = find (d == -1) - 1;
  w = 0.08 * min ([diff(sort (x(isfinite (x)))), 1]);
  for m = 1:numel (first)
    i = first(m):last(m);
    if (isscalar (i))
      px = x(i) + [-w, w, w, -w];
      py = [b(1,i), b(1,i), b(2,i), b(2,i)];
    else
      px = [x(i), fliplr(x(i))];
      py = [b(1,i), fliplr(b(2,i))];
    endif
    patch (ax, px, py, 1 - BAND_TINT * (1 - col), "facealpha", BAND_ALPHA,
           "edgecolor", "none", "tag", "cka_interval");
  endfor
endfunction

## Colour of the interval bands: the line's colour lightened towards white
## (BAND_TINT of its strength), drawn at BAND_ALPHA so that where bands
## overlap both show.  gnuplot outlines a filled patch in its colour at full
## opacity: the lightened colour keeps that outline faint.
function t = BAND_TINT ()
  t = 0.4;
endfunction

function a = BAND_ALPHA ()
  a = 0.55;
endfunction

function loc = legend_corner (h, ax, nl)
  ## matplotlib's "best", simplified: the corner whose legend-sized box
  ## covers the fewest points of the (densely resampled) lines and outlines
  ## of the interval bands
  xl = get (ax, "xlim");
  yl = get (ax, "ylim");
  px = [];
  py = [];
  hb = findobj (ax, "tag", "cka_interval");
  for k = 1:numel (h) + numel (hb)
    if (k <= numel (h))
      x = get (h(k), "xdata");
      y = get (h(k), "ydata");
    else
      v = get (hb(k - numel (h)), "vertices");
      x = v(:,1)';
      y = v(:,2)';
    endif
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

function [lines, bands, names, notes] = to_lines (values, rsel, csel, fname)
  ## lines{k}: row vector; bands{k}: its interval [lo; hi] or []; names{k}:
  ## default legend entry; notes: what the intervals of the results are
  if (iscell (values))
    items = values(:)';
  elseif (isstruct (values))
    items = {values};
  elseif (isnumeric (values) && ndims (values) == 2)
    if (isvector (values))
      items = {values};
    else
      items = num2cell (values, 2)';
    endif
  else
    items = {};
  endif
  is_res = cellfun (@isstruct, items);
  ok = (! isempty (items)
        && all (cellfun (@(v) isstruct (v) || (isnumeric (v) && isreal (v)
                                              && isvector (v)), items)));
  if (! ok)
    error ("cka:plot:badInput",
           ["%s: values must be a real vector, a matrix (one line per row), ", ...
            "a cka_compare result or a cell of these"],
           fname);
  endif
  if (! isempty (rsel) && ! isempty (csel))
    error ("cka:input:badOption", "%s: give Rows or Columns, not both", fname);
  endif
  if ((! isempty (rsel) || ! isempty (csel)) && ! any (is_res))
    error ("cka:input:badOption",
           "%s: Rows and Columns pick lines of a cka_compare result, and values has none",
           fname);
  endif
  lines = {};
  bands = {};
  names = {};
  notes = {};
  for k = 1:numel (items)
    if (! is_res(k))
      lines{end+1} = double (items{k}(:)');
      bands{end+1} = [];
      names{end+1} = sprintf ("Line %d", numel (lines) - 1);
      continue;
    endif
    [l, b, nm, note] = result_lines (items{k}, rsel, csel, fname);
    lines = [lines, l];
    bands = [bands, b];
    for m = 1:numel (nm)
      if (isempty (nm{m}))
        nm{m} = sprintf ("Line %d", numel (names));
      endif
      names{end+1} = nm{m};
    endfor
    if (! isempty (note) && ! any (strcmp (note, notes)))
      notes{end+1} = note;
    endif
  endfor
endfunction

function [lines, bands, names, note] = result_lines (R, rsel, csel, fname)
  ## the lines of one cka_compare result: its diagonal (layer k of model 1
  ## against layer k of model 2), or the chosen rows or columns, each with
  ## the matching entries of ci_low and ci_high
  res = cka_result_fields (R, fname);
  M = res.cka;
  if (! (isnumeric (M) && isreal (M) && ndims (M) == 2))
    error ("cka:plot:badInput", "%s: the result's cka must be a real matrix", fname);
  endif
  M = double (M);
  [n1, n2] = size (M);
  lo = res.ci_low;
  hi = res.ci_high;
  has_ci = ! isempty (lo) || ! isempty (hi);
  if (has_ci && ! (isnumeric (lo) && isnumeric (hi) && isequal (size (lo), size (M))
                   && isequal (size (hi), size (M))))
    error ("cka:plot:sizeMismatch",
           "%s: the result's ci_low and ci_high must both be %d-by-%d like its cka matrix",
           fname, n1, n2);
  endif
  lo = double (lo);
  hi = double (hi);
  if (! isempty (rsel))
    idx = check_index (rsel, n1, "Rows", fname);
    pick = arrayfun (@(i) {i, 1:n2}, idx, "uniformoutput", false);
    names = arrayfun (@(i) layer_name (res.layers1, i), idx, "uniformoutput", false);
  elseif (! isempty (csel))
    idx = check_index (csel, n2, "Columns", fname);
    pick = arrayfun (@(j) {1:n1, j}, idx, "uniformoutput", false);
    names = arrayfun (@(j) layer_name (res.layers2, j), idx, "uniformoutput", false);
  else
    d = sub2ind ([n1, n2], 1:min (n1, n2), 1:min (n1, n2));
    pick = {{d}};
    names = {""};
    if (! isempty (res.model1_name) && ! isempty (res.model2_name))
      names = {sprintf("%s vs %s", res.model1_name, res.model2_name)};
    endif
  endif
  lines = cell (1, numel (pick));
  bands = cell (1, numel (pick));
  for m = 1:numel (pick)
    lines{m} = M(pick{m}{:})(:)';
    if (has_ci)
      bands{m} = [lo(pick{m}{:})(:)'; hi(pick{m}{:})(:)'];
    endif
  endfor
  note = "";
  if (has_ci)
    note = "bootstrap CI";
    lvl = res.ci_level;
    if (isscalar (lvl) && isnumeric (lvl) && lvl > 0 && lvl < 1)
      note = sprintf ("%g%% %s", 100 * lvl, note);
    endif
    nb = res.n_bootstrap;
    if (isscalar (nb) && isnumeric (nb) && nb >= 1)
      note = sprintf ("%s (%d resamples of batches)", note, nb);
    endif
  endif
endfunction

function idx = check_index (v, n, name, fname)
  if (! (isnumeric (v) && isreal (v) && isvector (v) && all (v == fix (v))
         && all (v >= 1) && all (v <= n)))
    error ("cka:input:badOption",
           "%s: %s must be indices from 1 to %d of the result's cka matrix",
           fname, name, n);
  endif
  idx = double (v(:)');
endfunction

function s = layer_name (layers, i)
  if (numel (layers) >= i)
    s = layers{i};
  else
    s = sprintf ("Layer %d", i - 1);
  endif
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

%!function c = xlabel_lines (ax)
%!  ## the lines of the x label (escaped for gnuplot once the figure is done)
%!  s = get (get (ax, "xlabel"), "string");
%!  if (iscell (s))
%!    s = strjoin (s(:)', "\n");
%!  endif
%!  c = strsplit (strrep (s, '\012', "\n"), "\n");
%!endfunction

## A result with bootstrap intervals: its diagonal over a band whose
## vertices are the interval ends, drawn below the line; the note under the
## x label; the band's light shade in the picture, the line on top of it
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! [i, j] = ndgrid (1:6);
%! R.cka = exp (-abs (i - j) / 3) .* (1 - 0.05 * (i + j));
%! R.ci_low = R.cka - 0.04;  R.ci_high = R.cka + 0.06;
%! R.ci_level = 0.95;  R.n_bootstrap = 1000;
%! R.model1_name = "bert";  R.model2_name = "gpt2";
%! f = [tempname() ".png"];
%! unwind_protect
%!   [fig, ax] = plot_cka_trend (R, "FigSize", [8, 5], "File", f);
%!   d = diag (R.cka)';
%!   h = findobj (ax, "tag", "cka_trend");
%!   assert (numel (h), 1);
%!   assert (get (h, "ydata"), d);
%!   hb = findobj (ax, "tag", "cka_interval");
%!   assert (numel (hb), 1);
%!   assert (get (hb, "type"), "patch");
%!   v = get (hb, "vertices");
%!   assert (v, [0:5, 5:-1:0; diag(R.ci_low)', fliplr(diag (R.ci_high)')]', 1e-12);
%!   assert (get (hb, "facealpha") < 1);
%!   kids = get (ax, "children");                # first child is drawn last
%!   assert (find (kids == h) < find (kids == hb));
%!   assert (xlabel_lines (ax), {"Layer", "shaded: 95% bootstrap CI (1000 resamples of batches)"});
%!   assert (isempty (findobj (fig, "tag", "legend")));
%!   ## in the picture, down a column between two markers: white, the band's
%!   ## light blue, the line's own blue over it, light blue again, white
%!   img = double (imread (f));
%!   p = get (ax, "position");  xl = get (ax, "xlim");
%!   col = squeeze (img(:, round ((p(1) + (2.5 - xl(1)) / diff (xl) * p(3)) * 800), :));
%!   near = @(rgb, tol) all (abs (col - rgb) < tol, 2);
%!   blue = find (near ([31 119 180], 40));
%!   shade = find (near (255 * (1 - 0.22 * (1 - [31 119 180] / 255)), 12));
%!   assert (! isempty (blue));
%!   assert (nnz (shade < min (blue)) > 10 && nnz (shade > max (blue)) > 5);
%!   assert (all (near ([255 255 255], 3)(min (shade) - (5:15))));
%! unwind_protect_cleanup
%!   close all;
%!   if (exist (f, "file"))
%!     delete (f);
%!   endif
%! end_unwind_protect

## Rows and Columns take the matching interval entries; NaN ends break the
## band (an isolated point gets a narrow bar); several results, mixed with a
## plain vector; Intervals false; results without intervals; SVG
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! C = [0.9 0.5 0.3 0.2 0.1; 0.6 0.8 0.5 0.4 0.3; 0.3 0.5 0.7 0.6 0.4];
%! R = struct ("cka", C, "ci_low", C - 0.1, "ci_high", C + 0.05, "ci_level", 0.9, ...
%!             "n_bootstrap", 200, "layers1", {{"a.0", "a.1", "a.2"}});
%! R.ci_low(2, 2) = NaN;
%! fs = [tempname() ".svg"];
%! unwind_protect
%!   [fig, ax] = plot_cka_trend (R, "Rows", [1 2], "File", fs);
%!   h = flipud (findobj (ax, "tag", "cka_trend"));
%!   assert (get (h, "ydata"), {C(1,:); C(2,:)});
%!   assert (get (findobj (fig, "tag", "legend"), "string"), {"a.0", "a.1"});
%!   hb = flipud (findobj (ax, "tag", "cka_interval"));
%!   assert (numel (hb), 3);                     # row 1 whole, row 2 in two
%!   v = get (hb, "vertices");
%!   assert (v{1}, [0:4, 4:-1:0; C(1,:) - 0.1, fliplr(C(1,:) + 0.05)]', 1e-12);
%!   w = v{2};                                   # row 2, column 1: a bar
%!   assert (w(:,2)', [0.5 0.5 0.65 0.65], 1e-12);
%!   assert (mean (w(:,1)), 0, 1e-12);
%!   assert (v{3}, [2:4, 4:-1:2; C(2,3:5) - 0.1, fliplr(C(2,3:5) + 0.05)]', 1e-12);
%!   ## each band has its line's hue
%!   fc = cell2mat (get (hb, "facecolor"));
%!   lc = cell2mat (get (h, "color"));
%!   assert (fc, 1 - 0.4 * (1 - lc([1 2 2],:)), 1e-12);
%!   assert (xlabel_lines (ax), {"Layer", "shaded: 90% bootstrap CI (200 resamples of batches)"});
%!   txt = fileread (fs);
%!   assert (! isempty (strfind (txt, "fill-opacity")));
%!   close (fig);
%!   [fig, ax] = plot_cka_trend (R, "Columns", 3, "Visible", "off");
%!   v = get (findobj (ax, "tag", "cka_interval"), "vertices");
%!   assert (v, [0:2, 2:-1:0; C(:,3)' - 0.1, fliplr(C(:,3)' + 0.05)]', 1e-12);
%!   close (fig);
%!   ## two results and a vector: bands for the results only, one note
%!   R.ci_low = C - 0.1;
%!   R2 = R;  R2.model1_name = "x";  R2.model2_name = "y";
%!   [fig, ax] = plot_cka_trend ({R, R2, [0.2 0.3 0.4]}, "Visible", "off");
%!   assert (numel (findobj (ax, "tag", "cka_interval")), 2);
%!   assert (get (findobj (fig, "tag", "legend"), "string"), {"Line 0", "x vs y", "Line 2"});
%!   assert (numel (xlabel_lines (ax)), 2);
%!   close (fig);
%!   [fig, ax] = plot_cka_trend (R, "Intervals", false, "Visible", "off");
%!   assert (isempty (findobj (ax, "tag", "cka_interval")));
%!   assert (xlabel_lines (ax), {"Layer"});
%!   assert (get (findobj (ax, "tag", "cka_trend"), "ydata"), diag (C)');
%!   close (fig);
%!   [fig, ax] = plot_cka_trend (struct ("cka", C), "Visible", "off");
%!   assert (isempty (findobj (ax, "tag", "cka_interval")));
%!   assert (xlabel_lines (ax), {"Layer"});
%! unwind_protect_cleanup
%!   close all;
%!   if (exist (fs, "file"))
%!     delete (fs);
%!   endif
%! end_unwind_protect

## The y axis makes room for the intervals
%!test
%! R = struct ("cka", [0.02 0.5; 0.5 1], "ci_low", [-0.2 0.4; 0.4 0.9], ...
%!             "ci_high", [0.1 0.6; 0.6 1.2]);
%! [fig, ax] = plot_cka_trend (R, "Visible", false);
%! unwind_protect
%!   assert (get (ax, "ylim"), [-0.25, 1.25], 1e-12);
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect

%!error id=cka:plot:noIntervals plot_cka_trend (struct ("cka", eye (3)), "Intervals", true)
%!error id=cka:plot:noIntervals plot_cka_trend ([1 0.9 0.8], "Intervals", true)
%!error <line 2 has no confidence intervals>
%! R = struct ("cka", eye (2), "ci_low", eye (2), "ci_high", eye (2));
%! plot_cka_trend ({R, [1 2]}, "Intervals", true);
%!error id=cka:plot:sizeMismatch
%! plot_cka_trend (struct ("cka", eye (3), "ci_low", eye (2), "ci_high", eye (2)));
%!error id=cka:input:badOption plot_cka_trend (struct ("cka", eye (3)), "Intervals", "yes")
%!error id=cka:input:badOption plot_cka_trend (struct ("cka", eye (3)), "Rows", 1, "Columns", 1)
%!error id=cka:input:badOption plot_cka_trend (struct ("cka", eye (3)), "Rows", 4)
%!error id=cka:input:badOption plot_cka_trend (struct ("cka", eye (3)), "Columns", 1.5)
%!error id=cka:input:badOption plot_cka_trend (eye (3), "Rows", 1)
