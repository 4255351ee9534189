## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {[@var{fig}, @var{axes}] =} plot_cka_comparison (@var{matrices}, @var{titles})
## @deftypefnx {cka} {[@var{fig}, @var{axes}] =} plot_cka_comparison (@var{matrices}, @var{titles}, @var{Name}, @var{Value}, @dots{})
## Several CKA heatmaps side by side in a grid, for comparison.
##
## @var{matrices} is a cell array of CKA matrices or @code{cka_compare}
## results; @var{titles} a cell array of strings, one per matrix (or
## @code{@{@}}: results are titled @qcode{"<model 1> vs <model 2>"}, plain
## matrices get no title).  Panels fill the grid row by row; grid cells
## without a matrix are hidden.
##
## Options (case-insensitive, snake_case accepted):
##
## @table @asis
## @item @qcode{"NCols"} (default 2)
## Number of columns of the grid.
## @item @qcode{"ShareColorbar"} (default @code{true})
## One colour scale for all panels (from the smallest to the largest value of
## all matrices, unless @qcode{"VMin"}/@qcode{"VMax"} are given) and a single
## colorbar, labelled @qcode{"CKA Similarity"}, at the right.  With
## @code{false}, every panel has its own scale and colorbar.
## @item @qcode{"Layers"} (cellstr)
## Layer names for both axes of every panel (@qcode{"Layers1"} and
## @qcode{"Layers2"} set them separately).
## @item @qcode{"FigSize"} (default @code{[5*NCols, 4*NRows]})
## In inches, at 100 pixels per inch.
## @item @qcode{"File"}, @qcode{"Visible"}, @qcode{"Dpi"}
## As for @code{plot_cka_heatmap}.
## @end table
##
## Every other option is passed to @code{plot_cka_heatmap} for each panel:
## @qcode{"Cmap"}, @qcode{"Annot"}, @qcode{"AnnotFmt"}, @qcode{"MaskUpper"},
## @qcode{"LayerNameDepth"}, @qcode{"Range"}, @qcode{"VMin"}, @qcode{"VMax"},
## the model names and font sizes.  With a shared colorbar,
## @qcode{"Range"} @code{[0 1]} fixes the common scale; an automatic scale
## spanning less than half of [0, 1] is stated in the colorbar label.
##
## @var{axes} is an NRows-by-NCols array of axes handles (hidden ones
## included); the shared colorbar has tag @qcode{"cka_colorbar"}.
##
## @example
## @group
## A = rand (6); B = A.^2; C = sqrt (A);
## plot_cka_comparison (@{A, B, C@}, @{"A", "B", "C"@}, "NCols", 3, ...
##                      "MaskUpper", true, "File", "panels.pdf");
## @end group
## @end example
##
## @seealso{plot_cka_heatmap, plot_cka_trend}
## @end deftypefn

function [fig, axs] = plot_cka_comparison (matrices, titles, varargin)
  if (nargin < 1)
    print_usage ();
  endif
  fname = "plot_cka_comparison";
  if (nargin < 2)
    titles = {};
  endif
  if (! iscell (matrices) || isempty (matrices))
    error ("cka:plot:badInput",
           "%s: matrices must be a non-empty cell array of CKA matrices or results",
           fname);
  endif
  if (ischar (titles))
    titles = {titles};
  endif
  if (! iscellstr (titles) || (! isempty (titles)
                               && numel (titles) != numel (matrices)))
    error ("cka:input:badOption",
           "%s: titles must be a cell array of strings, one per matrix (%d)",
           fname, numel (matrices));
  endif

  ## Split own options from those passed to plot_cka_heatmap.
  own = {"Layers", "NCols", "FigSize", "ShareColorbar", "File", "Visible", "Dpi"};
  forbidden = {"Ax", "Title", "Colorbar"};
  if (mod (numel (varargin), 2) != 0)
    error ("cka:input:badOption",
           "%s: options must be Name, Value pairs (got an odd number of arguments)",
           fname);
  endif
  mine = {};
  pass = {};
  given_vmin = false;
  given_vmax = false;
  rng = "auto";
  for k = 1:2:numel (varargin)
    name = varargin{k};
    if (! ischar (name))
      error ("cka:input:badOption", "%s: option names must be strings", fname);
    endif
    key = lower (strrep (name, "_", ""));
    if (any (strcmp (key, lower (own))))
      mine(end+1:end+2) = varargin(k:k+1);
    elseif (any (strcmp (key, lower (forbidden))))
      error ("cka:input:badOption",
             "%s: option '%s' is set per panel by plot_cka_comparison", fname, name);
    elseif (strcmp (key, "range") && k < numel (varargin))
      rng = varargin{k+1};             # "auto" shares the data's range, below
      pass(end+1:end+2) = varargin(k:k+1);
    else
      pass(end+1:end+2) = varargin(k:k+1);
      given_vmin |= strcmp (key, "vmin");
      given_vmax |= strcmp (key, "vmax");
    endif
  endfor
  defaults = struct ("Layers", [], "NCols", 2, "FigSize", [],
                     "ShareColorbar", true, "File", "", "Visible", "auto",
                     "Dpi", 100);
  opts = parse_options (fname, defaults, mine);

  n = numel (matrices);
  ncols = opts.NCols;
  if (! (isscalar (ncols) && isnumeric (ncols) && ncols >= 1 && ncols == fix (ncols)))
    error ("cka:input:badOption", "%s: NCols must be a positive integer", fname);
  endif
  nrows = ceil (n / ncols);
  share = cka_check_flag (opts.ShareColorbar, "ShareColorbar", fname);
  figsize = opts.FigSize;
  if (isempty (figsize))
    figsize = [5 * ncols, 4 * nrows];
  endif

  ## one colour scale for all panels: the range of all values
  res = cell (1, n);
  for k = 1:n
    res{k} = cka_result_fields (matrices{k}, fname);
  endfor
  res = [res{:}];
  cb_label = "CKA Similarity";
  if (share)
    allv = cell2mat (cellfun (@(m) double (m(:)), {res.cka}, "uniformoutput", false)');
    allv = allv(isfinite (allv));
    if (isempty (allv))
      allv = [0; 1];
    endif
    ## a fixed "Range" goes to every panel as it is (plot_cka_heatmap checks
    ## it), which makes the scale common; an automatic one is the data's
    auto = ischar (rng) && strcmpi (rng, "auto");
    if (auto && ! given_vmin)
      pass(end+1:end+2) = {"VMin", min(allv)};
    endif
    if (auto && ! given_vmax)
      pass(end+1:end+2) = {"VMax", max(allv)};
    endif
    if (auto && ! given_vmin && ! given_vmax && max (allv) - min (allv) < 0.5)
      cb_label = sprintf ("CKA Similarity (colours span %.2f-%.2f)", min (allv), max (allv));
    endif
  endif
  if (! isempty (opts.Layers))
    pass = [{"Layers1", opts.Layers, "Layers2", opts.Layers}, pass];
  endif

  [fig, ~, created] = cka_plot_figure ([], figsize, fname);
  delete (get (fig, "children"));
  figpx = cka_fig_pixels (fig);
  strip = 0;
  if (share)
    strip = min (110, 0.25 * figpx(1));     # room for the shared colorbar
  endif
  pw = (figpx(1) - strip) / ncols;
  ph = figpx(2) / nrows;
  axs = zeros (nrows, ncols);
  for idx = 1:nrows * ncols
    r = ceil (idx / ncols);
    c = idx - (r - 1) * ncols;
    region = [(c - 1) * pw, figpx(2) - r * ph, pw, ph] ./ [figpx, figpx];
    axs(r,c) = axes ("parent", fig, "units", "normalized",
                     "outerposition", region);
    if (idx > n)
      set (axs(r,c), "visible", "off");
      continue;
    endif
    if (isempty (titles))
      if (! isempty (res(idx).model1_name) && ! isempty (res(idx).model2_name))
        ttl = sprintf ("%s vs %s", res(idx).model1_name, res(idx).model2_name);
      else
        ttl = "";
      endif
    else
      ttl = titles{idx};
    endif
    plot_cka_heatmap (matrices{idx}, "Ax", axs(r,c), "Title", ttl,
                      "Colorbar", ! share, "Visible", "off", pass{:});
  endfor

  if (share)
    shown = axs';
    shown = shown(1:n);
    pos = get (shown(:), "position");
    if (iscell (pos))
      pos = cell2mat (pos);
    endif
    y0 = min (pos(:,2));
    y1 = max (pos(:,2) + pos(:,4));
    last = shown(end);
    p = get (last, "position");
    cb = colorbar (last, "eastoutside");
    set (last, "position", p);          # colorbar shrinks its axes; undo
    fs = 10;
    k = find (strcmpi (strrep (pass(1:2:end), "_", ""), "labelfontsize"), 1, "last");
    if (! isempty (k))
      fs = max (pass{2*k} - 2, 1);
    endif
    x = (figpx(1) - strip + 12) / figpx(1);
    set (cb, "units", "normalized",
         "position", [x, y0, min(18, 0.15 * strip) / figpx(1), y1 - y0],
         "fontsize", fs, "tag", "cka_colorbar");
    cbl = ylabel (cb, cb_label);
    set (cbl, "fontsize", fs);
  endif

  cka_plot_finish (fig, created, opts.File, opts.Visible, opts.Dpi, fname);
  if (nargout == 0)
    clear fig axs;
  endif
endfunction

%!demo
%! [i, j] = ndgrid (1:8);
%! A = exp (-abs (i - j) / 3);
%! ## also written to a file, so the demo shows something without a display
%! f = fullfile (tempdir (), "plot_cka_comparison_demo.png");
%! plot_cka_comparison ({A, A.^2, sqrt(A)}, {"BERT vs BERT", "BERT vs GPT-2", ...
%!                      "GPT-2 vs GPT-2"}, "NCols", 3, "File", f);
%! printf ("figure written to %s\n", f);

%!function rgb = cell_rgb (img, ax, i, j)
%!  ## RGB at a corner of cell (i, j) of the heatmap in axes ax
%!  W = columns (img);  H = rows (img);
%!  p = get (ax, "position");
%!  n2 = diff (get (ax, "xlim"));  n1 = diff (get (ax, "ylim"));
%!  rgb = double (squeeze (img(round (H - (p(2) + p(4)) * H + (i - 0.2) / n1 * p(4) * H),
%!                             round ((p(1) + (j - 0.2) / n2 * p(3)) * W), :)))';
%!endfunction

## Shared colour scale: one colorbar, equal clim, equal values give equal
## colours in every panel; the empty grid cell is hidden
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! [i, j] = ndgrid (1:5);
%! A = exp (-abs (i - j) / 2);
%! B = 0.5 + 0.5 * A;  B(2,1) = A(2,1);      # one value in common with A
%! C = A.^2;
%! names = arrayfun (@(k) sprintf ("layer.%d", k), 0:4, "uniformoutput", false);
%! f = [tempname() ".png"];
%! unwind_protect
%!   [fig, axs] = plot_cka_comparison ({A, B, C}, {"A", "B", "C"}, "Layers", names, ...
%!                                     "MaskUpper", true, "File", f);
%!   assert (size (axs), [2, 2]);
%!   assert (get (axs(2,2), "visible"), "off");
%!   assert (all (strcmp (get (axs([1 3 2]), "visible"), "on")));
%!   img = imread (f);
%!   assert (size (img), [800, 1000, 3]);            # 5*NCols x 4*NRows inches
%!   lims = [min([A(:); B(:); C(:)]), max([A(:); B(:); C(:)])];
%!   for a = axs([1 3 2])
%!     assert (get (a, "clim"), lims);
%!   endfor
%!   assert (numel (findobj (fig, "tag", "cka_colorbar")), 1);
%!   assert (get (get (findobj (fig, "tag", "cka_colorbar"), "ylabel"), "string"), ...
%!           "CKA Similarity");
%!   assert (get (findobj (axs(1,2), "tag", "cka_title"), "string"), "B");
%!   hy = findobj (axs(1,1), "tag", "cka_yticklabel");
%!   [~, o] = sort (cellfun (@(q) q(2), get (hy, "position")));
%!   assert (get (hy(o), "string")', names);
%!   ## same value, same colour across panels; masked cells blank in all
%!   assert (cell_rgb (img, axs(1,1), 2, 1), cell_rgb (img, axs(1,2), 2, 1));
%!   assert (cell_rgb (img, axs(1,1), 1, 1), cell_rgb (img, axs(1,2), 1, 1));
%!   assert (any (cell_rgb (img, axs(1,2), 3, 1) != cell_rgb (img, axs(1,1), 3, 1)));
%!   for a = axs([1 3 2])
%!     assert (cell_rgb (img, a, 1, 5), [255 255 255]);
%!   endfor
%! unwind_protect_cleanup
%!   close all;
%!   if (exist (f, "file"))
%!     delete (f);
%!   endif
%! end_unwind_protect

## Separate scales: a colorbar per panel and different colours for the same
## value; heatmap options pass through; results as input; PDF and SVG
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! A = [1 0.5; 0.5 1];  B = [1 0.5; 0.7 0.9];
%! R = struct ("cka", B, "layers1", {{"x.a", "x.b"}}, "layers2", {{"y.a", "y.b"}}, ...
%!             "model1_name", "m1", "model2_name", "m2");
%! fp = [tempname() ".pdf"];  fs = [tempname() ".svg"];  fpng = [tempname() ".png"];
%! unwind_protect
%!   [fig, axs] = plot_cka_comparison ({A, R}, {}, "NCols", 1, "ShareColorbar", false, ...
%!                                     "Cmap", "plasma", "Annot", true, ...
%!                                     "layer_name_depth", 1, "File", fpng);
%!   assert (size (axs), [2, 1]);
%!   assert (numel (findobj (fig, "tag", "cka_colorbar")), 2);
%!   assert (get (axs(1), "clim"), [0.5 1]);
%!   assert (get (axs(2), "clim"), [0.5 1]);
%!   assert (isempty (findobj (axs(1), "tag", "cka_title")));
%!   assert (get (findobj (axs(2), "tag", "cka_title"), "string"), "m1 vs m2");
%!   hy = findobj (axs(2), "tag", "cka_yticklabel");
%!   [~, o] = sort (cellfun (@(q) q(2), get (hy, "position")));
%!   assert (get (hy(o), "string")', {"a", "b"});
%!   assert (numel (findobj (axs(2), "tag", "cka_annot")), 4);
%!   img = imread (fpng);
%!   assert (size (img), [800, 500, 3]);
%!   close (fig);
%!   [fig, axs] = plot_cka_comparison ({A, B}, {"A", "B"}, "ShareColorbar", false, ...
%!                                     "VMax", 1, "File", fp);
%!   assert (get (axs(1), "clim"), [0.5 1]);
%!   fid = fopen (fp, "r");  head = fread (fid, 5, "char=>char")';  fclose (fid);
%!   assert (head, "%PDF-");
%!   close (fig);
%!   [fig, axs] = plot_cka_comparison ({A, 0.5 * B}, {"A", "B"}, "VMin", 0, ...
%!                                     "File", fs);
%!   assert (get (axs(1), "clim"), [0 1]);
%!   assert (get (axs(2), "clim"), [0 1]);
%!   assert (! isempty (strfind (fileread (fs), "CKA Similarity")));
%! unwind_protect_cleanup
%!   close all;
%!   for f = {fp, fs, fpng}
%!     if (exist (f{1}, "file"))
%!       delete (f{1});
%!     endif
%!   endfor
%! end_unwind_protect

%!error <Invalid call> plot_cka_comparison ()
%!error id=cka:plot:badInput plot_cka_comparison ({})
%!error id=cka:plot:badInput plot_cka_comparison (eye (2), {"a"})
%!error id=cka:input:badOption plot_cka_comparison ({eye(2), eye(2)}, {"a"})
%!error id=cka:input:badOption plot_cka_comparison ({eye(2)}, {"a"}, "Title", "x")
%!error id=cka:input:badOption plot_cka_comparison ({eye(2)}, {"a"}, "NCols", 0)
%!error id=cka:input:badOption plot_cka_comparison ({eye(2)}, {"a"}, "NCols")
%!error id=cka:input:unknownOption plot_cka_comparison ({eye(2)}, {"a"}, "Bogus", 1)
%!test
%! ## "Range" [0 1] fixes the shared scale; a narrow automatic one is stated
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! A = 0.3 + 0.1 * eye (3);  B = 0.32 + 0.05 * eye (3);
%! [fig, axs] = plot_cka_comparison ({A, B}, {"A", "B"}, "Range", [0 1], "Visible", "off");
%! unwind_protect
%!   assert (get (axs(1), "clim"), [0 1]);
%!   assert (get (axs(2), "clim"), [0 1]);
%!   assert (get (get (findobj (fig, "tag", "cka_colorbar"), "ylabel"), "string"), "CKA Similarity");
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect
%! [fig, axs] = plot_cka_comparison ({A, B}, {"A", "B"}, "Visible", "off");
%! unwind_protect
%!   assert (get (get (findobj (fig, "tag", "cka_colorbar"), "ylabel"), "string"),
%!           "CKA Similarity (colours span 0.30-0.40)");
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect
%!error <give Range or VMin/VMax, not both> plot_cka_comparison ({eye(2)}, {"a"}, "Range", [0 1], "VMax", 1)
