## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {} cka_save_figure (@var{fig}, @var{file}, @var{dpi}, @var{fname})
## Write figure @var{fig} to @var{file}; the format comes from the extension
## (.png, .svg, .pdf).  A PNG has the figure's size in pixels times
## @var{dpi}/100 (the figure has 100 pixels per inch); SVG and PDF have the
## same layout on a page of the figure's size in inches.
##
## With the qt and fltk toolkits, Octave's own print is used; PDF then needs
## Ghostscript (error @code{cka:plot:noGhostscript} without it), and a PNG
## without Ghostscript is the rendered frame.
##
## With the gnuplot toolkit the cairo terminals are used directly
## (pngcairo, pdfcairo, svg), so neither Ghostscript nor a display is needed,
## and no @code{-S} option is passed (it would rescale every font by the
## output width).  Text keeps the same size relative to the figure in all
## three formats.
##
## The figure is printed into a private temporary folder under a name made
## here (gnuplot never sees the user's file name), checked to be complete,
## then copied with Octave's file I/O and renamed into place by
## @code{cka_atomic_write}: a failure (@code{cka:plot:cannotWrite}, or
## @code{cka:plot:badFile} for a folder that does not exist or cannot be
## written) leaves no partial file and an existing @var{file} unchanged.
## With gnuplot, the figure's texts are first made inert
## (@code{cka_gnuplot_text}).
## @end deftypefn

function cka_save_figure (fig, file, dpi, fname)
  if (! ischar (file) || ! isrow (file))
    error ("cka:input:badOption", "%s: File must be a file name", fname);
  endif
  if (! (isscalar (dpi) && isnumeric (dpi) && isreal (dpi) && dpi >= 10
         && dpi <= 1200))
    error ("cka:input:badOption", "%s: Dpi must be a number from 10 to 1200",
           fname);
  endif
  [dir, base, ext] = fileparts (file);
  if (isempty (dir))
    dir = ".";
  endif
  if (! isfolder (dir))
    error ("cka:plot:badFile", "%s: directory '%s' of File '%s' does not exist",
           fname, dir, file);
  endif
  gnuplot = strcmp (get (fig, "__graphics_toolkit__"), "gnuplot");
  switch (lower (ext))
    case ".png"
      dev = cka_ifelse (gnuplot, "-dpngcairo", "-dpng");
    case ".pdf"
      dev = cka_ifelse (gnuplot, "-dpdfcairo", "-dpdf");
    case ".svg"
      dev = "-dsvg";
    otherwise
      error ("cka:plot:badFile",
             "%s: cannot tell the format of File '%s': use a .png, .svg or .pdf extension",
             fname, file);
  endswitch
  ## gnuplot and the toolkits only ever see a path made here: a fresh
  ## private folder (checked to hold [A-Za-z0-9/._-] only) and a fixed name.
  ## The bytes are then copied with Octave's file I/O next to FILE, checked,
  ## and renamed into place (cka_atomic_write): the user's name never
  ## reaches gnuplot's "set output '...'" nor a shell (movefile).
  pdir = tempname ();
  if (isempty (regexp (pdir, '^[A-Za-z0-9/._-]+$', "once")))
    error ("cka:plot:cannotWrite",
           "%s: the temporary folder '%s' has characters that are unsafe for gnuplot; set TMPDIR to a plain path",
           fname, pdir);
  endif
  [st, msg] = mkdir (pdir);
  if (! st)
    error ("cka:plot:cannotWrite", "%s: cannot create a temporary folder '%s': %s",
           fname, pdir, msg);
  endif
  tmp = fullfile (pdir, ["figure" lower(ext)]);
  if (gnuplot)
    cka_gnuplot_text (fig);
  endif
  warning ("off", "Octave:gnuplot-graphics", "local");
  warning ("off", "print:nogs", "local");
  restore = {};
  unwind_protect
    if (gnuplot)
      if (strcmp (dev, "-dsvg"))
        ## The SVG terminal takes the figure's pixels as user units and
        ## points of text as units: shrink the canvas to 72% so that text has
        ## the size relative to the figure that it has in a PNG (the layout
        ## is in normalized units).
        pos = get (fig, "position");
        restore{end+1} = {fig, "position", pos};
        set (fig, "position", [pos(1:2), pos(3:4) * 0.72]);
        restore = [restore, cells_as_patches(fig)];
      endif
      if (strcmp (dev, "-dpngcairo") && dpi != 100)
        restore = [restore, png_at_dpi(fig, tmp, dpi / 100)];
      elseif (strcmp (dev, "-dpdfcairo"))
        pdf_like_png (fig, tmp);
      else
        print (fig, tmp, dev);
      endif
    else
      ## OpenGL toolkits (qt, fltk): gl2ps cannot embed images in SVG, so
      ## cells become squares there too; PDF (and PNG with fltk) go through
      ## Ghostscript; a PNG without it is taken from the rendered frame.
      if (strcmp (dev, "-dsvg"))
        restore = [restore, cells_as_patches(fig)];
        restore = [restore, colorbars_as_patches(fig)];
      endif
      have_gs = have_ghostscript ();
      fltk = strcmp (get (fig, "__graphics_toolkit__"), "fltk");
      if (fltk && strcmp (get (fig, "visible"), "off"))
        ## fltk renders only visible figures
        restore{end+1} = {fig, "visible", "off"};
        set (fig, "visible", "on");
        drawnow ();
      endif
      if (strcmp (dev, "-dpng") && ! have_gs)
        if (dpi != 100)
          warning ("cka:plot:dpiIgnored",
                   "%s: without Ghostscript the %s toolkit saves the PNG at screen size; Dpi is ignored",
                   fname, get (fig, "__graphics_toolkit__"));
        endif
        frame = getframe (fig);
        imwrite (frame.cdata, tmp);
      elseif (strcmp (dev, "-dpdf") && ! have_gs)
        error ("cka:plot:noGhostscript",
               "%s: writing PDF with the %s toolkit needs Ghostscript ('gs'); install it, or use graphics_toolkit gnuplot",
               fname, get (fig, "__graphics_toolkit__"));
      else
        ## print the paper size: make it the figure's, at 100 dpi
        u = get (fig, "units");
        set (fig, "units", "pixels");
        px = get (fig, "position")(3:4);
        set (fig, "units", u);
        set (fig, "paperunits", "inches", "papersize", px / 100,
             "paperposition", [0, 0, px / 100], "paperpositionmode", "manual");
        print (fig, tmp, dev, sprintf ("-r%g", dpi));
      endif
    endif
    if (! figure_complete (tmp, ext))
      error ("cka:plot:cannotWrite", "%s: printing '%s' gave an incomplete %s file",
             fname, file, upper (ext(2:end)));
    endif
    [fid, msg] = fopen (tmp, "r");
    if (fid < 0)
      error ("cka:plot:cannotWrite", "%s: cannot read the printed figure: %s", fname, msg);
    endif
    bytes = fread (fid, Inf, "uint8=>uint8");
    fclose (fid);
    cka_atomic_write (file, bytes, @(t) figure_complete (t, ext),
                      {"cka:plot:cannotWrite", "cka:plot:badFile"}, fname);
  unwind_protect_cleanup
    for k = numel (restore):-1:1
      r = restore{k};
      if (ishghandle (r{1}))
        if (strcmp (r{2}, "delete"))
          delete (r{1});
        else
          set (r{1}, r{2}, r{3});
        endif
      endif
    endfor
    if (exist (tmp, "file"))
      unlink (tmp);
    endif
    if (isfolder (pdir))
      rmdir (pdir);
    endif
  end_unwind_protect
endfunction

## A figure file is complete when it ends as its format requires: PNG with
## the IEND chunk, PDF with %%EOF (then at most an end of line), SVG with
## </svg> (then white space).  print and gnuplot do not report a full disk.
function tf = figure_complete (f, ext)
  tf = false;
  [fid, msg] = fopen (f, "r");
  if (fid < 0)
    return;
  endif
  fseek (fid, 0, "eof");
  n = ftell (fid);
  fseek (fid, max (0, n - 64), "bof");
  tail = fread (fid, Inf, "uint8=>char")';
  fclose (fid);
  switch (lower (ext))
    case ".png"
      iend = char ([0 0 0 0 double("IEND") 174 66 96 130]);
      tf = numel (tail) >= 12 && strcmp (tail(end-11:end), iend);
    case ".pdf"
      tf = ! isempty (regexp (tail, '%%EOF\r?\n?$', "once"));
    case ".svg"
      tf = ! isempty (regexp (tail, '</svg>\s*$', "once"));
  endswitch
endfunction

function restore = cells_as_patches (fig)
  ## SVG viewers smooth gnuplot's embedded cell images into blurs: draw the
  ## heatmap cells as vector squares instead, in the image's place in the
  ## stacking order.  Returns what to undo afterwards.
  restore = {};
  him = findall (fig, "type", "image", "tag", "cka_cells");
  for k = 1:numel (him)
    ax = get (him(k), "parent");
    C = get (him(k), "cdata");
    xd = get (him(k), "xdata");
    yd = get (him(k), "ydata");
    [n1, n2] = size (C);
    [J, I] = meshgrid (1:n2, 1:n1);
    keep = isfinite (C(:));
    J = J(keep) + xd(1) - 1;
    I = I(keep) + yd(1) - 1;
    px = [J - 0.5, J + 0.5, J + 0.5, J - 0.5]';
    py = [I - 0.5, I - 0.5, I + 0.5, I + 0.5]';
    hp = patch (ax, px, py, C(keep)', "edgecolor", "none",
                "cdatamapping", "scaled");
    kids = get (ax, "children");
    kids(kids == hp) = [];
    at = find (kids == him(k));
    set (ax, "children", [kids(1:at-1); hp; kids(at:end)]);
    set (him(k), "visible", "off");
    restore{end+1} = {hp, "delete"};
    restore{end+1} = {him(k), "visible", "on"};
  endfor
endfunction

function restore = colorbars_as_patches (fig)
  ## gl2ps (qt, fltk) drops images from SVG: redraw colorbar gradients as
  ## one square per colormap entry
  restore = {};
  hcb = [findall(fig, "type", "axes", "tag", "colorbar");
         findall(fig, "type", "axes", "tag", "cka_colorbar")];
  for k = 1:numel (hcb)
    him = findall (hcb(k), "type", "image");
    for m = 1:numel (him)
      C = get (him(m), "cdata");
      if (! isvector (C) || numel (C) < 2)
        continue;
      endif
      yd = get (him(m), "ydata");
      xd = get (him(m), "xdata");
      n = numel (C);
      dy = (yd(end) - yd(1)) / (n - 1);
      yc = yd(1) + (0:n-1) * dy;
      if (numel (xd) > 1 && xd(end) > xd(1))
        x0 = xd(1);
        x1 = xd(end);
      else
        x0 = xd(1) - 0.5;
        x1 = xd(1) + 0.5;
      endif
      px = repmat ([x0; x1; x1; x0], 1, n);
      py = [yc - dy/2; yc - dy/2; yc + dy/2; yc + dy/2];
      hp = patch (hcb(k), px, py, double (C(:)'), "edgecolor", "none",
                  "cdatamapping", get (him(m), "cdatamapping"));
      set (him(m), "visible", "off");
      restore{end+1} = {hp, "delete"};
      restore{end+1} = {him(m), "visible", "on"};
    endfor
  endfor
endfunction

function pdf_like_png (fig, file)
  ## A page of the figure's size in inches (100 pixels per inch) whose text
  ## has the size relative to the figure it has in the PNG.  Octave's print
  ## leaves pdfcairo's default fontscale (0.5), which makes text about 70%
  ## of that; 0.72 was measured to match pngcairo.
  px = cka_fig_pixels (fig);
  term = sprintf (['pdfcairo enhanced size %gin,%gin fontscale 0.72 ' ...
                   'font ",%g" background rgb "#%02x%02x%02x"'], px / 100,
                  median_fontsize (fig), round (255 * fig_color (fig)));
  drawnow_to (fig, term, file);
endfunction

function fs = median_fontsize (fig)
  ## the terminal's default font, as Octave's print chooses it
  fs = get (findall (fig, "type", "axes"), "fontsize");
  if (iscell (fs))
    fs = cell2mat (fs);
  endif
  if (isempty (fs))
    fs = 10;
  endif
  fs = round (median (fs));
endfunction

function c = fig_color (fig)
  c = get (fig, "color");
  if (! isnumeric (c))
    c = [1 1 1];
  endif
endfunction

function drawnow_to (fig, term, file)
  old = get (0, "currentfigure");
  set (0, "currentfigure", fig);
  unwind_protect
    drawnow (term, file);
  unwind_protect_cleanup
    if (ishghandle (old))
      set (0, "currentfigure", old);
    endif
  end_unwind_protect
endfunction

function restore = png_at_dpi (fig, file, f)
  ## A PNG f times larger with everything in proportion: gnuplot's pngcairo
  ## scales fonts and lines itself (fontscale, linewidth), markers are sized
  ## per plot and enlarged here.  Octave's print would rescale fonts only.
  restore = {};
  h = findall (fig, "-property", "markersize");
  for k = 1:numel (h)
    w = get (h(k), "markersize");
    restore{end+1} = {h(k), "markersize", w};
    set (h(k), "markersize", w * f);
  endfor
  px = round (cka_fig_pixels (fig) * f);
  term = sprintf (['pngcairo size %d,%d fontscale %g linewidth %g font ",%g" ' ...
                   'background rgb "#%02x%02x%02x"'], px, f, f,
                  median_fontsize (fig), round (255 * fig_color (fig)));
  drawnow_to (fig, term, file);
endfunction

function tf = have_ghostscript ()
  tf = ! isempty (getenv ("GSC"));
  for b = {"gs", "gswin64c", "gswin32c"}
    tf = tf || ! isempty (file_in_path (getenv ("PATH"), b{1}));
  endfor
endfunction
