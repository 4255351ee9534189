## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {} cka_atomic_write (@var{file}, @var{data}, @var{verify}, @var{ids}, @var{fname})
## @deftypefnx {} {} cka_atomic_write (@var{file}, @var{writer}, @var{verify}, @var{ids}, @var{fname})
## The one way the package writes a file: to a temporary file in the
## folder of @var{file}, checked, then renamed into place with
## @code{rename} (a system call; never a shell, @code{movefile} or
## @code{copyfile}).  Either @var{file} ends up complete, or it is left as
## it was (absent, or its old content) and no temporary file remains.
##
## The temporary name is made here from safe characters only
## (@file{.cka-tmp-<pid>-<random>} in the same folder, so the rename stays on
## one file system); nothing of @var{file} but its folder goes into it.
##
## @var{data} (char or uint8) is written with @code{fopen}/@code{fwrite}/
## @code{fclose}, all checked, then read back and compared byte for byte.
## Otherwise @var{writer} is a function handle called as
## @code{@var{writer} (@var{tmp})} that must create @var{tmp}.
##
## @var{verify} is @code{[]} or a function handle called as
## @code{@var{verify} (@var{tmp})} on the written temporary file; it returns
## true when the file is complete (a .mat file loads back equal, a figure
## has its end marker, a safetensors file has its size).
##
## @var{ids} = @code{@{@var{id_write}, @var{id_folder}@}}: the identifier of
## a failed write or check, and that of a folder that does not exist or
## where no file can be created (a string gives both).  An error of the
## writer that carries a @code{cka:} identifier keeps it (the temporary name
## in its message is replaced by @var{file}); any other error (Octave's
## @code{save}, @code{print}, @dots{}) becomes @var{id_write}.  Messages
## start with @var{fname} and name @var{file}.
##
## Before the rename the data are flushed to disk (@code{fsync}), and the
## folder afterwards, so a crash does not publish an empty file.
## @end deftypefn

function cka_atomic_write (file, data, verify, ids, fname)
  if (ischar (ids))
    ids = {ids, ids};
  endif
  if (! (ischar (file) && isrow (file)) || any (file == "\0"))
    error (ids{2}, "%s: the file name must be a string without NUL characters", fname);
  endif
  tmp = cka_tmp_name (file);
  dir = fileparts (tmp);
  if (! isfolder (dir))
    error (ids{2}, "%s: cannot write '%s': folder '%s' does not exist", fname, file, dir);
  endif
  unwind_protect
    try
      if (is_function_handle (data))
        data (tmp);
      else
        write_bytes (tmp, data, file, ids, fname);
      endif
      if (exist (tmp, "file") != 2)
        error (ids{1}, "%s: writing '%s' produced no file", fname, file);
      endif
      if (! isempty (verify) && ! verify (tmp))
        error (ids{1}, "%s: writing '%s' failed: the written file is incomplete (disk full?)",
               fname, file);
      endif
      __fs_commit__ ("sync", tmp);
    catch e
      rethrow (as_package_error (e, tmp, file, ids{1}, fname));
    end_try_catch
    [err, msg] = rename (tmp, file);
    if (err != 0)
      error (ids{1}, "%s: cannot create '%s': %s", fname, file, msg);
    endif
    try
      __fs_commit__ ("sync", dir);
    catch
      ## the file is in place; a folder that cannot be synced loses nothing
    end_try_catch
  unwind_protect_cleanup
    if (exist (tmp, "file") || is_link (tmp))
      unlink (tmp);
    endif
  end_unwind_protect
endfunction

function write_bytes (tmp, data, file, ids, fname)
  [fid, msg] = fopen (tmp, "w");
  if (fid < 0)
    error (ids{2}, "%s: cannot create a file next to '%s': %s", fname, file, msg);
  endif
  count = fwrite (fid, data, "uint8");
  st = fclose (fid);
  if (count != numel (data) || st != 0)
    error (ids{1}, "%s: writing '%s' failed (disk full?)", fname, file);
  endif
  [fid, msg] = fopen (tmp, "r");
  if (fid < 0)
    error (ids{1}, "%s: cannot read back '%s': %s", fname, file, msg);
  endif
  back = fread (fid, Inf, "uint8=>uint8");
  fclose (fid);
  if (! isequal (back(:), uint8 (data(:))))
    error (ids{1}, "%s: writing '%s' failed: the file read back differs (disk full?)",
           fname, file);
  endif
endfunction

function s = as_package_error (e, tmp, file, id, fname)
  msg = strrep (e.message, tmp, file);
  if (strncmp (e.identifier, "cka:", 4))
    s = struct ("message", msg, "identifier", e.identifier, "stack", e.stack);
  else
    s = struct ("message", sprintf ("%s: cannot write '%s': %s", fname, file, msg),
                "identifier", id, "stack", e.stack);
  endif
endfunction

function tf = is_link (f)
  [~, err] = lstat (f);
  tf = (err == 0);
endfunction
