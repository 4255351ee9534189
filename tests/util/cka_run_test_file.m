## -*- texinfo -*-
## @deftypefn {} {} cka_run_test_file (@var{file})
## Run the %!-blocks of @var{file} and print one machine-readable line
## @samp{RESULT <file> passed N failed N skipped N} (used by tests/run_tests.sh).
## A file without any test block counts as one failure: every public function
## and every test script must test something.
## @end deftypefn
function cka_run_test_file (file)
  warning ("off", "Octave:gnuplot-graphics");
  set (0, "defaultfigurevisible", "off");
  [n, nmax, nxfail, nbug, nskip, nrtskip, nregression] = test (file, "quiet", stdout);
  nfail = nmax - n - nxfail - nbug - nregression;
  if (nmax == 0 && nskip + nrtskip == 0)
    printf ("no test blocks in %s\n", file);
    nfail = 1;
  endif
  printf ("RESULT %s passed %d failed %d skipped %d\n", file, n, nfail,
          nskip + nrtskip + nxfail + nbug);
endfunction
