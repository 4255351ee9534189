## -*- texinfo -*-
## @deftypefn {} {@var{kb} =} bench_vm_hwm_kb ()
## This process's peak resident memory (VmHWM of /proc/self/status), kB.
## @end deftypefn

function kb = bench_vm_hwm_kb ()
  t = fileread ("/proc/self/status");
  kb = sscanf (regexp (t, 'VmHWM:\s*(\d+)', "tokens", "once"){1}, "%d");
endfunction
