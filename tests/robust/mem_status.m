## [rss, hwm] = mem_status ()  -- VmRSS and VmHWM of this process in KiB
## (Linux /proc/self/status; NaN elsewhere).
function [rss, hwm] = mem_status ()
  rss = NaN;  hwm = NaN;
  txt = fileread ("/proc/self/status");
  t = regexp (txt, 'VmRSS:\s*(\d+)', "tokens", "once");
  if (! isempty (t)) rss = str2double (t{1}); endif
  t = regexp (txt, 'VmHWM:\s*(\d+)', "tokens", "once");
  if (! isempty (t)) hwm = str2double (t{1}); endif
endfunction
