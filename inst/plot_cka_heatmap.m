## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {[@var{fig}, @var{ax}] =} plot_cka_heatmap (@var{M})
## @deftypefnx {cka} {[@var{fig}, @var{ax}] =} plot_cka_heatmap (@var{R})
## @deftypefnx {cka} {[@var{fig}, @var{ax}] =} plot_cka_heatmap (@dots{}, @var{Name}, @var{Value}, @dots{})
## Draw a CKA matrix as a heatmap, layer 0 at the top left.
##
## @var{M} is an L1-by-L2 matrix: row @var{i} is layer @var{i}-1 of the
## first model (y axis), column @var{j} layer @var{j}-1 of the second model
## (x axis).  Given a @code{cka_compare} result @var{R}, the matrix, the layer
## names and the model names come from it (options given explicitly win).
##
## Options (case-insensitive; pytorch-cka's snake_case names such as
## @qcode{"mask_upper"} or @qcode{"annot_fmt"} work too):
##
## @table @asis
## @item @qcode{"Layers1"}, @qcode{"Layers2"} (cellstr)
## Tick labels of the y axis (rows) and x axis (columns).  Default: the names
## from @var{R}, else the layer indices 0, 1, @dots{}.  The x labels are
## rotated by 45 degrees (labels of up to 3 characters stay level); when cells
## are too small for every label, only every k-th label is shown so that
## labels never overlap, and names longer than about 30% of the figure width
## are cut from the left (@qcode{"...attention.output"}).
##
## @item @qcode{"Model1Name"}, @qcode{"Model2Name"} (default @qcode{"Model 1"}, @qcode{"Model 2"})
## The axis labels read @qcode{"<Model1Name> Layers"} (y) and
## @qcode{"<Model2Name> Layers"} (x).
##
## @item @qcode{"Title"} (default @qcode{"CKA: <Model1Name> vs <Model2Name>"})
## @qcode{""} draws no title.
##
## @item @qcode{"Cmap"} (default @qcode{"magma"})
## @qcode{"magma"}, @qcode{"inferno"}, @qcode{"plasma"}, @qcode{"viridis"}
## (matplotlib's published data), any Octave colormap name (@qcode{"hot"},
## @qcode{"gray"}, @dots{}), a name with @qcode{"_r"} appended for the
## reversed map, or an N-by-3 RGB matrix.
##
## @item @qcode{"Range"} (default @qcode{"auto"})
## The values mapped to the ends of the colormap: @qcode{"auto"} (the
## smallest and largest shown value, as pytorch-cka) or @code{[@var{lo}
## @var{hi}]}.  The automatic range stretches whatever spread the values
## have over the whole colormap: 0.35 to 0.39 looks as contrasted as 0 to
## 1, and two heatmaps with automatic ranges cannot be compared by colour.
## When the automatic range spans less than half of [0, 1] the colorbar
## label says so (@qcode{"CKA Similarity (colours span 0.35-0.39)"}).  Fix
## @code{[0 1]} to compare figures, or to show how similar the layers are
## in absolute terms.
##
## @item @qcode{"VMin"}, @qcode{"VMax"} (default: from @qcode{"Range"})
## One end of the colour range each (pytorch-cka's names).
##
## @item @qcode{"Annot"} (default @code{false})
## Write the value into every shown cell, in black or white, whichever
## contrasts more with the cell's colour.
##
## @item @qcode{"AnnotFmt"} (default @qcode{".2f"})
## Python format spec (@qcode{".2f"}, @qcode{".1%"}, @qcode{".3g"}) or printf
## format with one numeric conversion (@qcode{"%.2f"}).
##
## @item @qcode{"AnnotFontSize"} (default 6)
## Shrunk automatically where the text would not fit its cell; if that needs
## less than 5 points, no annotation is drawn (warning
## @code{cka:plot:annotTooSmall}): enlarge @qcode{"FigSize"}.  Each
## annotation is a text object, and the gnuplot toolkit handles a few
## thousand of them slowly (about a minute for 50-by-50).
##
## @item @qcode{"MaskUpper"} (default @code{false})
## For a square matrix, leave the cells above the diagonal blank (background
## colour, not a colormap colour) and unannotated.
##
## @item @qcode{"LayerNameDepth"} (default: whole names)
## Keep only the last k dot-separated parts of each layer name, e.g. 2 turns
## @qcode{"encoder.layer.3.output"} into @qcode{"3.output"}.
##
## @item @qcode{"Colorbar"} (default @code{true})
## A colorbar labelled @qcode{"CKA Similarity"} at the right.
##
## @item @qcode{"Significance"} (default @code{[]}: off)
## A level @var{alpha} between 0 and 1, e.g. 0.05: every shown cell whose
## permutation-test p-value is above @var{alpha} gets a small grey cross, a
## thin mark that leaves the cell's colour readable (dark grey on light
## cells, light grey on dark ones; with @qcode{"Annot"}, a smaller one above
## the end of the number).  A note under the x label explains it:
## @qcode{"×: not significant, p > 0.05 (permutation test, 1000
## permutations)"}.  The p-values are the field @code{p_value} of a result
## of @code{cka_compare (@dots{}, "Permutations", @var{P})}; cells without
## one (NaN) get no mark.  A result without p-values, or a plain matrix, is
## an error (@code{cka:plot:noPValues}).
##
## @item @qcode{"FigSize"} (default: pytorch-cka's
## @code{[max(6, 0.4*L2 + 2), max(5, 0.4*L1 + 1)]})
## Figure size in inches; the figure (and a PNG written by @qcode{"File"})
## has 100 pixels per inch.
##
## @item @qcode{"Ax"}
## Draw into these axes (their @qcode{"outerposition"} is the space used by
## the heatmap, its labels and colorbar) instead of a new figure;
## @qcode{"FigSize"} is then unused and @qcode{"File"} saves the whole
## figure.
##
## @item @qcode{"TickFontSize"} (8), @qcode{"LabelFontSize"} (12), @qcode{"TitleFontSize"} (14)
## Font sizes in points.  Defaults (not sizes given explicitly) shrink, down
## to half, when the heatmap has less than about 4.5 by 3.5 inches.
##
## @item @qcode{"File"}
## Also write the figure to this file; the format comes from the extension:
## @file{.png}, @file{.svg} or @file{.pdf}.
##
## @item @qcode{"Dpi"} (default 100)
## Resolution of a PNG written by @qcode{"File"}: it has
## @code{FigSize * Dpi} pixels, with text and lines scaled alike (300 for
## print).  SVG and PDF are vector formats of @code{FigSize} inches.  (With
## the qt or fltk toolkit and no Ghostscript, a PNG is the rendered frame at
## 100 dpi.)
##
## @item @qcode{"Visible"} (default @qcode{"auto"})
## @code{true}/@code{false}; @qcode{"auto"} shows a new figure only when no
## @qcode{"File"} is given and a window can be opened, so that headless batch
## scripts work with the gnuplot toolkit.
## @end table
##
## The cells are a scaled image (tag @qcode{"cka_cells"}) in axes whose
## colormap and @qcode{"clim"} are set, so @code{colormap (ax, @dots{})} and
## @code{caxis (ax, @dots{})} still work afterwards; masked and NaN cells are
## covered by patches (tag @qcode{"cka_mask"}) in the axes' background
## colour.  Handles are returned for further changes: the
## x tick labels are text objects with tag @qcode{"cka_xticklabel"}, the
## annotations text objects with tag @qcode{"cka_annot"}, the colorbar has
## tag @qcode{"cka_colorbar"}; the crosses of @qcode{"Significance"} are
## lines with tag @qcode{"cka_notsig"} (two strokes per cell, separated by
## NaN) and their note a text with tag @qcode{"cka_signote"}.
##
## @example
## @group
## M = [1 0.8 0.5; 0.8 1 0.7; 0.5 0.7 1];
## [fig, ax] = plot_cka_heatmap (M, "Annot", true, "MaskUpper", true, ...
##                               "Model1Name", "BERT", "Model2Name", "BERT", ...
##                               "File", "bert_self.png");
## @end group
## @end example
##
## @example
## @group
## R = cka_compare (bert, gpt2, ids, "Permutations", 1000);
## plot_cka_heatmap (R, "Significance", 0.05, "Annot", true, "File", "sig.png");
## @end group
## @end example
##
## @seealso{plot_cka_comparison, plot_cka_trend, cka_heatmap_text, cka_compare}
## @end deftypefn

function [fig, ax] = plot_cka_heatmap (M_or_R, varargin)
  if (nargin < 1)
    print_usage ();
  endif
  fname = "plot_cka_heatmap";
  defaults = struct ("Layers1", [], "Layers2", [], "Model1Name", [],
                     "Model2Name", [], "Title", [], "Cmap", "magma",
                     "VMin", [], "VMax", [], "Range", "auto", "Annot", false,
                     "AnnotFmt", ".2f", "AnnotFontSize", 6,
                     "MaskUpper", false, "LayerNameDepth", [],
                     "Colorbar", true, "FigSize", [], "Ax", [],
                     "TickFontSize", 8, "LabelFontSize", 12,
                     "TitleFontSize", 14, "File", "", "Visible", "auto",
                     "Dpi", 100, "Significance", []);
  [opts, given] = parse_options (fname, defaults, varargin);

  res = cka_result_fields (M_or_R, fname);
  M = res.cka;
  if (! (isnumeric (M) || islogical (M)) || ndims (M) != 2 || isempty (M)
      || ! isreal (M))
    error ("cka:plot:badInput",
           "%s: the CKA matrix must be a non-empty real 2-D matrix", fname);
  endif
  M = double (M);
  [n1, n2] = size (M);

  ## Names: explicit options, then the result struct, then pytorch's defaults.
  m1 = pick_str (opts.Model1Name, res.model1_name, "Model 1", "Model1Name", fname);
  m2 = pick_str (opts.Model2Name, res.model2_name, "Model 2", "Model2Name", fname);
  layers1 = pick_layers (opts.Layers1, res.layers1, n1, "Layers1", fname);
  layers2 = pick_layers (opts.Layers2, res.layers2, n2, "Layers2", fname);
  depth = opts.LayerNameDepth;
  if (! isempty (depth))
    if (! (isscalar (depth) && isreal (depth) && depth >= 1 && depth == fix (depth)))
      error ("cka:input:badOption",
             "%s: LayerNameDepth must be a positive integer", fname);
    endif
    layers1 = shorten_names (layers1, depth);
    layers2 = shorten_names (layers2, depth);
  endif
  if (isempty (opts.Title))
    if (given.Title)
      ttl = "";                       # Title "" given: no title
    else
      ttl = sprintf ("CKA: %s vs %s", m1, m2);
    endif
  elseif (ischar (opts.Title))
    ttl = opts.Title;
  else
    error ("cka:input:badOption", "%s: Title must be a string", fname);
  endif

  map = cka_colormap (opts.Cmap, fname);
  annot = cka_check_flag (opts.Annot, "Annot", fname);
  mask_upper = cka_check_flag (opts.MaskUpper, "MaskUpper", fname);
  show_cb = cka_check_flag (opts.Colorbar, "Colorbar", fname);
  fmt = annot_format (opts.AnnotFmt, fname);
  fs_tick = check_fontsize (opts.TickFontSize, "TickFontSize", fname);
  fs_label = check_fontsize (opts.LabelFontSize, "LabelFontSize", fname);
  fs_title = check_fontsize (opts.TitleFontSize, "TitleFontSize", fname);
  fs_annot = check_fontsize (opts.AnnotFontSize, "AnnotFontSize", fname);

  ## Masking as in pytorch-cka: only for square matrices.
  shown = isfinite (M);
  if (mask_upper && n1 == n2)
    shown &= ! triu (true (n1), 1);
  endif
  [notsig, sig_note] = significance (opts.Significance, res, shown,
                                     isstruct (M_or_R), fname);
  [lo, hi] = range_option (opts, given, fname);
  [vmin, vmax] = color_limits (M(shown), lo, hi, fname);
  cb_label = "CKA Similarity";
  if (isempty (lo) && isempty (hi) && vmax - vmin < 0.5)
    cb_label = sprintf ("CKA Similarity (colours span %.2f-%.2f)", vmin, vmax);
  endif

  figsize = opts.FigSize;
  if (isempty (figsize))
    figsize = [max(6, n2 * 0.4 + 2), max(5, n1 * 0.4 + 1)];
  endif
  [fig, ax, created] = cka_plot_figure (opts.Ax, figsize, fname);

  ## ---- layout, in pixels of the figure ------------------------------------
  if (created)
    region = [0, 0, 1, 1];
  else
    region = get (ax, "outerposition");
    ## a colorbar of an earlier plot in these axes goes first (also avoids
    ## an Octave 7 colorbar listener error when the colormap length changes)
    if (isprop (ax, "__colorbar_handle__"))
      hcb = get (ax, "__colorbar_handle__");
      if (! isempty (hcb) && ishghandle (hcb))
        delete (hcb);
        ## Octave 7 leaves the colorbar's colormap and clim listeners on the
        ## axes behind; they would fail on the deleted colorbar
        dellistener (ax, "colormap");
        dellistener (ax, "clim");
      endif
    endif
    cla (ax);
  endif
  figpx = cka_fig_pixels (fig);
  reg = region .* [figpx, figpx];                # [x y w h] in pixels
  ## In a small space (a subplot, a small FigSize) default font sizes would
  ## crowd the cells out: scale down those the caller did not set.
  ## crowd the cells out: scale down those the caller did not set, to no
  ## less than MIN_FONT points (smaller text is not legible on paper).
  shrink = min (1, max (0.5, min (reg(3) / 450, reg(4) / 350)));
  if (! given.TickFontSize)
    fs_tick = max (fs_tick * shrink, min (fs_tick, MIN_FONT));
  endif
  if (! given.LabelFontSize)
    fs_label = max (fs_label * shrink, min (fs_label, MIN_FONT));
  endif
  if (! given.TitleFontSize)
    fs_title = max (fs_title * shrink, min (fs_title, MIN_FONT));
  endif
  ## names longer than about 30% of the width are cut from the left
  maxc = max (6, floor (0.3 * reg(3) / (CHAR_W * fs_tick)));
  layers1 = cut_names (layers1, maxc);
  layers2 = cut_names (layers2, floor (maxc / sind (45)));
  ## the significance note goes under the x label, in the tick font, on two
  ## lines if one would be wider than the space
  note_lines = {};
  if (! isempty (sig_note))
    note_lines = {sig_note};
    if (numel (sig_note) * CHAR_W * fs_tick > reg(3) - 12)
      k = strfind (sig_note, " (");
      note_lines = {sig_note(1:k(end)-1), sig_note(k(end)+1:end)};
    endif
  endif
  lay = heatmap_layout (reg, layers1, layers2, fs_tick, fs_label, fs_title,
                        ! isempty (ttl), show_cb, n1, n2,
                        numel (note_lines) * LINE_H * fs_tick);

  ## ---- cells -----------------------------------------------------------
  bg = get (ax, "color");
  if (! isnumeric (bg))
    bg = get (fig, "color");
    if (! isnumeric (bg))
      bg = [1 1 1];
    endif
  endif
  rgb = values_to_rgb (M, map, vmin, vmax);      # n1 x n2 x 3, for the text
  ## Scaled (indexed) cells: the gnuplot toolkit wrongly applies "clim" to
  ## true-colour images, and scaled data keeps the colormap changeable.
  cdata = M;
  cdata(! shown) = NaN;
  him = image (ax, "xdata", [1, n2], "ydata", [1, n1], "cdata", cdata,
               "cdatamapping", "scaled", "tag", "cka_cells");
  set (ax, "units", "normalized", "position", lay.axpos ./ [figpx, figpx],
       "xlim", [0.5, n2 + 0.5], "ylim", [0.5, n1 + 0.5], "ydir", "reverse",
       "layer", "top", "box", "off", "tickdir", "out",
       "fontsize", fs_tick, "ticklabelinterpreter", "none",
       "clim", [vmin, vmax], "colormap", map,
       "ticklength", [1, 1] * tick_length (fig, lay.axpos));
  ## Masked and NaN cells are covered in the background colour, whatever a
  ## toolkit does with NaN in an image.
  hidden = ! shown;
  if (mask_upper && n1 == n2 && n1 > 1)
    ## the strict upper triangle as one staircase polygon
    k = (n1 - 1):-1:1;
    sx = [n1 + 0.5, n1 + 0.5, reshape([k + 0.5; k + 0.5], 1, [])];
    sy = [0.5, n1 - 0.5, reshape([k + 0.5; k - 0.5], 1, [])];
    patch (ax, sx, sy, bg, "edgecolor", "none", "tag", "cka_mask");
    hidden &= ! triu (true (n1), 1);
  endif
  [hi, hj] = find (hidden);
  if (! isempty (hi))
    px = [hj - 0.5, hj + 0.5, hj + 0.5, hj - 0.5]';
    py = [hi - 0.5, hi - 0.5, hi + 0.5, hi + 0.5]';
    patch (ax, px, py, bg, "edgecolor", "none", "tag", "cka_mask");
  endif

  ## A frame drawn as a line: with "box" on the toolkits mirror the outward
  ## ticks onto the title and the colorbar.
  line (ax, [0.5, n2 + 0.5, n2 + 0.5, 0.5, 0.5], [0.5, 0.5, n1 + 0.5, n1 + 0.5, 0.5],
        "color", [0 0 0], "linewidth", 0.8, "clipping", "off", "tag", "cka_frame");

  ## ---- tick labels ------------------------------------------------------
  ## Tick labels are text objects: the gnuplot toolkit ignores
  ## xticklabelrotation and ticklabelinterpreter (underscores in layer names
  ## would turn into subscripts).  All text is centred vertically on an
  ## anchor computed from the layout, the one alignment every toolkit
  ## places alike, also for rotated text.
  px2dx = n2 / lay.axpos(3);
  px2dy = n1 / lay.axpos(4);
  yk = 1:lay.ystep:n1;
  xk = 1:lay.xstep:n2;
  set (ax, "ytick", yk, "yticklabel", {}, "xtick", xk, "xticklabel", {});
  hg = hggroup (ax, "tag", "cka_yticklabels");
  for i = yk
    text (0.5 - lay.ylab_gap_px * px2dx, i, layers1{i}, "parent", hg,
          "horizontalalignment", "right", "verticalalignment", "middle",
          "fontsize", fs_tick, "interpreter", "none", "tag", "cka_yticklabel",
          "clipping", "off");
  endfor
  hg = hggroup (ax, "tag", "cka_xticklabels");
  if (lay.xrot)
    ## right end of the rotated text just below and left of its tick
    ox = -lay.tick_line_px / 2 * sind (45);
    oy = lay.xlab_gap_px + lay.tick_line_px / 2 * cosd (45);
    halign = "right";
  else
    ox = 0;
    oy = lay.xlab_gap_px + lay.tick_line_px / 2;
    halign = "center";
  endif
  for j = xk
    text (j + ox * px2dx, n1 + 0.5 + oy * px2dy, layers2{j}, "parent", hg,
          "rotation", lay.xrot, "horizontalalignment", halign,
          "verticalalignment", "middle", "fontsize", fs_tick,
          "interpreter", "none", "tag", "cka_xticklabel", "clipping", "off");
  endfor

  ## ---- axis labels and title -----------------------------------------------
  ## Placed as text in data units at the computed margins, since the toolkits
  ## disagree on where automatic labels go next to custom tick labels.
  ylabel (ax, "");
  xlabel (ax, "");
  half = LINE_H * fs_label / 2;
  text (ax, 0.5 - (lay.ylabel_off_px + half) * px2dx, (n1 + 1) / 2,
        [m1 " Layers"], "rotation", 90, "horizontalalignment", "center",
        "verticalalignment", "middle", "fontsize", fs_label,
        "interpreter", "none", "tag", "cka_ylabel", "clipping", "off");
  text (ax, (n2 + 1) / 2, n1 + 0.5 + (lay.xlabel_off_px + half) * px2dy,
        [m2 " Layers"], "horizontalalignment", "center",
        "verticalalignment", "middle", "fontsize", fs_label,
        "interpreter", "none", "tag", "cka_xlabel", "clipping", "off");
  if (! isempty (note_lines))
    ## centred under the heatmap like the x label, moved sideways only as far
    ## as needed to stay inside the space of the plot
    wpx = max (cellfun (@numel, note_lines)) * CHAR_W * fs_tick;
    cx = lay.axpos(1) + lay.axpos(3) / 2;
    cx = min (max (cx, reg(1) + wpx / 2 + 6), reg(1) + reg(3) - wpx / 2 - 6);
    text (ax, 0.5 + (cx - lay.axpos(1)) * px2dx,
          n1 + 0.5 + (lay.note_off_px + numel (note_lines) * LINE_H * fs_tick / 2) * px2dy,
          note_lines, "horizontalalignment", "center",
          "verticalalignment", "middle", "fontsize", fs_tick,
          "interpreter", "none", "tag", "cka_signote", "clipping", "off");
  endif
  if (! isempty (ttl))
    text (ax, (n2 + 1) / 2,
          0.5 - (lay.title_off_px + LINE_H * fs_title / 2) * px2dy, ttl,
          "horizontalalignment", "center", "verticalalignment", "middle",
          "fontsize", fs_title, "interpreter", "none", "tag", "cka_title",
          "clipping", "off");
  endif

  ## ---- annotations ----------------------------------------------------
  text_box = [];                        # [width, height] of annotations, pixels
  if (annot)
    cellw = lay.axpos(3) / n2;
    cellh = lay.axpos(4) / n1;
    strs = cell (n1, n2);
    strs(shown) = arrayfun (@(v) format_value (fmt, v), M(shown),
                            "uniformoutput", false);
    maxlen = max ([cellfun(@numel, strs(shown))(:); 1]);
    ## shrink the font where the longest string would not fit a cell
    fit = min (cellw * 0.92 / (maxlen * CHAR_W), cellh * 0.9 / LINE_H);
    fsa = min (fs_annot, floor (fit * 2) / 2);
    if (fsa < MIN_ANNOT_FONT)
      warning ("cka:plot:annotTooSmall",
               "%s: cells are too small for legible annotations (%.1f pt); none drawn: enlarge FigSize",
               fname, fit);
    else
      text_box = [maxlen * CHAR_W * fsa, DIGIT_H * fsa];
      lum = luminance (rgb);
      ## one hggroup per row: text objects created directly in a crowded
      ## axes get slower with every sibling
      for i = 1:n1
        hg = hggroup (ax, "tag", "cka_annot_row");
        for j = find (shown(i,:))
          if (lum(i,j) > 0.179)   # contrast with black beats contrast with white
            col = [0 0 0];
          else
            col = [1 1 1];
          endif
          text (j, i, strs{i,j}, "parent", hg, "horizontalalignment", "center",
                "verticalalignment", "middle", "fontsize", fsa, "color", col,
                "interpreter", "none", "tag", "cka_annot");
        endfor
      endfor
    endif
  endif

  ## ---- significance marks -------------------------------------------------
  if (any (notsig(:)))
    draw_notsig (ax, notsig, rgb, text_box, lay.axpos(3) / n2,
                 lay.axpos(4) / n1);
  endif

  ## ---- colorbar ---------------------------------------------------------
  if (show_cb)
    axpos = get (ax, "position");
    cb = colorbar (ax, "eastoutside");
    set (ax, "position", axpos);        # colorbar shrinks its axes; undo
    set (cb, "units", "normalized", "position", lay.cbpos ./ [figpx, figpx],
         "fontsize", max (fs_label - 2, 1), "tag", "cka_colorbar",
         "ylim", [vmin, vmax]);
    cbl = ylabel (cb, cb_label);
    set (cbl, "fontsize", max (fs_label - 2, 1));
  endif

  cka_plot_finish (fig, created, opts.File, opts.Visible, opts.Dpi, fname);
  if (nargout == 0)
    clear fig ax;
  endif
endfunction

## Approximate text metrics of the toolkits, in pixels per point of font size
## (measured with gnuplot's cairo terminals, which render close to 100 dpi).
function w = CHAR_W ()
  w = 0.80;        # average advance of a character
endfunction

function h = LINE_H ()
  h = 1.45;        # height of a line of text
endfunction

function h = DIGIT_H ()
  h = 1.3;         # height of a digit, with the room gnuplot leaves above it
endfunction

function lay = heatmap_layout (reg, layers1, layers2, fs_tick, fs_label,
                               fs_title, has_title, show_cb, n1, n2, note_h)
  pad = 6;
  tick_len = 8;    # ticklength gives 4 px; gnuplot draws about 4 px more
  ## longest tick labels (the caller already cut overlong ones)
  ly = max ([cellfun(@numel, layers1), 1]);
  lx = max ([cellfun(@numel, layers2), 1]);
  ytick_w = ly * CHAR_W * fs_tick;
  xtick_len = lx * CHAR_W * fs_tick;              # along the text
  lay.xrot = 45 * (lx > 3);                       # short labels stay level
  if (lay.xrot)
    xtick_h = (xtick_len + LINE_H * fs_tick / 2) * sind (45);
  else
    xtick_h = LINE_H * fs_tick;
  endif
  label_h = LINE_H * fs_label;
  left = pad + label_h + 4 + ytick_w + tick_len + 4;
  ## the first rotated x label reaches left of the first column
  bottom = pad + label_h + 4 + xtick_h + tick_len + 4 + (note_h > 0) * (note_h + 4);
  top = pad + (has_title) * (LINE_H * fs_title + 6);
  if (! has_title)
    top = max (top, LINE_H * fs_tick);
  endif
  right = pad + LINE_H * fs_tick / 2;
  cb_w = 0;
  if (show_cb)
    fs_cb = max (fs_label - 2, 1);
    cb_w = max (12, 0.04 * reg(3));
    right = 2 * pad + 0.03 * reg(3) + cb_w + 6 + 5 * CHAR_W * fs_cb + 6 ...
            + LINE_H * fs_cb;
  endif
  ## never let the margins eat more than ~60% of the region
  w = reg(3) - left - right;
  h = reg(4) - top - bottom;
  if (w < 0.4 * reg(3))
    left = max (pad, left - (0.4 * reg(3) - w));
    w = reg(3) - left - right;
  endif
  if (h < 0.4 * reg(4))
    bottom = max (pad, bottom - (0.4 * reg(4) - h));
    h = reg(4) - top - bottom;
  endif
  if (lay.xrot)
    left = max (left, (xtick_len * cosd (45)) - 0.5 * w / n2 + pad);
  endif
  w = max (reg(3) - left - right, 10);
  h = max (h, 10);
  lay.axpos = [reg(1) + left, reg(2) + bottom, w, h];
  lay.cbpos = [reg(1) + left + w + 0.03 * reg(3), reg(2) + bottom, cb_w, h];
  ## show every k-th label so that neighbours never overlap
  line = LINE_H * fs_tick;
  lay.ystep = max (1, ceil (1.05 * line / (h / n1)));
  if (lay.xrot)
    lay.xstep = max (1, ceil (1.05 * line / sind (45) / (w / n2)));
  else
    lay.xstep = max (1, ceil ((xtick_len + CHAR_W * fs_tick) / (w / n2)));
  endif
  lay.tick_len_px = tick_len;
  lay.xlab_gap_px = tick_len + 4;
  lay.ylab_gap_px = tick_len + 4;
  lay.tick_line_px = LINE_H * fs_tick;
  lay.xlabel_off_px = tick_len + 4 + xtick_h + 4;
  lay.note_off_px = lay.xlabel_off_px + label_h + 4;
  lay.ylabel_off_px = tick_len + 4 + ytick_w + 4;
  lay.title_off_px = 6;
endfunction

function [notsig, note] = significance (alpha, res, shown, is_result, fname)
  ## the shown cells whose permutation p-value exceeds alpha, and the note
  ## that explains their mark; nothing when alpha is []
  notsig = false (size (shown));
  note = "";
  if (isempty (alpha))
    return;
  endif
  if (! (isscalar (alpha) && isnumeric (alpha) && isreal (alpha)
         && alpha > 0 && alpha < 1))
    error ("cka:input:badOption",
           "%s: Significance must be a level alpha between 0 and 1, e.g. 0.05",
           fname);
  endif
  P = res.p_value;
  if (isempty (P))
    error ("cka:plot:noPValues",
           ["%s: Significance needs p-values, and %s has none (field p_value); ", ...
            "they come from cka_compare (..., \"Permutations\", P)"],
           fname, cka_ifelse (is_result, "the result", "a plain matrix"));
  endif
  if (! ((isnumeric (P) || islogical (P)) && isreal (P) && isequal (size (P), size (shown))))
    error ("cka:plot:sizeMismatch",
           "%s: the result's p_value must be a real %d-by-%d matrix like its cka matrix",
           fname, rows (shown), columns (shown));
  endif
  notsig = shown & (double (P) > alpha);     # NaN: no test, no mark
  note = sprintf ("\xC3\x97: not significant, p > %g (permutation test", double (alpha));
  np = res.n_permutations;
  if (isscalar (np) && isnumeric (np) && np >= 1)
    note = sprintf ("%s, %d permutations", note, np);
  endif
  note = [note ")"];
endfunction

function draw_notsig (ax, notsig, rgb, text_box, cellw, cellh)
  ## A small cross in every not-significant cell: thin lines that leave most
  ## of the cell's colour visible: dark grey on light cells, light grey on
  ## dark ones (the annotations' rule), grey enough to read as a mark rather
  ## than as text.  Under annotations (text_box: their [width, height] in
  ## pixels) a smaller cross sits above the end of the number, like an
  ## exponent, clear of the text.
  if (isempty (text_box))
    half = min (0.2 * min (cellw, cellh), 8);       # pixels
    off = [0, 0];
  else
    gap = 2;
    room = (cellh / 2 - 1 - text_box(2) / 2 - gap) / 2;
    half = max (1.5, min ([0.12 * min(cellw, cellh), room, 0.6 * text_box(2)]));
    off = [min(text_box(1) / 2, cellw / 2 - half - 1), -(text_box(2) / 2 + gap + half)];
  endif
  hx = half / cellw;                                 # in cells
  hy = half / cellh;
  ox = off(1) / cellw;
  oy = off(2) / cellh;
  lum = luminance (rgb);
  [ii, jj] = find (notsig);
  light = lum(sub2ind (size (lum), ii, jj)) <= 0.179;
  for dark_cells = [false, true]
    sel = (light == dark_cells);
    if (! any (sel))
      continue;
    endif
    cx = jj(sel)' + ox;
    cy = ii(sel)' + oy;
    nan = NaN (size (cx));
    ## two strokes per cell, separated by NaN
    px = [cx - hx; cx + hx; nan; cx - hx; cx + hx; nan];
    py = [cy - hy; cy + hy; nan; cy + hy; cy - hy; nan];
    line (ax, px(:)', py(:)', "color", cka_ifelse (dark_cells, [0.8 0.8 0.8], [0.3 0.3 0.3]),
          "linewidth", 1, "tag", "cka_notsig");
  endfor
endfunction

function s = pick_str (given, from_r, dflt, name, fname)
  if (! isempty (given))
    if (! ischar (given))
      error ("cka:input:badOption", "%s: %s must be a string", fname, name);
    endif
    s = given;
  elseif (! isempty (from_r))
    s = from_r;
  else
    s = dflt;
  endif
endfunction

function c = pick_layers (given, from_r, n, name, fname)
  if (! isempty (given))
    if (isnumeric (given))
      given = arrayfun (@num2str, given, "uniformoutput", false);
    endif
    if (! iscellstr (given))
      error ("cka:input:badOption", "%s: %s must be a cell array of strings",
             fname, name);
    endif
    c = given(:)';
  elseif (! isempty (from_r))
    c = from_r(:)';
  else
    c = arrayfun (@(k) sprintf ("%d", k), 0:n-1, "uniformoutput", false);
  endif
  if (numel (c) != n)
    error ("cka:plot:sizeMismatch",
           "%s: %s has %d names but the matrix has %d %s", fname, name,
           numel (c), n, cka_ifelse (strcmp (name, "Layers1"), "rows", "columns"));
  endif
endfunction

function c = shorten_names (c, depth)
  for k = 1:numel (c)
    parts = strsplit (c{k}, ".");
    c{k} = strjoin (parts(max (1, end - depth + 1):end), ".");
  endfor
endfunction

function tl = tick_length (fig, axpos)
  ## about 4-8 pixels: gnuplot draws ticks of a size of its own, about 8
  ## pixels for 0.01; other toolkits scale ticklength by the axes size
  if (strcmp (get (fig, "__graphics_toolkit__"), "gnuplot"))
    tl = 0.01;
  else
    tl = 4 / max (axpos(3:4));
  endif
endfunction

function c = cut_names (c, maxc)
  for k = 1:numel (c)
    if (numel (c{k}) > maxc)
      c{k} = ["..." c{k}(end-maxc+4:end)];
    endif
  endfor
endfunction

function fs = check_fontsize (v, name, fname)
  if (! (isscalar (v) && isnumeric (v) && isreal (v) && isfinite (v) && v > 0))
    error ("cka:input:badOption", "%s: %s must be a positive number", fname, name);
  endif
  fs = double (v);
endfunction

## The smallest automatic font size of ticks, labels and title, and the
## smallest annotation (points).
function v = MIN_FONT ()
  v = 6;
endfunction

function v = MIN_ANNOT_FONT ()
  v = 5;
endfunction

## "Range" ("auto" or [lo hi]) and VMin / VMax, which set one end each.
function [lo, hi] = range_option (opts, given, fname)
  lo = opts.VMin;  hi = opts.VMax;
  r = opts.Range;
  if (ischar (r) && strcmpi (r, "auto"))
    return;
  endif
  if (! (isnumeric (r) && isreal (r) && numel (r) == 2 && all (isfinite (r)) && r(1) < r(2)))
    error ("cka:input:badOption", "%s: Range must be \"auto\" or [lo hi] with lo < hi", fname);
  endif
  if (given.VMin || given.VMax)
    error ("cka:input:badOption", "%s: give Range or VMin/VMax, not both", fname);
  endif
  lo = double (r(1));  hi = double (r(2));
endfunction

function [vmin, vmax] = color_limits (vals, vmin, vmax, fname)
  for v = {vmin, vmax}
    if (! isempty (v{1}) && ! (isscalar (v{1}) && isnumeric (v{1})
                               && isreal (v{1}) && isfinite (v{1})))
      error ("cka:input:badOption", "%s: VMin and VMax must be finite scalars",
             fname);
    endif
  endfor
  if (isempty (vmin))
    vmin = min ([vals(:); Inf]);
    if (! isfinite (vmin))
      vmin = 0;
    endif
  endif
  if (isempty (vmax))
    vmax = max ([vals(:); -Inf]);
    if (! isfinite (vmax))
      vmax = 1;
    endif
  endif
  vmin = double (vmin);
  vmax = double (vmax);
  if (vmax < vmin)
    error ("cka:input:badOption", "%s: VMax (%g) is below VMin (%g)",
           fname, vmax, vmin);
  elseif (vmax == vmin)
    ## a constant matrix: centre it in the colour range
    d = max (abs (vmin) * 1e-6, 1e-6);
    vmin -= d;
    vmax += d;
  endif
endfunction

function rgb = values_to_rgb (M, map, vmin, vmax)
  ## matplotlib's rule: index floor(t * N), clipped to [0, N-1]
  N = rows (map);
  t = (M - vmin) / (vmax - vmin);
  idx = floor (t * N) + 1;
  idx = min (max (idx, 1), N);
  idx(! isfinite (M)) = 1;
  rgb = reshape (map(idx(:), :), [size(M), 3]);
endfunction

function L = luminance (rgb)
  ## WCAG relative luminance; 0.179 is where black and white contrast equally
  lin = rgb / 12.92;
  hi = rgb > 0.04045;
  lin(hi) = ((rgb(hi) + 0.055) / 1.055) .^ 2.4;
  L = 0.2126 * lin(:,:,1) + 0.7152 * lin(:,:,2) + 0.0722 * lin(:,:,3);
endfunction

function fmt = annot_format (spec, fname)
  ## -> struct: printf format and a scale (100 for Python's "%" type)
  if (! ischar (spec) || ! isrow (spec))
    error ("cka:input:badOption", "%s: AnnotFmt must be a string", fname);
  endif
  fmt.scale = 1;
  fmt.suffix = "";
  tok = regexp (spec, '^(?<sign>[+\- ]?)(?<zero>0?)(?<width>\d*)(?<prec>\.\d+)?(?<type>[fFeEgGd%])$',
                "names", "once");
  if (! isempty (tok) && ! isempty (tok.type))       # Python format spec
    type = tok.type;
    prec = tok.prec;
    if (type == "%")
      fmt.scale = 100;
      fmt.suffix = "%";
      type = "f";
    endif
    if (type == "d")
      prec = "";
    elseif (any (type == "fF") && isempty (prec))
      prec = ".6";                   # Python's default precision
    endif
    fmt.printf = ["%" tok.sign tok.zero tok.width prec type];
    fmt.round = (type == "d");
    return;
  endif
  ## printf style: exactly one numeric conversion, literal text around it
  if (! isempty (regexp (spec, '^([^%]|%%)*%[-+ 0#]*\d*(\.\d+)?[fFeEgGdi]([^%]|%%)*$', "once")))
    fmt.printf = spec;
    fmt.round = ! isempty (regexp (spec, '%[-+ 0#]*\d*[di]', "once"));
    return;
  endif
  error ("cka:input:badOption",
         "%s: AnnotFmt '%s' is neither a Python format spec (\".2f\", \".1%%\") nor a printf format with one numeric conversion (\"%%.2f\")",
         fname, spec);
endfunction

function s = format_value (fmt, v)
  v = v * fmt.scale;
  if (fmt.round)
    v = round (v);
  endif
  s = [sprintf(fmt.printf, v) fmt.suffix];
endfunction

%!demo
%! ## Self-similarity of one model, lower triangle annotated
%! [i, j] = ndgrid (1:8);
%! M = exp (-abs (i - j) / 3);
%! ## also written to a file, so the demo shows something without a display
%! f = fullfile (tempdir (), "plot_cka_heatmap_demo.png");
%! plot_cka_heatmap (M, "Model1Name", "BERT", "Model2Name", "BERT", ...
%!                   "Annot", true, "MaskUpper", true, "File", f);
%! printf ("figure written to %s\n", f);

%!function [img, at] = render_png (fig, ax, file)
%!  ## read back a PNG and return a function mapping cell (i, j) plus an
%!  ## offset in cells to the RGB triple at that place
%!  img = imread (file);
%!  W = columns (img);  H = rows (img);
%!  p = get (ax, "position");
%!  n2 = diff (get (ax, "xlim"));  n1 = diff (get (ax, "ylim"));
%!  at = @(i, j, dx, dy) double (squeeze (img(
%!         round (H - (p(2) + p(4)) * H + (i - 0.5 + dy) / n1 * p(4) * H),
%!         round ((p(1) + (j - 0.5 + dx) / n2 * p(3)) * W), :)))';
%!endfunction

%!function c = expected_rgb (v, vmin, vmax, map)
%!  k = min (max (floor ((v - vmin) / (vmax - vmin) * rows (map)) + 1, 1), rows (map));
%!  c = round (255 * map(k,:));
%!endfunction

## The notebook's self-similarity heatmap: annotations, masked upper triangle,
## PNG of exactly FigSize * 100 pixels, every cell in its colormap colour.
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! [i, j] = ndgrid (1:6);
%! M = exp (-abs (i - j) / 3);  M(6,1) = 0.05;
%! f = [tempname() ".png"];
%! unwind_protect
%!   [fig, ax] = plot_cka_heatmap (M, "Model1Name", "BERT", "Model2Name", "BERT", ...
%!                                 "Annot", true, "MaskUpper", true, ...
%!                                 "FigSize", [6, 5], "File", f);
%!   assert (isfigure (fig) && isaxes (ax));
%!   assert (get (fig, "visible"), "off");
%!   [img, at] = render_png (fig, ax, f);
%!   assert (size (img), [500, 600, 3]);
%!   map = get (ax, "colormap");
%!   assert (size (map), [256, 3]);        # matplotlib's magma data
%!   assert (map([1, 128, 256],:), [0.001462 0.000466 0.013866;
%!                                  0.709962 0.212797 0.477201;
%!                                  0.987053 0.991438 0.749504]);
%!   vmin = min (M(:));  vmax = max (M(:));
%!   assert (get (ax, "clim"), [vmin, vmax]);
%!   for r = 1:6
%!     for c = 1:6
%!       px = at (r, c, 0.32, 0.32);        # a corner of the cell, off the text
%!       if (c > r)
%!         assert (px, [255 255 255]);      # masked: background, not a colour
%!       else
%!         assert (px, expected_rgb (M(r,c), vmin, vmax, map), 2);
%!       endif
%!     endfor
%!   endfor
%!   ## annotations: lower triangle only, the readable colour, really drawn
%!   ht = findobj (ax, "tag", "cka_annot");
%!   assert (numel (ht), 21);
%!   s = get (ht, "string");
%!   assert (any (strcmp (s, "0.05")) && any (strcmp (s, "1.00")));
%!   pos = cell2mat (get (ht, "position"));
%!   dark = ht(pos(:,1) == 1 & pos(:,2) == 6);
%!   light = ht(pos(:,1) == 1 & pos(:,2) == 1);
%!   assert (get (dark, "color"), [1 1 1]);
%!   assert (get (light, "color"), [0 0 0]);
%!   ## text pixels contrast with their cell: white ink in the darkest cell,
%!   ## black ink in the brightest one
%!   win = @(r, c) cell2mat (arrayfun (@(dx, dy) at (r, c, dx, dy), ...
%!                 kron (-0.3:0.02:0.3, ones (1, 11)), repmat (-0.15:0.03:0.15, 1, 31), ...
%!                 "uniformoutput", false)');
%!   ink = win (6, 1);                      # dark cell: light ink
%!   assert (max (mean (ink, 2)) - mean (expected_rgb (0.05, vmin, vmax, map)) > 120);
%!   ink = win (1, 1);                      # light cell: dark ink
%!   assert (mean (expected_rgb (1, vmin, vmax, map)) - min (mean (ink, 2)) > 120);
%!   ## labels and title
%!   assert (get (findobj (ax, "tag", "cka_title"), "string"), "CKA: BERT vs BERT");
%!   assert (get (findobj (ax, "tag", "cka_ylabel"), "string"), "BERT Layers");
%!   cb = findobj (fig, "tag", "cka_colorbar");
%!   assert (numel (cb), 1);
%!   assert (get (get (cb, "ylabel"), "string"), "CKA Similarity");
%! unwind_protect_cleanup
%!   close all;
%!   if (exist (f, "file"))
%!     delete (f);
%!   endif
%! end_unwind_protect

## A cka_compare result: names from the struct, LayerNameDepth, SVG and PDF
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! R.cka = [1 0.5 0.2; 0.4 0.9 0.3];
%! R.layers1 = {"encoder.layer.0", "encoder.layer.1"};
%! R.layers2 = {"h.0.mlp", "h.1.mlp", "h.2.mlp"};
%! R.model1_name = "bert_tiny";  R.model2_name = "gpt2";
%! fs = [tempname() ".svg"];  fp = [tempname() ".pdf"];
%! unwind_protect
%!   [fig, ax] = plot_cka_heatmap (R, "layer_name_depth", 2, "File", fs);
%!   hy = findobj (ax, "tag", "cka_yticklabel");
%!   [~, o] = sort (cellfun (@(q) q(2), get (hy, "position")));
%!   assert (get (hy(o), "string")', {"layer.0", "layer.1"});
%!   xl = get (findobj (ax, "tag", "cka_xticklabel"), "string");
%!   assert (sort (xl(:))', {"0.mlp", "1.mlp", "2.mlp"});
%!   assert (get (findobj (ax, "tag", "cka_title"), "string"), "CKA: bert_tiny vs gpt2");
%!   assert (get (findobj (ax, "tag", "cka_xlabel"), "string"), "gpt2 Layers");
%!   txt = fileread (fs);
%!   assert (strncmp (txt, "<?xml", 5) && ! isempty (strfind (txt, "<svg")));
%!   assert (! isempty (strfind (txt, "CKA Similarity")));
%!   assert (! isempty (strfind (txt, "bert_tiny")));
%!   close (fig);
%!   [fig, ax] = plot_cka_heatmap (R, "Title", "", "Model2Name", "GPT-2", ...
%!                                 "Cmap", "viridis", "VMin", 0, "VMax", 1, ...
%!                                 "Colorbar", false, "File", fp);
%!   assert (isempty (findobj (fig, "tag", "cka_colorbar")));
%!   assert (isempty (findobj (ax, "tag", "cka_title")));
%!   assert (get (findobj (ax, "tag", "cka_xlabel"), "string"), "GPT-2 Layers");
%!   assert (get (ax, "clim"), [0 1]);
%!   assert (get (ax, "colormap"), viridis (256), 1e-6);  # same data as Octave's
%!   fid = fopen (fp, "r");  head = fread (fid, 5, "char=>char")';  fclose (fid);
%!   assert (head, "%PDF-");
%!   assert (stat (fp).size > 1000);
%!   ## a page of FigSize inches (pytorch-cka's default 6 x 5 here)
%!   fid = fopen (fp, "r");  bytes = fread (fid, Inf, "uint8=>uint8")';  fclose (fid);
%!   bytes(bytes > 127) = 32;
%!   box = regexp (char (bytes), '/MediaBox \[\s*0 0 (\d+) (\d+)', "tokens", "once");
%!   assert (str2double (box(:))', [432, 360]);
%! unwind_protect_cleanup
%!   close all;
%!   for f = {fs, fp}
%!     if (exist (f{1}, "file"))
%!       delete (f{1});
%!     endif
%!   endfor
%! end_unwind_protect

## 50 layers: every label at the default size, thinned when the figure is
## small, never overlapping into a dark bar
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! n = 50;
%! [i, j] = ndgrid (1:n);
%! M = exp (-abs (i - j) / 10);
%! names = arrayfun (@(k) sprintf ("model.layers.%d", k), 0:n-1, "uniformoutput", false);
%! f1 = [tempname() ".png"];  f2 = [tempname() ".png"];
%! unwind_protect
%!   [fig, ax] = plot_cka_heatmap (M, "Layers1", names, "Layers2", names, "File", f1);
%!   assert (size (imread (f1)), [2100, 2200, 3]);      # pytorch-cka's default size
%!   assert (numel (findobj (ax, "tag", "cka_xticklabel")), n);
%!   assert (numel (get (ax, "ytick")), n);
%!   close (fig);
%!   [fig, ax] = plot_cka_heatmap (M, "Layers1", names, "Layers2", names, ...
%!                                 "FigSize", [6, 5], "File", f2);
%!   img = imread (f2);
%!   assert (size (img), [500, 600, 3]);
%!   ## y labels: one text line of 8 points needs ~12 pixels
%!   yt = get (ax, "ytick");
%!   p = get (ax, "position") .* [600 500 600 500];
%!   assert (numel (yt) < n && numel (yt) > 10);
%!   assert (min (diff (yt)) * p(4) / n >= 11);
%!   ## x labels at 45 degrees: neighbours at least a line height apart
%!   hx = findobj (ax, "tag", "cka_xticklabel");
%!   xs = sort (cellfun (@(q) q(1), get (hx, "position")));
%!   assert (numel (xs) < n && numel (xs) > 10);
%!   assert (min (diff (xs)) * p(3) / n * sind (45) >= 11);
%!   assert (get (hx(1), "rotation"), 45);
%!   ## the label bands are mostly background, not a black bar
%!   H = rows (img);
%!   band = img(round (H - p(2)) + 8 : round (H - p(2)) + 60, round (p(1)):round (p(1) + p(3)), :);
%!   assert (mean (all (band < 100, 3)(:)) < 0.2);
%!   band = img(round (H - p(2) - p(4)):round (H - p(2)), 30:round (p(1)) - 8, :);
%!   assert (mean (all (band < 100, 3)(:)) < 0.2);
%!   ## annotations that cannot be legible are refused, not smeared
%!   close (fig);
%!   fig = figure ("visible", "off");
%!   ax = axes (fig);
%!   warning ("off", "cka:plot:annotTooSmall", "local");
%!   plot_cka_heatmap (M, "Ax", ax, "Annot", true);
%!   assert (isempty (findobj (ax, "tag", "cka_annot")));
%! unwind_protect_cleanup
%!   close all;
%!   for f = {f1, f2}
%!     if (exist (f{1}, "file"))
%!       delete (f{1});
%!     endif
%!   endfor
%! end_unwind_protect

## Drawing into given axes; NaN cells blank; colormap choices; formats
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! fig = figure ("visible", "off", "position", [0 0 800 400]);
%! unwind_protect
%!   a1 = subplot (1, 2, 1);
%!   a2 = subplot (1, 2, 2);
%!   M = [0.2 NaN; 0.6 1];
%!   [f, ax] = plot_cka_heatmap (M, "Ax", a2, "Cmap", "hot_r", "Annot", true, ...
%!                               "AnnotFmt", "%.3f");
%!   assert (f, fig);
%!   assert (ax, a2);
%!   assert (get (fig, "visible"), "off");
%!   assert (get (a2, "colormap"), flipud (hot (256)));
%!   assert (sort (get (findobj (a2, "tag", "cka_annot"), "string"))', ...
%!           {"0.200", "0.600", "1.000"});
%!   assert (numel (findobj (a2, "tag", "cka_mask")), 1);     # the NaN cell
%!   map = [0 0 0; 1 1 1];
%!   plot_cka_heatmap (M, "Ax", a1, "Cmap", map, "Annot", true, "annot_fmt", ".1%");
%!   assert (get (a1, "colormap"), map);
%!   assert (sort (get (findobj (a1, "tag", "cka_annot"), "string"))', ...
%!           {"100.0%", "20.0%", "60.0%"});
%!   plot_cka_heatmap (M, "Ax", a1, "Annot", true, "AnnotFmt", ".2e");
%!   assert (sort (get (findobj (a1, "tag", "cka_annot"), "string"))', ...
%!           {"1.00e+00", "2.00e-01", "6.00e-01"});
%!   plot_cka_heatmap (M, "Ax", a1, "Annot", true, "AnnotFmt", "r=%4.2f");
%!   assert (sort (get (findobj (a1, "tag", "cka_annot"), "string"))', ...
%!           {"r=0.20", "r=0.60", "r=1.00"});
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect

## Dpi: a PNG with FigSize * Dpi pixels, cells and ink where they were
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! f = [tempname() ".png"];
%! unwind_protect
%!   [fig, ax] = plot_cka_heatmap ([0 1; 1 0], "FigSize", [4, 3], "Dpi", 250, "File", f);
%!   img = imread (f);
%!   assert (size (img), [750, 1000, 3]);
%!   assert (get (fig, "position")(3:4), [400, 300]);      # figure unchanged
%!   p = get (ax, "position") .* [1000 750 1000 750];
%!   px = @(i, j) double (squeeze (img(round (750 - p(2) - p(4) + (i - 0.5) / 2 * p(4)),
%!                                     round (p(1) + (j - 0.5) / 2 * p(3)), :)))';
%!   assert (px (1, 1), [0 0 4], 2);                        # magma's ends
%!   assert (px (1, 2), [252 253 191], 2);
%! unwind_protect_cleanup
%!   close all;
%!   if (exist (f, "file"))
%!     delete (f);
%!   endif
%! end_unwind_protect

## A result struct with only the matrix: pytorch-cka's default names
%!test
%! [fig, ax] = plot_cka_heatmap (struct ("cka", [1 0.5; 0.5 1]), "Visible", "off");
%! unwind_protect
%!   assert (get (findobj (ax, "tag", "cka_title"), "string"), "CKA: Model 1 vs Model 2");
%!   assert (sort (get (findobj (ax, "tag", "cka_xticklabel"), "string"))', {"0", "1"});
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect

## Headless gnuplot: an explicit Visible true warns and stays invisible
## rather than printing ASCII art
%!testif ; strcmp (graphics_toolkit (), "gnuplot") && isempty (getenv ("DISPLAY"))
%! lastwarn ("");
%! fig = plot_cka_heatmap (eye (2), "Visible", true);
%! unwind_protect
%!   [~, id] = lastwarn ();
%!   assert (id, "cka:plot:noDisplay");
%!   assert (get (fig, "visible"), "off");
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect

## Edge cases: 1x1, a row, all NaN, redrawing into the same axes
%!test
%! fig = figure ("visible", "off");
%! unwind_protect
%!   ax = axes (fig);
%!   plot_cka_heatmap (0.5, "Ax", ax);
%!   assert (diff (get (ax, "clim")) > 0);
%!   plot_cka_heatmap ([0.1 0.2 0.3], "Ax", ax, "Annot", true);
%!   assert (numel (findobj (ax, "tag", "cka_annot")), 3);
%!   assert (numel (findobj (fig, "tag", "cka_colorbar")), 1);
%!   plot_cka_heatmap (NaN (3), "Ax", ax, "Cmap", "gray");
%!   assert (get (ax, "clim"), [0 1]);
%!   assert (numel (findobj (ax, "tag", "cka_mask")), 1);
%!   assert (isempty (findobj (ax, "tag", "cka_annot")));
%!   assert (numel (findobj (fig, "tag", "cka_colorbar")), 1);
%!   plot_cka_heatmap (true (2), "Ax", ax, "Colorbar", false);
%!   assert (isempty (findobj (fig, "tag", "cka_colorbar")));
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect

%!warning id=cka:plot:annotTooSmall
%! fig = figure ("visible", "off");
%! unwind_protect
%!   plot_cka_heatmap (ones (40), "Ax", axes (fig), "Annot", true);
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect

%!error <Invalid call> plot_cka_heatmap ()
%!error id=cka:input:unknownOption plot_cka_heatmap (eye (2), "Colour", "red")
%!error id=cka:plot:badColormap plot_cka_heatmap (eye (2), "Cmap", "nosuchmap")
%!error id=cka:plot:badColormap plot_cka_heatmap (eye (2), "Cmap", "disp")
%!error id=cka:plot:badColormap plot_cka_heatmap (eye (2), "Cmap", [0 0 2; 1 1 1])
%!error id=cka:input:badOption plot_cka_heatmap (eye (2), "AnnotFmt", "%s")
%!error id=cka:input:badOption plot_cka_heatmap (eye (2), "AnnotFmt", "%d %d")
%!error id=cka:input:badOption plot_cka_heatmap (eye (2), "VMin", 1, "VMax", 0)
%!error id=cka:input:badOption plot_cka_heatmap (eye (2), "LayerNameDepth", 0)
%!error id=cka:input:badOption plot_cka_heatmap (eye (2), "FigSize", [6 -1])
%!error id=cka:input:badOption plot_cka_heatmap (eye (2), "Ax", 0.5)
%!error id=cka:plot:sizeMismatch plot_cka_heatmap (eye (2), "Layers1", {"a"})
%!error id=cka:plot:badInput plot_cka_heatmap ("abc")
%!error id=cka:plot:badInput plot_cka_heatmap (struct ("layers1", {{"a"}}))
%!error id=cka:plot:badFile plot_cka_heatmap (eye (2), "File", [tempname() ".jpg"])
%!error id=cka:input:badOption plot_cka_heatmap (eye (2), "Dpi", 0, "File", [tempname() ".png"])
%!error id=cka:plot:badFile plot_cka_heatmap (eye (2), "File", "/nonexistent/dir/x.png")

## "Range": automatic (the data's span, stated on the colorbar when it is
## narrow) or fixed; fonts never shrink below 6 pt on their own
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! M = 0.35 + 0.04 * magic (4) / 16;
%! fig = figure ("visible", "off");
%! unwind_protect
%!   ax = axes ("parent", fig);
%!   plot_cka_heatmap (M, "Ax", ax);
%!   assert (get (ax, "clim"), [min(M(:)), max(M(:))], 1e-12);
%!   lbl = get (get (findobj (fig, "tag", "cka_colorbar"), "ylabel"), "string");
%!   assert (lbl, sprintf ("CKA Similarity (colours span %.2f-%.2f)", min (M(:)), max (M(:))));
%!   clf (fig);  ax = axes ("parent", fig);
%!   plot_cka_heatmap (M, "Ax", ax, "Range", [0 1]);
%!   assert (get (ax, "clim"), [0 1]);
%!   lbl = get (get (findobj (fig, "tag", "cka_colorbar"), "ylabel"), "string");
%!   assert (lbl, "CKA Similarity");
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! warning ("off", "cka:plot:annotTooSmall", "local");
%! [fig, ax] = plot_cka_heatmap (rand (25), "FigSize", [2.5 2], "Visible", "off");
%! unwind_protect
%!   fs = cell2mat (get (findobj (fig, "tag", "cka_yticklabel"), "fontsize"));
%!   assert (min (fs) >= 6);
%!   assert (get (findobj (fig, "tag", "cka_title"), "fontsize") >= 6);
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect
%!warning <too small for legible annotations>
%! fig = figure ("visible", "off");
%! unwind_protect
%!   plot_cka_heatmap (rand (25), "Ax", axes ("parent", fig), "Annot", true);
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect
%!error <Range must be "auto" or \[lo hi\]> plot_cka_heatmap (eye (2), "Range", [1 0])
%!error <give Range or VMin/VMax, not both> plot_cka_heatmap (eye (2), "Range", [0 1], "VMin", 0)

%!function ij = cross_cells (ax)
%!  ## the cells holding a cross of "Significance" (two crossing strokes)
%!  ij = zeros (0, 2);
%!  for h = findobj (ax, "tag", "cka_notsig")'
%!    x = reshape (get (h, "xdata"), 3, []);
%!    y = reshape (get (h, "ydata"), 3, []);
%!    assert (all (isnan ([x(3,:), y(3,:)])));
%!    cx = mean (x(1:2,:));
%!    cy = mean (y(1:2,:));
%!    assert (cx(1:2:end), cx(2:2:end), 1e-12);
%!    assert (cy(1:2:end), cy(2:2:end), 1e-12);
%!    ij = [ij; round(cy(1:2:end))', round(cx(1:2:end))'];
%!  endfor
%!  ij = sortrows (ij);
%!endfunction

## Significance: a cross exactly on the shown cells with p > alpha (not on
## p = alpha, NaN or masked cells), the cell's colour left around it, the
## note under the x label; SVG draws the crosses over the cells
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! [i, j] = ndgrid (1:6);
%! R.cka = exp (-abs (i - j) / 3);
%! R.p_value = 0.001 + 0.3 * (abs (i - j) >= 3);
%! R.p_value(3, 2) = 0.05;  R.p_value(4, 3) = 0.051;  R.p_value(6, 5) = NaN;
%! R.p_value(1, 2) = 0.9;                    # masked: no mark
%! R.n_permutations = 1000;
%! f = [tempname() ".png"];  fs = [tempname() ".svg"];
%! unwind_protect
%!   [fig, ax] = plot_cka_heatmap (R, "Significance", 0.05, "MaskUpper", true, ...
%!                                 "FigSize", [6, 5], "File", f);
%!   want = tril (R.p_value > 0.05);
%!   [wi, wj] = find (want);
%!   assert (cross_cells (ax), sortrows ([wi, wj]));
%!   assert (get (findobj (ax, "tag", "cka_signote"), "string"), ...
%!           "\xC3\x97: not significant, p > 0.05 (permutation test, 1000 permutations)");
%!   ## the note is under the x label, inside the figure
%!   yn = get (findobj (ax, "tag", "cka_signote"), "position")(2);
%!   yx = get (findobj (ax, "tag", "cka_xlabel"), "position")(2);
%!   p = get (ax, "position");
%!   assert (yn > yx && yn < 6.5 + p(2) * 6 / p(4));     # above the figure's bottom
%!   ## in the picture: ink at the centre of a marked cell, its colour at a
%!   ## corner; a cell without a mark keeps its colour at the centre
%!   [img, at] = render_png (fig, ax, f);
%!   map = get (ax, "colormap");  cl = get (ax, "clim");
%!   for c = [wi, wj]'
%!     cell_rgb = expected_rgb (R.cka(c(1), c(2)), cl(1), cl(2), map);
%!     assert (at (c(1), c(2), 0.4, 0.4), cell_rgb, 2);
%!     assert (max (abs (at (c(1), c(2), 0, 0) - cell_rgb)) > 60);
%!   endfor
%!   assert (at (3, 2, 0, 0), expected_rgb (R.cka(3,2), cl(1), cl(2), map), 2);
%!   assert (at (6, 5, 0, 0), expected_rgb (R.cka(6,5), cl(1), cl(2), map), 2);
%!   close (fig);
%!   [fig, ax] = plot_cka_heatmap (R, "Significance", 0.05, "File", fs);
%!   txt = fileread (fs);
%!   last_cell = max (strfind (txt, "<polygon"));
%!   marks = regexp (txt, "stroke='rgb\\((204, 204, 204|\\s*77,\\s*77,\\s*77)\\)'");
%!   assert (numel (marks) >= 1 && min (marks) > last_cell);
%!   assert (! isempty (strfind (txt, "not significant, p &gt; 0.05")) ...
%!           || ! isempty (strfind (txt, "not significant, p > 0.05")));
%! unwind_protect_cleanup
%!   close all;
%!   for f = {f, fs}
%!     if (exist (f{1}, "file"))
%!       delete (f{1});
%!     endif
%!   endfor
%! end_unwind_protect

## With annotations: a smaller cross above the number, inside its cell, and
## the numbers unchanged; no Significance, no marks; into given axes
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! R = struct ("cka", [1 0.5 0.2; 0.5 1 0.4], "p_value", [0.001 0.2 0.5; 0.01 0.001 0.3]);
%! fig = figure ("visible", "off");
%! unwind_protect
%!   ax = axes ("parent", fig);
%!   plot_cka_heatmap (R, "Ax", ax, "Annot", true, "Significance", 0.1);
%!   assert (cross_cells (ax), [1 2; 1 3; 2 3]);
%!   assert (numel (findobj (ax, "tag", "cka_annot")), 6);
%!   for h = findobj (ax, "tag", "cka_notsig")'
%!     x = reshape (get (h, "xdata"), 6, []);  y = reshape (get (h, "ydata"), 6, []);
%!     x = x([1 2 4 5],:);  y = y([1 2 4 5],:);     # the ends of both strokes
%!     i = round (mean (y));  j = round (mean (x));
%!     assert (all (y < i & y > i - 0.5));
%!     assert (all (x > j & x < j + 0.5));
%!   endfor
%!   assert (get (findobj (ax, "tag", "cka_signote"), "string"), ...
%!           "\xC3\x97: not significant, p > 0.1 (permutation test)");
%!   plot_cka_heatmap (R, "Ax", ax, "Annot", true);
%!   assert (isempty (findobj (ax, "tag", "cka_notsig")));
%!   assert (isempty (findobj (ax, "tag", "cka_signote")));
%! unwind_protect_cleanup
%!   close (fig);
%! end_unwind_protect

%!shared Rp
%! Rp = struct ("cka", eye (2), "p_value", ones (2));
%!error id=cka:input:badOption plot_cka_heatmap (Rp, "Significance", 0)
%!error id=cka:input:badOption plot_cka_heatmap (Rp, "Significance", 1)
%!error id=cka:input:badOption plot_cka_heatmap (Rp, "Significance", [0.01 0.05])
%!error id=cka:input:badOption plot_cka_heatmap (Rp, "Significance", "0.05")
%!error id=cka:input:badOption plot_cka_heatmap (Rp, "Significance", NaN)
%!error id=cka:plot:noPValues plot_cka_heatmap (eye (2), "Significance", 0.05)
%!error <the result has none> plot_cka_heatmap (struct ("cka", eye (2)), "Significance", 0.05)
%!error id=cka:plot:sizeMismatch plot_cka_heatmap (setfield (Rp, "p_value", 1), "Significance", 0.05)
