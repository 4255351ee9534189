## -*- texinfo -*-
## @deftypefn {} {@var{p} =} doc_path (@var{part}, @dots{})
## Full path of a file or folder under @file{doc/} of the source tree (test
## helper): from @env{SRCDIR} (set by tests/run_tests.sh), else relative to
## this helper (tests/util/), else to the fixtures folder.  Errors if none
## of these exists.
## @end deftypefn
function p = doc_path (varargin)
  cand = {};
  if (! isempty (getenv ("SRCDIR")))
    cand{end+1} = fullfile (getenv ("SRCDIR"), "doc", varargin{:});
  endif
  here = fileparts (mfilename ("fullpath"));
  cand{end+1} = fullfile (here, "..", "..", "doc", varargin{:});
  cand{end+1} = fullfile (fileparts (fixture_path ()), "..", "doc", varargin{:});
  for k = 1:numel (cand)
    if (exist (cand{k}, "file"))
      p = cand{k};
      return;
    endif
  endfor
  error ("doc_path: not found (tried %s)", strjoin (cand, ", "));
endfunction
