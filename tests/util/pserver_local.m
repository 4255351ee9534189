## -*- texinfo -*-
## @deftypefn  {} {@var{S} =} pserver_local ("start")
## @deftypefnx {} {@var{conns} =} pserver_local ("connect", @var{S})
## @deftypefnx {} {} pserver_local ("stop", @var{S})
## Test helper: a server of Octave Forge's parallel package on this
## machine, for the "Cluster" tests of cka_compare.
##
## "start" runs @file{octave-pserver} without authentication (the tests talk
## to 127.0.0.1 only) and returns its pid and a folder
## holding a copy of the package (src/*.mex and inst/) that the server can
## read.  The server refuses to run as root; as root it runs as the
## unprivileged user @code{nobody}, with a temporary HOME.  A stale pid
## file of a dead server is removed; a live server is an error (the ports
## 12501/12502 are taken).
##
## "connect" connects (@code{pconnect (@{"localhost"@})}), puts the copy
## on the server's path and returns the connections.  "stop" kills the
## server and every process it started (its Octave sessions and their local
## workers) with SIGKILL, as a lost machine would go.
## @end deftypefn

function out = pserver_local (what, S)
  pkg ("load", "parallel");
  switch (what)
    case "start"
      out = start_server ();
    case "connect"
      out = pconnect ({"localhost"}, struct ("use_tls", false));
      reval (sprintf ("addpath ('%s', '%s');", fullfile (S.copy, "src"),
                      fullfile (S.copy, "inst")), out(2));
    case "stop"
      pids = [S.pid, sessions(S.uid)];
      pids = [pids, descendants(pids)];
      system (sprintf ("kill -KILL %s 2>/dev/null", sprintf ("%d ", pids)));
      for t = 1:50                      # the pid file goes with the server
        if (! is_alive (S.pid))
          break;
        endif
        pause (0.1);
      endfor
      unlink_quiet (S.pidfile);
      out = [];
  endswitch
endfunction

function S = start_server ()
  host = gethostname ();
  pidfile = sprintf ("/tmp/.octave-%s.pid", host);
  if (exist (pidfile, "file"))
    pid = str2double (fileread (pidfile));
    if (is_alive (pid))
      error ("pserver_local: a pserver (pid %d) already runs on this machine", pid);
    endif
    unlink_quiet (pidfile);
  endif
  ## a server killed a moment ago leaves its ports in TIME_WAIT for about a
  ## minute, and octave-pserver cannot bind them until then
  for t = 1:120
    if (! ports_busy ())
      break;
    endif
    pause (1);
  endfor
  ## a copy of the package the server's user can read, whatever the
  ## permissions of the build tree
  copy = tempname ();
  mkdir (copy);  mkdir (fullfile (copy, "src"));
  src = fileparts (file_in_loadpath ("__cka_compare_batch__.mex"));
  inst = fileparts (which ("cka_compare"));
  copyfile (fullfile (src, "*.mex"), fullfile (copy, "src"));
  copyfile (inst, fullfile (copy, "inst"));
  home = fullfile (copy, "home");
  mkdir (home);
  system (sprintf ("chmod -R a+rwX '%s'", copy));
  bin = "/usr/libexec/octave-pserver";
  if (! exist (bin, "file"))
    bin = fullfile (fileparts (which ("pserver")), "bin", "octave-pserver");
  endif
  octave = fullfile (OCTAVE_HOME (), "bin", "octave-cli");
  as = "";
  if (getuid () == 0)
    as = "runuser -u nobody -- ";
  endif
  cmd = sprintf ("cd '%s' && %senv HOME='%s' %s --octave-binary=%s --no-auth 2>&1", copy, as, home,
                 bin, octave);
  [st, txt] = system (cmd);
  if (st != 0)
    error ("pserver_local: %s failed (%d): %s", cmd, st, txt);
  endif
  for t = 1:100
    if (exist (pidfile, "file"))
      pid = str2double (fileread (pidfile));
      if (isfinite (pid) && is_alive (pid))
        break;
      endif
    endif
    pause (0.1);
  endfor
  if (! (exist ("pid", "var") && is_alive (pid)))
    error ("pserver_local: the server did not start (%s)", txt);
  endif
  ## the server's owner: its sessions are found by owner and command line
  uid = sscanf (regexp (fileread (sprintf ("/proc/%d/status", pid)), 'Uid:\s*(\d+)', "tokens",
                        "once"){1}, "%d");
  S = struct ("pid", pid, "pidfile", pidfile, "copy", copy, "uid", uid);
endfunction

## The processes of this machine, from /proc (no procps needed): pid,
## parent, owner and command line.
function P = procs ()
  P = struct ("pid", {}, "ppid", {}, "uid", {}, "cmd", {});
  for e = dir ("/proc")'
    pid = str2double (e.name);
    if (! (e.isdir && isfinite (pid)))
      continue;
    endif
    try
      st = fileread (sprintf ("/proc/%d/stat", pid));
      ppid = sscanf (st(find (st == ")", 1, "last") + 2:end), "%*c %d", 1);
      uid = sscanf (regexp (fileread (sprintf ("/proc/%d/status", pid)), 'Uid:\s*(\d+)',
                            "tokens", "once"){1}, "%d");
      cmd = strrep (fileread (sprintf ("/proc/%d/cmdline", pid)), char (0), " ");
      P(end+1) = struct ("pid", pid, "ppid", ppid, "uid", uid, "cmd", cmd);
    catch
      ## the process ended meanwhile
    end_try_catch
  endfor
endfunction

## The server's Octave sessions (one per connection): it starts them
## detached (parent 1), so they are found by their command line.
function p = sessions (uid)
  P = procs ();
  p = [P(arrayfun (@(q) q.uid == uid && ! isempty (strfind (q.cmd, "__octave_server__")), P)).pid];
endfunction

## The processes started by these (the sessions' local workers); not by
## session id, which the server shares with whoever started it.
function d = descendants (pids)
  P = procs ();
  d = [];
  front = pids;
  while (! isempty (front))
    kids = [P(ismember ([P.ppid], front)).pid];
    d = [d, kids];
    front = kids;
  endwhile
endfunction

## Whether a socket uses the ports of the parallel package (12501, 12502) on
## this machine, in any state.
function tf = ports_busy ()
  tf = false;
  for f = {"/proc/net/tcp", "/proc/net/tcp6"}
    if (exist (f{1}, "file"))
      t = fileread (f{1});
      tf = tf || ! isempty (regexp (t, '^\s*\d+: [0-9A-F]+:30D[56] ', "lineanchors", "once"));
    endif
  endfor
endfunction

function tf = is_alive (pid)
  tf = false;
  f = sprintf ("/proc/%d/stat", pid);
  if (exist (f, "file"))
    t = fileread (f);
    st = regexp (t, '\)\s+(\S)', "tokens", "once");
    tf = ! isempty (st) && ! any (strcmp (st{1}, {"Z", "X"}));
  endif
endfunction

function unlink_quiet (f)
  if (exist (f, "file"))
    unlink (f);
  endif
endfunction
