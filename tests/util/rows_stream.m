## -*- texinfo -*-
## @deftypefn  {} {} rows_stream (@var{ids}, @var{bs})
## @deftypefnx {} {@var{b} =} rows_stream ()
## Test helper: function-handle data for cka_compare.  The first form
## (re)starts a stream of the rows of @var{ids} in batches of @var{bs}; each
## call of the second returns the next batch, and [] at the end.
## @end deftypefn
function b = rows_stream (ids, bs)
  persistent data step pos
  if (nargin == 2)
    data = ids;  step = bs;  pos = 0;
    return;
  endif
  b = [];
  if (pos < rows (data))
    b = data(pos+1:min (pos + step, rows (data)), :);
    pos += step;
  endif
endfunction
