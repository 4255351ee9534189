## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{P} =} cka_progress ("start", @var{total}, @var{label}, @var{unit})
## @deftypefnx {} {@var{P} =} cka_progress ("update", @var{P}, @var{done})
## @deftypefnx {} {} cka_progress ("finish", @var{P})
## Text progress bar of cka_compare: batch count (or @var{unit}, default
## @qcode{"batches"}: the parallel modes count shards), elapsed time and ETA.
## On a terminal the line is redrawn in place with a carriage return;
## otherwise (log file, pipe, GUI) a plain line is printed about every 10%
## of the batches (every 10 batches when the total is unknown, and the
## final count at "finish").
## @end deftypefn

function P = cka_progress (what, varargin)
  switch (what)
    case "start"
      unit = "batches";
      if (numel (varargin) > 2)
        unit = varargin{3};
      endif
      P = struct ("total", varargin{1}, "label", varargin{2}, "unit", unit, "t0", tic (),
                  "tty", __cka_isatty__ (), "last_pct", -1, "last_done", 0, "width", 0,
                  "done", 0);
    case "update"
      P = varargin{1};
      done = varargin{2};
      P.done = done;
      el = toc (P.t0);
      known = isfinite (P.total) && P.total > 0;
      if (known)
        frac = min (done / P.total, 1);
        eta = el / max (done, 1) * (P.total - done);
        nb = 24;  k = round (frac * nb);
        bar = [repmat("=", 1, k), repmat(" ", 1, nb - k)];
        line = sprintf ("%s [%s] %d/%d %s  elapsed %s  ETA %s", P.label, bar, done,
                        P.total, P.unit, fmt_time (el), fmt_time (eta));
      else
        line = sprintf ("%s %d %s  elapsed %s", P.label, done, P.unit, fmt_time (el));
      endif
      if (P.tty)
        pad = repmat (" ", 1, max (0, P.width - numel (line)));
        printf ("\r%s%s", line, pad);
        P.width = numel (line);
        fflush (stdout);
      else
        if (known)
          pct = floor (10 * done / P.total);
          show = pct > P.last_pct || done == P.total;
          if (show)
            P.last_pct = pct;
          endif
        else
          show = done - P.last_done >= 10 || done == 1;
        endif
        if (show)
          printf ("%s\n", line);
          fflush (stdout);
          P.last_done = done;
        endif
      endif
    case "finish"
      P = varargin{1};
      if (P.tty && P.width > 0)
        printf ("\n");
        fflush (stdout);
      elseif (! P.tty && P.done > P.last_done)
        ## a log shows every 10th batch of an unknown total: the last line
        ## must give the count that ran
        printf ("%s %d %s  elapsed %s\n", P.label, P.done, P.unit, fmt_time (toc (P.t0)));
        fflush (stdout);
      endif
  endswitch
endfunction

function s = fmt_time (t)
  if (! isfinite (t))
    s = "--:--";
  elseif (t >= 3600)
    s = sprintf ("%d:%02d:%02d", floor (t / 3600), floor (mod (t, 3600) / 60), floor (mod (t, 60)));
  else
    s = sprintf ("%02d:%02d", floor (t / 60), floor (mod (t, 60)));
  endif
endfunction
