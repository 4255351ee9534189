## -*- texinfo -*-
## @deftypefn {} {@var{p} =} stories260k_path (@dots{})
## Path of the stories260K model folder the package ships (inst/data), or of
## a file in it: @code{stories260k_path ("tokenizer.model")}.
## @end deftypefn
function p = stories260k_path (varargin)
  p = fullfile (fileparts (which ("cka_demo_llm")), "data", "stories260K", varargin{:});
endfunction
