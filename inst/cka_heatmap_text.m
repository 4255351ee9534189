## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {} cka_heatmap_text (@var{R})
## @deftypefnx {cka} {} cka_heatmap_text (@var{M})
## @deftypefnx {cka} {} cka_heatmap_text (@dots{}, @var{Name}, @var{Value}, @dots{})
## @deftypefnx {cka} {@var{txt} =} cka_heatmap_text (@dots{})
## A CKA heatmap drawn as text, for a terminal without a display (SSH) and
## for logs.
##
## @var{R} is a @code{cka_compare} result (its @code{cka} matrix, layer
## names and model names) or @var{M} a plain matrix.  Each cell is shaded by
## its value: on a colour terminal with the @qcode{"magma"} colormap as
## ANSI 256 colours (Unicode block characters of growing density in that
## colour, or the value on a background of that colour), otherwise with the
## plain characters @qcode{" .:-=+*#%@@"}.  Rows carry the layer names
## of the first model; columns are numbered, and the numbers are listed with
## the second model's layer names under the map.  A scale line gives the
## range.  The values are printed in the cells when they fit the width.
## Without an output argument the text is printed; with one it is
## returned (no printing).
##
## Options:
## @table @asis
## @item @qcode{"Color"} (default @qcode{"auto"})
## @code{true}: ANSI colours and Unicode shading; @code{false}: plain
## characters; @qcode{"auto"}: colours when standard output is a terminal
## whose @env{TERM} is not @qcode{"dumb"} and @env{NO_COLOR} is unset.
## @item @qcode{"Values"} (default @qcode{"auto"})
## Print the values (two decimals) in the cells: @code{true},
## @code{false}, or @qcode{"auto"} (when the map fits in @qcode{"Width"}).
## @item @qcode{"Width"} (default: the terminal's width, else 80)
## @item @qcode{"Range"} (default @qcode{"auto"}: the smallest and largest value)
## @code{[lo hi]} fixes the range the shading spans, e.g. @code{[0 1]}.
## @end table
##
## @example
## @group
## R = cka_compare (model, [], ids);
## cka_heatmap_text (R)                   # in an SSH session or a batch log
## txt = cka_heatmap_text (R, "Color", false);   # for a report
## @end group
## @end example
## @seealso{plot_cka_heatmap, cka_compare}
## @end deftypefn

function txt = cka_heatmap_text (R, varargin)
  if (nargin < 1)
    print_usage ();
  endif
  [M, rows_names, col_names, title] = matrix_of (R);
  opts = parse_options ("cka_heatmap_text",
                        struct ("Color", "auto", "Values", "auto", "Width", [],
                                "Range", "auto"), varargin);
  color = resolve_flag (opts.Color, "Color", @() __cka_isatty__ () && color_term ());
  width = opts.Width;
  if (isempty (width))
    width = 80;
    if (__cka_isatty__ ())
      sz = terminal_size ();
      width = max (40, sz(2));
    endif
  elseif (! (isnumeric (width) && isscalar (width) && width >= 20 && width == fix (width)))
    error ("cka:input:badOption", "cka_heatmap_text: Width must be an integer >= 20");
  endif
  [lo, hi] = value_range (M, opts.Range);

  label_w = min (max (cellfun (@numel, rows_names)), 28);
  cell_w = 2;
  fits_values = label_w + 2 + 6 * columns (M) <= width;
  values = resolve_flag (opts.Values, "Values", @() fits_values);
  if (values)
    cell_w = 6;
  endif
  ramp = " .:-=+*#%@";
  cmap = [];
  if (color)
    cmap = cka_colormap ("magma", "cka_heatmap_text");   # once, not per cell
  endif
  lines = {title, sprintf("scale: %s", scale_line (lo, hi, cmap, ramp))};
  head = repmat (" ", 1, label_w + 2);
  for j = 1:columns (M)
    head = [head, pad_left(sprintf("%d", j), cell_w)];
  endfor
  lines{end+1} = head;
  for i = 1:rows (M)
    row = [pad_right(clip (rows_names{i}, label_w), label_w), "  "];
    for j = 1:columns (M)
      row = [row, shade(M(i, j), lo, hi, cmap, ramp, values, cell_w)];
    endfor
    lines{end+1} = row;
  endfor
  lines{end+1} = "columns:";
  for j = 1:columns (M)
    lines{end+1} = sprintf ("  %2d  %s", j, col_names{j});
  endfor
  out = [strjoin(lines, "\n"), "\n"];
  if (nargout > 0)
    txt = out;
  else
    printf ("%s", out);
  endif
endfunction

function [M, r, c, title] = matrix_of (R)
  if (isstruct (R) && isfield (R, "cka"))
    M = R.cka;
    r = get_names (R, "layers1", rows (M));
    c = get_names (R, "layers2", columns (M));
    n1 = "Model 1";  n2 = "Model 2";
    if (isfield (R, "model1_name") && ischar (R.model1_name))
      n1 = R.model1_name;
    endif
    if (isfield (R, "model2_name") && ischar (R.model2_name))
      n2 = R.model2_name;
    endif
    title = sprintf ("CKA: %s (rows) vs %s (columns)", n1, n2);
  elseif (isnumeric (R) && ismatrix (R) && ! isempty (R))
    M = double (R);
    r = arrayfun (@(k) sprintf ("%d", k), 1:rows (M), "UniformOutput", false);
    c = arrayfun (@(k) sprintf ("%d", k), 1:columns (M), "UniformOutput", false);
    title = "CKA";
  else
    error ("cka:plot:badInput",
           "cka_heatmap_text: R must be a cka_compare result or a non-empty matrix");
  endif
  if (! isreal (M))
    error ("cka:plot:badInput", "cka_heatmap_text: the matrix must be real");
  endif
endfunction

function n = get_names (R, f, k)
  if (isfield (R, f) && iscellstr (R.(f)) && numel (R.(f)) == k)
    n = R.(f)(:)';
  else
    n = arrayfun (@(x) sprintf ("%d", x), 1:k, "UniformOutput", false);
  endif
endfunction

function tf = resolve_flag (v, name, auto)
  if (ischar (v) && strcmpi (v, "auto"))
    tf = auto ();
  elseif (isscalar (v) && (islogical (v) || isnumeric (v)))
    tf = logical (v);
  else
    error ("cka:input:badOption", "cka_heatmap_text: %s must be true, false or \"auto\"", name);
  endif
endfunction

function tf = color_term ()
  tf = isempty (getenv ("NO_COLOR")) && ! any (strcmp (getenv ("TERM"), {"", "dumb"}));
endfunction

function [lo, hi] = value_range (M, rng)
  if (ischar (rng) && strcmpi (rng, "auto"))
    v = M(isfinite (M));
    if (isempty (v))
      v = [0 1];
    endif
    lo = min (v);  hi = max (v);
  elseif (isnumeric (rng) && numel (rng) == 2 && all (isfinite (rng)) && rng(1) < rng(2))
    lo = rng(1);  hi = rng(2);
  else
    error ("cka:input:badOption", "cka_heatmap_text: Range must be \"auto\" or [lo hi] with lo < hi");
  endif
endfunction

## Position of v in [lo, hi] as a fraction in [0, 1] (NaN for NaN).
function t = frac (v, lo, hi)
  if (hi > lo)
    t = min (max ((v - lo) / (hi - lo), 0), 1);
  else
    t = 1;
  endif
endfunction

## cmap: the colour map, or [] for plain characters.
function s = shade (v, lo, hi, cmap, ramp, values, w)
  color = ! isempty (cmap);
  if (! isfinite (v))
    s = pad_left ("NaN", w);
    return;
  endif
  t = frac (v, lo, hi);
  if (values)
    body = pad_left (sprintf ("%.2f", v), w);
  elseif (color)
    blocks = {" ", "░", "▒", "▓", "█"};
    body = repmat (blocks{1 + round (t * 4)}, 1, w);
  else
    body = repmat (ramp(1 + round (t * (numel (ramp) - 1))), 1, w);
  endif
  if (color && values)        # the value on its colour
    [bg, fg] = ansi_colors (t, cmap);
    s = sprintf ("\033[48;5;%dm\033[38;5;%dm%s\033[0m", bg, fg, body);
  elseif (color)               # a denser and brighter glyph for a larger value
    s = sprintf ("\033[38;5;%dm%s\033[0m", ansi_colors (t, cmap), body);
  else
    s = body;
  endif
endfunction

## The magma colour of t as an xterm-256 colour (6x6x6 cube), and a
## readable text colour on it.
function [bg, fg] = ansi_colors (t, cmap)
  rgb = cmap(1 + round (t * (rows (cmap) - 1)), :);
  q = round (rgb * 5);
  bg = 16 + 36 * q(1) + 6 * q(2) + q(3);
  lum = 0.2126 * rgb(1) + 0.7152 * rgb(2) + 0.0722 * rgb(3);
  fg = 15;
  if (lum > 0.55)
    fg = 16;
  endif
endfunction

function s = scale_line (lo, hi, cmap, ramp)
  steps = 0:0.25:1;
  parts = "";
  for t = steps
    if (! isempty (cmap))
      [bg, fg] = ansi_colors (t, cmap);
      parts = [parts, sprintf("\033[48;5;%dm\033[38;5;%dm  \033[0m", bg, fg)];
    else
      parts = [parts, ramp(1 + round (t * (numel (ramp) - 1)))];
    endif
  endfor
  s = sprintf ("%.2f %s %.2f", lo, parts, hi);
endfunction

function s = clip (s, w)
  if (numel (s) > w)
    s = ["..." s(end-w+4:end)];
  endif
endfunction

function s = pad_right (s, w)
  s = [s, repmat(" ", 1, w - numel (s))];
endfunction

function s = pad_left (s, w)
  s = [repmat(" ", 1, w - numel (s)), s];
endfunction

%!test
%! R = struct ("cka", [1 0.5; 0.5 1], "layers1", {{"encoder.layer.0"; "encoder.layer.1"}},
%!             "layers2", {{"h.0"; "h.1"}}, "model1_name", "BERT", "model2_name", "GPT-2");
%! t = cka_heatmap_text (R, "Color", false, "Width", 80);
%! assert (! isempty (strfind (t, "CKA: BERT (rows) vs GPT-2 (columns)")));
%! assert (! isempty (regexp (t, 'encoder\.layer\.0\s+1\.00\s+0\.50', "once")));
%! assert (! isempty (strfind (t, "   2  h.1")));
%! assert (isempty (strfind (t, "\033[")));            # plain text
%! assert (! isempty (strfind (t, "scale: 0.50 ")));
%!test
%! ## colours: ANSI background per cell, Unicode shading when values do not fit
%! t = cka_heatmap_text (magic (4) / 16, "Color", true, "Values", false);
%! assert (! isempty (strfind (t, "\033[38;5;")));
%! assert (! isempty (strfind (t, "█")));
%! t = cka_heatmap_text (magic (4) / 16, "Color", true, "Values", true);
%! assert (! isempty (strfind (t, "\033[48;5;")));
%! ## plain shading spans the range
%! t = cka_heatmap_text ([0 1], "Color", false, "Values", false);
%! assert (! isempty (strfind (t, "    @@")));
%!test
%! ## values are left out when the map would not fit the width
%! M = rand (20, 20);
%! t = cka_heatmap_text (M, "Color", false, "Width", 60);
%! L = strsplit (t, "\n");
%! assert (isempty (regexp (strjoin (L(4:23), "\n"), '\d\.\d\d', "once")));
%! assert (max (cellfun (@numel, strsplit (t, "\n"))) <= 60);
%! t = cka_heatmap_text (M, "Color", false, "Range", [0 1], "Values", false);
%! assert (! isempty (strfind (t, "scale: 0.00 ")));
%!test
%! ## printed without an output
%! out = evalc ("cka_heatmap_text ([1 0; 0 1], 'Color', false)");
%! assert (! isempty (strfind (out, "columns:")));
%!error <Range> cka_heatmap_text (eye (2), "Range", [1 0])
%!error <cka_compare result or a non-empty matrix> cka_heatmap_text ({})
%!error <Color must be> cka_heatmap_text (eye (2), "Color", "yes")
