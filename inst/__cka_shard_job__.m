## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {@var{out} =} __cka_shard_job__ (@var{job}, @var{ks})
## Internal: shards @var{ks} (one or several, run one after the other with
## the models loaded once) of a @code{cka_compare} run with
## @qcode{"Workers"} or @qcode{"Cluster"}, in a worker process
## (@code{parcellfun}) or on a server (@code{netcellfun}).
##
## @var{job} holds the models (structs, or the paths to load them from with
## their fingerprints to check), the data, the @code{cka_compare} options,
## the number of shards, the threads to use and the shards that show
## progress.  @var{out} is a struct array, one element per shard:
## @code{ok}, @code{host}, @code{pid}, @code{shard} and either
## @code{result} (the partial result) or @code{identifier} and
## @code{message} of the error, so the caller can name the worker or server
## that failed.  It never throws: an error travels back as data, and the
## shards after a failed one are not run.
## @end deftypefn

function out = __cka_shard_job__ (job, ks)
  one = struct ("ok", false, "host", "", "pid", getpid (), "shard", NaN, "result", [],
                "identifier", "", "message", "");
  out = repmat (one, 1, 0);
  k = ks(1);
  try
    one.host = gethostname ();
    if (job.threads >= 1)
      __cka_threads__ (job.threads);
    endif
    m1 = model_for (job.model1, job.fingerprint1, "model1");
    m2 = model_for (job.model2, job.fingerprint2, "model2");
    for k = ks(:)'
      r = one;
      r.shard = k;
      r.result = cka_compare (m1, m2, job.data, job.options{:}, "Shard", [k job.count],
                              "Progress", any (job.progress == k));
      r.ok = true;
      out(end+1) = r;
    endfor
  catch err
    r = one;
    r.shard = k;
    r.identifier = err.identifier;
    r.message = err.message;
    out(end+1) = r;
  end_try_catch
endfunction

## A model struct as sent, or loaded from its path (as seen by this
## process) and checked against the fingerprint of the model the client
## holds: a server with another file must not contribute.
function m = model_for (m, fp, what)
  if (isempty (m))
    return;
  endif
  if (ischar (m))
    where = m;
    m = tfm_load (where);
    [cfg, w] = cka_model_fingerprint (m);
    if (! (strcmp (cfg, fp{1}) && strcmp (w, fp{2})))
      error ("cka:parallel:modelMismatch",
             "%s loaded from '%s' differs from the %s given to cka_compare (%s)", what, where,
             what, cka_ifelse (strcmp (cfg, fp{1}), "weights", "config or weight names"));
    endif
  endif
  ## checked here, or computed by the client from the struct it sent: each
  ## shard's provenance reuses them instead of hashing the weights again
  m.cka_fingerprint = fp;
endfunction

%!test
%! ## a shard run in this process, as a worker runs it
%! m = tfm_create ("gpt2", "n_embd", 8, "n_layer", 1, "n_head", 2, "vocab_size", 20,
%!                 "n_positions", 8, "Seed", 1);
%! ids = mod ((0:11)' * 3 + (0:3), 20);
%! P = cka_compare (m, [], ids, "BatchSize", 4, "Shard", [1 1], "Progress", false).provenance;
%! job = struct ("model1", m, "model2", [],
%!               "fingerprint1", {{P.model1_config, P.model1_weights}},
%!               "fingerprint2", {{"", ""}}, "data", ids, "options", {{"BatchSize", 4}},
%!               "count", 2, "threads", 0, "progress", 0);
%! out = __cka_shard_job__ (job, 2);
%! assert (out.ok);
%! assert (out.result.kind, "cka_partial");
%! assert (out.result.shard.computed, 2);
%! assert (out.host, gethostname ());
%! assert (out.result.provenance, setfield (P, "data", out.result.provenance.data));
%! job.count = 3;
%! out = __cka_shard_job__ (job, [1 3]);
%! assert ([out.shard], [1 3]);
%! assert (cka_merge (out(1).result, out(2).result, __cka_shard_job__ (job, 2).result).cka,
%!         cka_compare (m, [], ids, "BatchSize", 4, "Progress", false).cka, 1e-12);
%!test
%! ## errors come back as data, with the shard and the host
%! job = struct ("model1", "/nonexistent/model", "model2", [], "fingerprint1", {{"", ""}},
%!               "fingerprint2", {{"", ""}}, "data", [1 2], "options", {{}},
%!               "count", 2, "threads", 0, "progress", 0);
%! out = __cka_shard_job__ (job, 1);
%! assert (out.ok, false);
%! assert (out.identifier, "cka:load:notFound");
%! assert (out.shard, 1);
