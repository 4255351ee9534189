## -*- texinfo -*-
## @deftypefn  {} {@var{r} =} assert_child_error (@var{code}, @var{id})
## @deftypefnx {} {@var{r} =} assert_child_error (@var{code}, @var{id}, @var{Name}, @var{Value}, @dots{})
## Run @var{code} in a child @code{octave-cli} (@code{run_in_child}, same
## options) and fail unless it ends with an error of identifier @var{id}
## (a crash, a hang past the timeout, success or another identifier fail,
## with what the child printed).  Returns the child's report.
## @end deftypefn
function r = assert_child_error (code, id, varargin)
  r = run_in_child (code, varargin{:});
  if (! strcmp (r.status, "error") || ! strcmp (r.identifier, id))
    out = r.output;
    if (numel (out) > 2000)
      out = [out(1:1000) " ... " out(end-999:end)];
    endif
    error ("assert_child_error: expected error %s from\n  %s\nbut the child ended with %s %s (exit %d, %.1f s):\n%s",
           id, code, r.status, r.identifier, r.exit_code, r.seconds, out);
  endif
endfunction
