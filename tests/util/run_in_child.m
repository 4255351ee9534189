## -*- texinfo -*-
## @deftypefn  {} {@var{r} =} run_in_child (@var{code})
## @deftypefnx {} {@var{r} =} run_in_child (@var{code}, @var{Name}, @var{Value}, @dots{})
## Run the Octave statements @var{code} in a fresh @code{octave-cli} with the
## package on the path, bounded by a timeout, and report how it ended, so
## that a test sees a crash or a hang as such (test helper for the hostile
## input suites).
##
## @var{r} is a struct: @code{status} (@qcode{"ok"}, @qcode{"error"},
## @qcode{"crash"} or @qcode{"timeout"}), @code{identifier} and
## @code{message} of the child's error, @code{output} (what the child
## printed), @code{exit_code} and @code{seconds}.
##
## Options: @qcode{"Timeout"} (seconds, default 60; the child is killed with
## SIGKILL after it, so a child blocked in a system call is seen too),
## @qcode{"Setup"} (statements run before @var{code}, outside the
## measured try block), @qcode{"Env"} (a shell prefix such as
## @qcode{"ulimit -v 4000000;"}).
## @end deftypefn
function r = run_in_child (code, varargin)
  opts = struct ("Timeout", 60, "Setup", "", "Env", "");
  for k = 1:2:numel (varargin)
    opts.(varargin{k}) = varargin{k+1};
  endfor
  root = fileparts (fileparts (fileparts (mfilename ("fullpath"))));
  src = fullfile (root, "src");
  bld = getenv ("BUILDDIR");
  if (! isempty (bld))
    src = fullfile (bld, "src");
  endif
  d = tempname ();
  mkdir (d);
  script = fullfile (d, "child.m");
  fid = fopen (script, "w");
  fprintf (fid, "addpath ('%s', '%s', '%s');\n", src, fullfile (root, "inst"),
           fullfile (root, "tests", "util"));
  fprintf (fid, "warning ('off', 'all');\n%s\n", opts.Setup);
  fprintf (fid, "try\n%s\nprintf ('\\nCHILD-OK\\n');\ncatch e\n", code);
  fprintf (fid, "printf ('\\nCHILD-ID %%s\\nCHILD-MSG %%s\\n', e.identifier, ");
  fprintf (fid, "strrep (e.message, sprintf ('\\n'), ' '));\nend\n");
  fclose (fid);
  cmd = sprintf ("bash -c '%s timeout -s KILL %d %s --no-gui --no-history --norc --silent --no-window-system %s </dev/null 2>&1' 2>&1",
                 opts.Env, opts.Timeout, octave_bin (), script);
  t0 = tic ();
  [rc, out] = system (cmd);
  r = struct ("status", "", "identifier", "", "message", "", "output", out,
              "exit_code", rc, "seconds", toc (t0));
  confirm_recursive_rmdir (false, "local");
  rmdir (d, "s");
  id = regexp (out, 'CHILD-ID ([^\n]*)', "tokens", "once");
  if (rc == 137 || (rc == 124))
    r.status = "timeout";
  elseif (! isempty (id))
    r.status = "error";
    r.identifier = strtrim (id{1});
    r.message = regexp (out, 'CHILD-MSG ([^\n]*)', "tokens", "once"){1};
  elseif (! isempty (strfind (out, "CHILD-OK")) && rc == 0)
    r.status = "ok";
  else
    r.status = "crash";
  endif
endfunction

function o = octave_bin ()
  o = getenv ("OCTAVE");
  if (isempty (o))
    o = fullfile (OCTAVE_HOME (), "bin", "octave-cli");
  endif
endfunction
