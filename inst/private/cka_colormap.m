## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{map} =} cka_colormap (@var{spec}, @var{fname})
## Resolve the @qcode{"Cmap"} option of the plot functions to an N-by-3 map.
##
## @var{spec} is one of the matplotlib maps @qcode{"magma"},
## @qcode{"inferno"}, @qcode{"plasma"}, @qcode{"viridis"} (256 entries, the
## published data), the name of one of Octave's colormap functions
## (@qcode{"hot"}, @qcode{"gray"}, @qcode{"parula"}, @dots{}; 256 entries),
## or an N-by-3 matrix of RGB values in [0, 1].  A name ending in
## @qcode{"_r"} gives the reversed map, as in matplotlib.  Errors are
## @code{cka:plot:badColormap} and mention @var{fname}.
## @end deftypefn

function map = cka_colormap (spec, fname)
  if (isnumeric (spec))
    if (ndims (spec) != 2 || columns (spec) != 3 || rows (spec) < 2
        || ! isreal (spec) || any (! isfinite (spec(:)))
        || any (spec(:) < 0) || any (spec(:) > 1))
      error ("cka:plot:badColormap",
             "%s: a numeric Cmap must be an N-by-3 matrix (N >= 2) of RGB values in [0, 1]",
             fname);
    endif
    map = double (spec);
    return;
  endif
  if (! ischar (spec) || ! isrow (spec))
    error ("cka:plot:badColormap",
           "%s: Cmap must be a colormap name or an N-by-3 RGB matrix", fname);
  endif
  name = lower (spec);
  reverse = numel (name) > 2 && strcmp (name(end-1:end), "_r");
  if (reverse)
    name = name(1:end-2);
  endif
  switch (name)
    case "magma"
      map = mpl_magma ();
    case "inferno"
      map = mpl_inferno ();
    case "plasma"
      map = mpl_plasma ();
    case "viridis"
      map = mpl_viridis ();
    otherwise
      ## Octave's own colormap functions; a fixed list so that an arbitrary
      ## function name given as "Cmap" is never called.
      octave_maps = {"autumn", "bone", "cool", "copper", "cubehelix", ...
                     "flag", "gray", "hot", "hsv", "jet", "ocean", ...
                     "parula", "pink", "prism", "rainbow", "spring", ...
                     "summer", "turbo", "white", "winter", "lines", ...
                     "colorcube"};
      if (! any (strcmp (name, octave_maps)) || ! exist (name))
        error ("cka:plot:badColormap",
               "%s: unknown colormap '%s' (use magma, inferno, plasma, viridis, an Octave colormap name such as hot or gray, or an N-by-3 matrix)",
               fname, spec);
      endif
      map = feval (name, 256);
  endswitch
  if (reverse)
    map = flipud (map);
  endif
endfunction
