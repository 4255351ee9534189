## Append one row {section, case, unit, median, min, max, runs, target,
## status, note} of the measurements v to a benchmark table R (the rows
## bench_table prints); met is "met", "MISSED" or "".
function R = bench_add_row (R, section, name, unit, v, target, met, note)
  v = v(:)';
  R(end+1, :) = {section, name, unit, median(v), min(v), max(v), numel(v), target, met, note};
endfunction
