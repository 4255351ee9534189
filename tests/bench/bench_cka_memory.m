## Peak memory of a 12-vs-12-layer cka_compare against one forward pass
## (see cka_memory.sh: each phase runs in a fresh octave-cli, because the
## peak resident size of a process only grows).  Run by `CKA_BENCH_ALL=1 make bench`.
d = fileparts (mfilename ("fullpath"));
src = fileparts (fileparts (d));
status = system (sprintf ("SRCDIR='%s' BUILDDIR='%s' bash '%s'", src,
                          fileparts (file_in_loadpath ("__cka_update__.mex")),
                          fullfile (d, "cka_memory.sh")));
if (status != 0)
  error ("bench_cka_memory: cka_memory.sh failed");
endif
