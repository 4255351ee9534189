## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{out} =} __cka_shard_job__ (@var{job}, @var{k})
## Internal: shard @var{k} of a @code{cka_compare} run with
## @qcode{"Workers"} or @qcode{"Cluster"}, in a worker process
## (@code{parcellfun}) or on a server (@code{netcellfun}).
##
## @var{job} holds the models (structs, or the paths to load them from with
## their fingerprints to check), the data, the @code{cka_compare} options,
## the number of shards, the threads to use and whether to show progress.
## @var{out} is a struct: @code{ok}, @code{host}, @code{pid}, @code{shard}
## and either @code{result} (the partial result) or @code{identifier} and
## @code{message} of the error, so the caller can name the worker or server
## that failed.  It never throws: an error travels back as data.
## @end deftypefn

function out = __cka_shard_job__ (job, k)
  out = struct ("ok", false, "host", "", "pid", getpid (), "shard", k, "result", [],
                "identifier", "", "message", "");
  try
    out.host = gethostname ();
    if (job.threads >= 1)
      __cka_threads__ (job.threads);
    endif
    m1 = model_for (job.model1, job.fingerprint1, "model1");
    m2 = model_for (job.model2, job.fingerprint2, "model2");
    out.result = cka_compare (m1, m2, job.data, job.options{:}, "Shard", [k job.count],
                              "Progress", job.progress == k);
    out.ok = true;
  catch err
    out.identifier = err.identifier;
    out.message = err.message;
  end_try_catch
endfunction

## A model struct as sent, or loaded from its path (as seen by this
## process) and checked against the fingerprint of the model the client
## holds: a server with another file must not contribute.
function m = model_for (m, fp, what)
  if (! ischar (m))
    return;
  endif
  where = m;
  m = tfm_load (where);
  [cfg, w] = cka_model_fingerprint (m);
  if (! (strcmp (cfg, fp{1}) && strcmp (w, fp{2})))
    error ("cka:parallel:modelMismatch",
           "%s loaded from '%s' differs from the %s given to cka_compare (%s)", what, where,
           what, cka_ifelse (strcmp (cfg, fp{1}), "weights", "config or weight names"));
  endif
endfunction

%!test
%! ## a shard run in this process, as a worker runs it
%! m = tfm_create ("gpt2", "n_embd", 8, "n_layer", 1, "n_head", 2, "vocab_size", 20,
%!                 "n_positions", 8, "Seed", 1);
%! ids = mod ((0:11)' * 3 + (0:3), 20);
%! job = struct ("model1", m, "model2", [], "fingerprint1", {{"", ""}},
%!               "fingerprint2", {{"", ""}}, "data", ids, "options", {{"BatchSize", 4}},
%!               "count", 2, "threads", 0, "progress", 0);
%! out = __cka_shard_job__ (job, 2);
%! assert (out.ok);
%! assert (out.result.kind, "cka_partial");
%! assert (out.result.shard.computed, 2);
%! assert (out.host, gethostname ());
%!test
%! ## errors come back as data, with the shard and the host
%! job = struct ("model1", "/nonexistent/model", "model2", [], "fingerprint1", {{"", ""}},
%!               "fingerprint2", {{"", ""}}, "data", [1 2], "options", {{}},
%!               "count", 2, "threads", 0, "progress", 0);
%! out = __cka_shard_job__ (job, 1);
%! assert (out.ok, false);
%! assert (out.identifier, "cka:load:notFound");
%! assert (out.shard, 1);
