## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## `lookfor cka` finds every tfm_*, cka_* and plot_cka_* function of the
## package (lookfor searches the first sentence of each help text; issue
## 20, item 7).

%!test
%! inst = fileparts (which ("cka_compare"));
%! pub = strrep ({dir(fullfile (inst, "*.m")).name}, ".m", "");
%! pub = pub(! cellfun (@isempty, regexp (pub, '^(tfm_|cka|plot_cka)')));
%! found = lookfor ("cka");
%! missing = setdiff (pub, found);
%! assert (missing, cell (1, 0), sprintf ("lookfor cka misses %s", strjoin (missing, ", ")));
