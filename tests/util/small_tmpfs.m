## -*- texinfo -*-
## @deftypefn  {} {@var{tf} =} small_tmpfs ("available")
## @deftypefnx {} {@var{dir} =} small_tmpfs ("mount", @var{kib})
## @deftypefnx {} {} small_tmpfs ("fill", @var{dir}, @var{free_kib})
## @deftypefnx {} {} small_tmpfs ("umount", @var{dir})
## A real full disk for the writer tests (test helper): a tmpfs of
## @var{kib} KiB mounted on a fresh temporary folder (needs root or
## CAP_SYS_ADMIN), filled by a file @file{filler} until only
## @var{free_kib} KiB are left, unmounted and removed afterwards.
## @qcode{"available"} tries once per session and says why not (for
## @code{%!testif ; small_tmpfs ("available")}, counted as skipped).
## @end deftypefn
function out = small_tmpfs (action, varargin)
  persistent avail why;
  switch (action)
    case "available"
      if (isempty (avail))
        avail = false;
        try
          d = small_tmpfs ("mount", 64);
          small_tmpfs ("umount", d);
          avail = true;
        catch e
          why = e.message;
        end_try_catch
        if (! avail)
          printf ("small_tmpfs: skipping the full-disk tests: cannot mount a tmpfs (%s)\n", why);
        endif
      endif
      out = avail;
    case "mount"
      d = tempname ();
      mkdir (d);
      [st, msg] = system (sprintf ("mount -t tmpfs -o size=%dk,mode=0755 tmpfs '%s' 2>&1", varargin{1}, d));
      if (st != 0)
        rmdir (d);
        error ("small_tmpfs: mount failed: %s", strtrim (msg));
      endif
      out = d;
    case "fill"
      [d, free] = varargin{:};
      f = fullfile (d, "filler");
      system (sprintf ("dd if=/dev/zero of='%s' bs=4k 2>/dev/null; sync", f));
      if (free > 0)
        s = stat (f).size;
        system (sprintf ("truncate -s %d '%s'", max (0, s - free * 1024), f));
      endif
    case "umount"
      d = varargin{1};
      system (sprintf ("umount '%s' 2>/dev/null", d));
      confirm_recursive_rmdir (false, "local");
      if (isfolder (d))
        rmdir (d, "s");
      endif
  endswitch
endfunction
