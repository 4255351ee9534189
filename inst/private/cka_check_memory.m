## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {} cka_check_memory (@var{bytes}, @var{id}, @var{what})
## Refuse, before anything is allocated, work whose size comes from a user
## or a file and needs more than the memory available: error @var{id} with
## the message @qcode{"@var{what}: @var{N} GB, more than the @var{M} GB of
## memory available"} (Octave's own failure, @code{Octave:bad-alloc}, would
## come later or not at all, and says nothing of the cause).  Where Octave
## cannot tell the available memory, nothing is refused.
## @end deftypefn

function cka_check_memory (bytes, id, what)
  avail = Inf;
  try
    avail = memory ().MemAvailableAllArrays;
  end_try_catch
  if (bytes > avail)
    error (id, "%s: %.3g GB, more than the %.3g GB of memory available", what,
           bytes / 1e9, avail / 1e9);
  endif
endfunction
