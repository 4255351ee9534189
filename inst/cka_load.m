## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {cka} {@var{R} =} cka_load (@var{file})
## Load a result or accumulator saved by @code{cka_save} (@file{.json} or
## @file{.mat}).  Shapes are restored (layer lists as column cellstrs,
## @code{hsic_xx}/@code{hsic_yy} as columns, @code{hsic_xy} as
## @var{L1}x@var{L2}), so the result can be plotted, merged with
## @code{cka_merge} or resumed with @code{cka_update}.
## @seealso{cka_save, cka_compare}
## @end deftypefn

function R = cka_load (file)
  if (nargin != 1)
    print_usage ();
  endif
  if (! (ischar (file) && isrow (file)))
    error ("cka:input:badFile", "cka_load: FILE must be a file name");
  endif
  if (! exist (file, "file"))
    error ("cka:io:notFound", "cka_load: no such file '%s'", file);
  endif
  if (cka_is_json (file))
    try
      R = cka_read_json (file, "cka_load", "", "results");
    catch e
      error ("cka:io:badFormat", "cka_load: '%s' is not valid JSON: %s", file, e.message);
    end_try_catch
    if (! (isstruct (R) && isfield (R, "format") && strcmp (R.format, "octave-cka")))
      error ("cka:io:badFormat", "cka_load: '%s' is not a file written by cka_save", file);
    endif
    R = restore (R, file);
  else
    try
      d = load (file);
    catch e
      error ("cka:io:badFormat", "cka_load: cannot read '%s': %s", file, e.message);
    end_try_catch
    if (! (isfield (d, "R") && isstruct (d.R)))
      error ("cka:io:badFormat", "cka_load: '%s' has no variable R written by cka_save", file);
    endif
    R = d.R;
  endif
endfunction

function R = restore (R, file)
  need = {"layers1", "layers2", "hsic_xy", "hsic_xx", "hsic_yy", "config"};
  if (! all (isfield (R, need)))
    error ("cka:io:badFormat", "cka_load: '%s' lacks result fields", file);
  endif
  R.layers1 = cellify (R.layers1);
  R.layers2 = cellify (R.layers2);
  L1 = numel (R.layers1);  L2 = numel (R.layers2);
  R.hsic_xy = reshape (R.hsic_xy, L1, L2);
  R.hsic_xx = reshape (R.hsic_xx, L1, 1);
  R.hsic_yy = reshape (R.hsic_yy, L2, 1);
  if (isfield (R, "cka"))
    R.cka = reshape (R.cka, L1, L2);
  endif
  if (isfield (R, "batch_sizes"))
    R.batch_sizes = R.batch_sizes(:);
  endif
  if (isfield (R, "requested_layers1"))
    R.requested_layers1 = cellify (R.requested_layers1);
  endif
  if (isfield (R, "requested_layers2"))
    R.requested_layers2 = cellify (R.requested_layers2);
  endif
  R.config.unbiased = logical (R.config.unbiased);
  if (! isempty (R.config.sigma))
    R.config.sigma = double (R.config.sigma);
  endif
  R.config = orderfields (R.config, {"kernel", "sigma", "unbiased", "epsilon", "dtype"});
  R = rmfield (R, intersect (fieldnames (R), {"format", "format_version", "shape_hsic_xy"}));
endfunction

function c = cellify (c)
  if (ischar (c))
    c = {c};
  endif
  c = c(:);
endfunction

%!error <Invalid call> cka_load ()
%!error id=cka:io:notFound cka_load ("/nonexistent/file.json")
%!test
%! f = [tempname() ".json"];
%! unwind_protect
%!   fid = fopen (f, "w");  fputs (fid, "{\"a\": 1}");  fclose (fid);
%!   try
%!     cka_load (f);
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:io:badFormat");
%!   end_try_catch
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect
