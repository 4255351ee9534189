## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {} cka_gnuplot_text (@var{fig})
## Make every text of figure @var{fig} inert for gnuplot (no-op with another
## graphics toolkit).
##
## Octave 7's gnuplot toolkit sends titles, labels, tick labels and legend
## entries to gnuplot inside double quotes without escaping them, and
## gnuplot runs the command in backquotes inside double-quoted strings; a
## quote ends the string and the rest of the text becomes gnuplot commands
## (@code{system}); a newline ends the command line.  Layer names come from
## checkpoint files, so all of these are hostile input.
##
## Each string is rewritten with gnuplot's octal escapes for backslash,
## double quote, backquote and control characters (@code{\134}, @code{\042},
## @code{\140}, @code{\012}, @dots{}); gnuplot turns them back into the same
## characters, so the figure shows the text unchanged.  Multi-line text
## (cellstr or char matrix) becomes one string with escaped newlines.  Text
## with the @qcode{"tex"} or @qcode{"latex"} interpreter keeps its
## backslashes (tex commands) except a trailing run, which would escape the
## closing quote.  Each object is marked (property
## @code{__cka_gnuplot_safe__}) so that a second call does not escape it
## twice.  The properties then hold the escaped strings.
## @end deftypefn

function cka_gnuplot_text (fig)
  if (! strcmp (get (fig, "__graphics_toolkit__"), "gnuplot"))
    return;
  endif
  ## legends first: setting a legend's strings updates the displayname of
  ## its lines (setting those directly trips a listener of legend.m)
  hl = findall (fig, "type", "axes", "tag", "legend");
  legend_done = {};
  for k = 1:numel (hl)
    if (isprop (hl(k), "__cka_gnuplot_safe__"))
      continue;
    endif
    tex = ! strcmp (get (hl(k), "interpreter"), "none");
    str = get (hl(k), "string");
    if (! iscell (str))
      str = cellstr (str);
    endif
    str = cellfun (@(s) escape (s, tex), str, "uniformoutput", false);
    set (hl(k), "string", str);
    legend_done = [legend_done, str(:)'];
    mark (hl(k));
  endfor
  hs = findall (fig);
  for k = 1:numel (hs)
    h = hs(k);
    if (isprop (h, "__cka_gnuplot_safe__"))
      continue;
    endif
    switch (get (h, "type"))
      case "figure"
        set (h, "name", escape (get (h, "name"), false));
      case "text"
        tex = ! strcmp (get (h, "interpreter"), "none");
        set (h, "string", escape (get (h, "string"), tex));
      case "axes"
        tex = ! strcmp (get (h, "ticklabelinterpreter"), "none");
        for ax = "xyz"
          if (strcmp (get (h, [ax "ticklabelmode"]), "manual"))
            lbl = get (h, [ax "ticklabel"]);
            if (! iscell (lbl))
              lbl = cellstr (lbl);
            endif
            set (h, [ax "ticklabel"], cellfun (@(s) escape (s, tex), lbl,
                                               "uniformoutput", false));
          endif
        endfor
    endswitch
    if (isprop (h, "displayname") && ! any (strcmp (get (h, "displayname"), legend_done)))
      set (h, "displayname", escape (get (h, "displayname"), false));
    endif
    mark (h);
  endfor
endfunction

function mark (h)
  if (! isprop (h, "__cka_gnuplot_safe__"))
    addproperty ("__cka_gnuplot_safe__", h, "boolean", "on");
  endif
endfunction

function s = escape (s, tex)
  if (iscell (s))
    s = strjoin (cellfun (@(x) char (x), s(:)', "uniformoutput", false), "\n");
  elseif (isnumeric (s))
    s = strjoin (cellstr (num2str (s(:))), "\n");
  elseif (rows (s) > 1)
    s = strjoin (cellstr (s)', "\n");
  endif
  s = char (s);
  c = double (s);
  bad = c < 32 | c == 127 | s == '"' | s == '`';
  if (tex)
    bs = find (s != '\', 1, "last");     # escape only a trailing run of '\'
    if (isempty (bs))
      bs = 0;
    endif
    bad(bs+1:end) |= (s(bs+1:end) == '\');
  else
    bad |= (s == '\');
  endif
  if (! any (bad))
    return;
  endif
  parts = num2cell (s);
  parts(bad) = arrayfun (@(x) sprintf ('\\%03o', x), c(bad), "uniformoutput", false);
  s = [parts{:}];
endfunction
