## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## The plain-text help of every public function reads as text: no TeX
## command (\le, \tilde, ...) leaks from a @math into what `help` prints
## (issue 20, item 5).

%!test
%! inst = fileparts (which ("cka_compare"));
%! pub = strrep ({dir(fullfile (inst, "*.m")).name}, ".m", "");
%! bad = {};
%! for k = 1:numel (pub)
%!   txt = evalc (sprintf ("help %s", pub{k}));
%!   if (! isempty (regexp (txt, '\\[a-zA-Z]+', "once")))
%!     bad{end+1} = pub{k};
%!   endif
%! endfor
%! assert (strjoin (bad, ", "), "");
