## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {} cka_demo_llm ()
## @deftypefnx {cka} {} cka_demo_llm (@var{outdir})
## Run the package's main walkthrough, writing its results to @var{outdir}
## (default @file{./cka-demo-out}).
##
## @strong{Placeholder:} until the transformer forward passes and plots land,
## this demo shows the HSIC machinery on synthetic "layer" features: a chain
## of layers that each add noise to the previous one, compared with the
## unbiased HSIC-based CKA.  It prints the similarity matrix and writes it to
## @file{@var{outdir}/cka_synthetic.txt}.
## @seealso{hsic}
## @end deftypefn

function cka_demo_llm (outdir = "cka-demo-out")
  if (! ischar (outdir) || isempty (outdir))
    error ("cka:input:badArgument", "cka_demo_llm: OUTDIR must be a folder name");
  endif
  if (! isfolder (outdir))
    [ok, msg] = mkdir (outdir);
    if (! ok)
      error ("cka:io:mkdir", "cka_demo_llm: cannot create %s: %s", outdir, msg);
    endif
  endif
  printf ("octave-cka demo (placeholder until the LLM walkthrough lands)\n");
  n = 64;  d = 32;  nlayers = 6;
  state = rand ("state");
  rand ("state", 1);  randn ("state", 1);
  X = cell (1, nlayers);
  X{1} = randn (n, d);
  for l = 2:nlayers
    X{l} = tanh (X{l-1} * (eye (d) + 0.3 * randn (d))) + 0.2 * randn (n, d);
  endfor
  rand ("state", state);
  K = cellfun (@(x) x * x', X, "uniformoutput", false);
  M = zeros (nlayers);
  for i = 1:nlayers
    for j = 1:nlayers
      M(i,j) = hsic (K{i}, K{j}) / sqrt (hsic (K{i}, K{i}) * hsic (K{j}, K{j}));
    endfor
  endfor
  printf ("CKA between %d synthetic layers (unbiased, linear kernel):\n", nlayers);
  disp (M);
  file = fullfile (outdir, "cka_synthetic.txt");
  tmp = [file ".tmp"];
  fid = fopen (tmp, "w");
  if (fid < 0)
    error ("cka:io:write", "cka_demo_llm: cannot write %s", tmp);
  endif
  for i = 1:nlayers
    fprintf (fid, "%s\n", strtrim (sprintf ("%.6f ", M(i,:))));
  endfor
  fclose (fid);
  movefile (tmp, file);
  printf ("wrote %s\n", file);
endfunction

%!test
%! d = tempname ();
%! unwind_protect
%!   evalc ("cka_demo_llm (d)");
%!   M = load (fullfile (d, "cka_synthetic.txt"));
%!   assert (size (M), [6 6]);
%!   assert (diag (M), ones (6, 1), 1e-12);
%!   assert (M, M', 1e-12);
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   if (isfolder (d)) rmdir (d, "s"); endif
%! end_unwind_protect
%!error <OUTDIR> cka_demo_llm (3)
