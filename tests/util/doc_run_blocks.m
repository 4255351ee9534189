## -*- texinfo -*-
## @deftypefn {} {} doc_run_blocks (@var{blocks}, @var{lines}, @var{file})
## Run code blocks in order in ONE workspace (this function's), as a user's
## session would; a failing block is an error naming FILE:LINE.  Figures are
## closed and the folder in a variable @code{work} (under tempdir) removed.
## @end deftypefn
function doc_run_blocks (__blocks__, __lines__, __file__)
  ## One workspace for all blocks (this function's), as in a user's session.
  __out__ = "";
  unwind_protect
    for __k__ = 1:numel (__blocks__)
      try
        __out__ = evalc (__blocks__{__k__});
      catch __err__
        printf ("%s\n", __out__);
        error ("doc_run_blocks: the block at %s:%d failed: %s (%s)", __file__,
               __lines__(__k__), __err__.message, __err__.identifier);
      end_try_catch
    endfor
  unwind_protect_cleanup
    close all;
    if (exist ("work", "var") && ischar (work) && isfolder (work)
        && strncmp (work, tempdir (), numel (tempdir ())))
      confirm_recursive_rmdir (false, "local");
      rmdir (work, "s");
    endif
  end_unwind_protect
endfunction
