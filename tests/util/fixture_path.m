## -*- texinfo -*-
## @deftypefn {} {@var{p} =} fixture_path (@var{part}, @dots{})
## Full path of a file under @file{tests/fixtures} of the source tree (test helper).
## @end deftypefn
function p = fixture_path (varargin)
  root = getenv ("CKA_FIXTURES");
  if (isempty (root))
    root = fullfile (fileparts (fileparts (mfilename ("fullpath"))), "fixtures");
  endif
  p = fullfile (root, varargin{:});
endfunction
