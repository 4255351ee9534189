## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {@var{E} =} cka_parallel_run ("engine", @var{opts}, @var{given})
## @deftypefnx {} {@var{R} =} cka_parallel_run (@var{run}, @var{opts}, @var{given}, @var{E})
## The "Workers" and "Cluster" modes of cka_compare: the run is split into
## shards ("Shard" of cka_compare, one per call of __cka_shard_job__), run
## by the parallel package (parcellfun on local worker processes,
## netcellfun on the servers of a pconnect network) in waves of as many
## shards as there are process slots, and merged with cka_merge in shard
## order.  After every wave the shards done so far are written to the
## "Checkpoint" file (a partial result), which "Resume" continues.
##
## @var{run} is what cka_compare resolved: models, data, layers, names, CKA
## configuration, pooling, number of batches, and the provenance every shard
## must state (the options and the fingerprints of the models and of the
## whole data).  The
## "engine" call checks the options "Workers" / "Cluster" (and that the
## parallel package is there) before cka_compare reads the data.
## @end deftypefn

function R = cka_parallel_run (run, opts, given, E)
  if (ischar (run))
    have_engine ();
    R = engine (opts, given);
    return;
  endif
  expect = expected_shard (run);
  [N, done_acc] = shard_plan (run, opts, given, E, expect);
  job = job_spec (run, opts, given, E, N);
  todo = 1:N;
  if (! isempty (done_acc))
    todo = setdiff (todo, done_acc.shard.index);
  endif
  acc = done_acc;
  if (opts.Progress)
    printf ("cka_compare: %d batches in %d shards on %s\n", run.batches, N, E.where);
    if (! isempty (done_acc))
      printf ("cka_compare: %d shards done before (%s), %d to go\n",
              numel (done_acc.shard.index), opts.Resume, numel (todo));
    endif
    P = cka_progress ("start", N, "cka_compare", "shards");
    P = cka_progress ("update", P, N - numel (todo));
  endif
  t0 = tic ();
  ## without a checkpoint or callback, one wave: each job runs its share of
  ## the shards with the models loaded once; otherwise waves of one shard
  ## per job, each wave's shards saved before the next starts
  grouped = isempty (opts.Checkpoint) && isempty (opts.Callback);
  while (! isempty (todo))
    if (grouped)
      wave = todo;
      groups = arrayfun (@(g) todo(g:E.slots:end), 1:min (E.slots, numel (todo)),
                         "uniformoutput", false);
    else
      wave = todo(1:min (E.slots, numel (todo)));
      groups = num2cell (wave);
    endif
    todo = todo(numel (wave)+1:end);
    job.progress = 0;
    if (opts.Progress && strcmp (E.mode, "workers"))
      job.progress = groups{1};           # one worker's progress: the shards are alike
    endif
    outs = run_wave (E, job, groups, saved_note (opts, acc, N));
    failed = [];
    for i = 1:numel (outs)
      o = outs{i};
      if (! o.ok)
        failed(end+1) = i;
        continue;
      endif
      d = cka_shard_mismatch (o.result, expect);
      if (! isempty (d))
        error ("cka:parallel:modelMismatch",
               "cka_compare: shard %d of %d from %s: %s from this run's", o.shard, N,
               who_ran (E, o), d);
      endif
      if (isempty (acc))
        acc = o.result;
      else
        acc = cka_merge (acc, o.result, "Incomplete", true);
      endif
    endfor
    if (! isempty (opts.Checkpoint) && ! isempty (acc))
      cka_save (acc, opts.Checkpoint);
    endif
    if (! isempty (failed))
      o = outs{failed(1)};
      id = o.identifier;
      if (! strncmp (id, "cka:", 4))
        id = cka_ifelse (strcmp (E.mode, "workers"), "cka:parallel:workerFailed",
                         "cka:parallel:serverFailed");
      endif
      if (strcmp (o.identifier, "Octave:undefined-function"))
        o.message = [o.message " (install octave-cka where the shards run and load it " ...
                     "there, e.g. reval (\"pkg load cka\", conns))"];
      endif
      error (id, "cka_compare: shard %d of %d failed on %s: %s%s", o.shard, N, who_ran (E, o),
             o.message, saved_note (opts, acc, N));
    endif
    if (opts.Progress)
      P = cka_progress ("update", P, N - numel (todo));
    endif
    if (! isempty (opts.Callback))
      M = NaN (numel (run.layers1), numel (run.layers2));
      if (acc.n_batches > 0)            # a wave of shards whose only batch was dropped
        M = cka_matrix (acc);
      endif
      opts.Callback (N - numel (todo), N, M);
    endif
  endwhile
  if (opts.Progress)
    cka_progress ("finish", P);
  endif
  R = cka_merge (acc);
  R.timing.elapsed = toc (t0);
  R.scale_out = struct ("mode", E.mode, "shards", N, "where", E.where);
endfunction

function have_engine ()
  if (! exist ("parcellfun"))
    try
      pkg ("load", "parallel");
    catch
    end_try_catch
  endif
  if (! (exist ("parcellfun") && exist ("netcellfun")))
    error ("cka:parallel:unavailable",
           ["cka_compare: \"Workers\" and \"Cluster\" run on Octave Forge's parallel " ...
            "package, which is not installed (Debian: apt-get install octave-parallel; " ...
            "or pkg install -forge parallel); without it, run the shards with \"Shard\", " ...
            "[k N] and merge them with cka_merge"]);
  endif
endfunction

## The engine: local workers or the servers of a pconnect network, with the
## number of shards that can run at once (slots) and a description.
function E = engine (opts, given)
  if (given.Workers && given.Cluster)
    error ("cka:input:badOption", "cka_compare: give \"Workers\" or \"Cluster\", not both");
  endif
  E = struct ("mode", "", "n", 0, "conns", [], "slots", 0, "where", "", "hosts", {{}},
              "per_host", []);
  if (given.Workers)
    n = opts.Workers;
    if (! (isnumeric (n) && isreal (n) && isscalar (n) && n == fix (n) && n >= 1 && n <= 256))
      error ("cka:input:badOption", "cka_compare: Workers must be a number of processes (1 to 256)");
    endif
    E.mode = "workers";
    E.n = double (n);
    E.slots = E.n;
    E.where = sprintf ("%d local worker%s", E.n, cka_ifelse (E.n > 1, "s", ""));
    return;
  endif
  c = opts.Cluster;
  if (! isa (c, "pconnections"))
    error ("cka:input:badOption",
           "cka_compare: Cluster must be the connections returned by pconnect (parallel package)");
  endif
  try
    info = network_get_info (c);
  catch e
    error ("cka:parallel:serverLost", "cka_compare: the Cluster connections are not usable (%s); connect again with pconnect",
           e.message);
  end_try_catch
  srv = ! [info.local_machine];
  if (! any (srv))
    error ("cka:input:badOption", "cka_compare: the Cluster connections hold no server");
  endif
  info = info(srv);
  E.mode = "cluster";
  E.conns = c(srv);
  E.hosts = {info.peername};
  jobs = [info.nlocaljobs];
  jobs(jobs == 0) = [info(jobs == 0).nproc];
  E.per_host = jobs;
  E.slots = sum (jobs);
  E.where = sprintf ("%d server%s (%s)", numel (info), cka_ifelse (numel (info) > 1, "s", ""),
                     strjoin (E.hosts, ", "));
endfunction

## What every shard of this run must state (cka_shard_mismatch).
function X = expected_shard (run)
  X = struct ("provenance", run.provenance, "layers1", {run.layers1}, "layers2", {run.layers2},
              "config", run.cfg, "stats", run.stats, "model1_name", run.name1,
              "model2_name", run.name2, "shard", struct ("batches", run.batches));
endfunction

## The number of shards, and the shards a "Resume" file already holds.
function [N, acc] = shard_plan (run, opts, given, E, expect)
  acc = [];
  N = E.slots;
  if (! isempty (opts.Checkpoint))
    N = 4 * E.slots;          # a lost worker or server costs a quarter of a wave
  endif
  N = min (N, run.batches);
  if (given.Shards)
    N = opts.Shards;
    if (! (isnumeric (N) && isreal (N) && isscalar (N) && N == fix (N) && N >= 1))
      error ("cka:input:badOption", "cka_compare: Shards must be a positive integer");
    endif
    N = double (N);
  endif
  if (isempty (opts.Resume))
    return;
  endif
  acc = cka_load (opts.Resume);
  mismatch = @(varargin) error ("cka:checkpoint:resumeMismatch", "cka_compare: Resume '%s': %s",
                                opts.Resume, sprintf (varargin{:}));
  if (! (isfield (acc, "kind") && strcmp (acc.kind, "cka_partial")))
    mismatch (["not the checkpoint of a \"Workers\" or \"Cluster\" run (those hold shards); " ...
               "resume a single-process checkpoint without Workers/Cluster"]);
  endif
  d = cka_shard_mismatch (acc, expect);
  if (! isempty (d))
    mismatch ("%s", d);
  endif
  if (given.Shards && acc.shard.count != N)
    mismatch ("Shards %d vs %d in the checkpoint", N, acc.shard.count);
  endif
  N = acc.shard.count;
endfunction

## What each shard job gets: the models (or their paths and fingerprints),
## the data and the options of cka_compare that shape the sums.
function job = job_spec (run, opts, given, E, N)
  P = run.provenance;
  job = struct ("model1", run.model1, "model2", run.model2,
                "fingerprint1", {{P.model1_config, P.model1_weights}},
                "fingerprint2", {{P.model2_config, P.model2_weights}},
                "data", run.data, "options", {{}}, "count", N, "threads", 0, "progress", 0);
  if (given.ModelPaths)
    p = opts.ModelPaths;
    if (ischar (p) && isrow (p))
      p = {p};
    endif
    want = 1 + ! isempty (run.model2);
    if (! (iscellstr (p) && numel (p) == want))
      error ("cka:input:badOption",
             "cka_compare: ModelPaths must be %d path%s (the folder or file each worker or server loads %s from)",
             want, cka_ifelse (want > 1, "s", ""), cka_ifelse (want > 1, "model1 and model2", "model1"));
    endif
    job.model1 = p{1};
    if (want > 1)
      job.model2 = p{2};
    endif
  endif
  t = opts.ThreadsPerWorker;
  if (isempty (t))
    t = 1;
    if (strcmp (E.mode, "workers"))
      t = max (1, floor (nproc () / E.n));
    endif
  elseif (! (isnumeric (t) && isreal (t) && isscalar (t) && t == fix (t) && t >= 1 && t <= 1024))
    error ("cka:input:badOption", "cka_compare: ThreadsPerWorker must be a positive integer");
  endif
  job.threads = double (t);
  job.options = {"Layers1", run.layers1, "Layers2", run.layers2, "Model1Name", run.name1, ...
                 "Model2Name", run.name2, "BatchSize", P.batch_size, ...
                 "AttentionMask", run.mask, "IgnoreMask", P.ignore_mask, ...
                 "Data2", run.data2, "Pooling", run.pooling, "DropLast", P.drop_last, ...
                 "Config", run.cfg, "Estimator", run.stats.estimator, ...
                 "Measure", run.stats.measures, "Bootstrap", run.stats.bootstrap, ...
                 "Permutations", run.stats.permutations, "CILevel", run.stats.ci_level, ...
                 "Seed", run.stats.seed, "SVCCAVariance", run.stats.svcca_variance};
endfunction

## One wave of shards on the engine; a cell of __cka_shard_job__ outputs.
function outs = run_wave (E, job, groups, note)
  f = @(ks) __cka_shard_job__ (job, ks);
  args = groups;
  wave = [groups{:}];
  ## an error around __cka_shard_job__ itself (missing on a server): the
  ## same shape as a job's failure; built-in functions only, since the
  ## handle travels to servers that may not have this package
  eh = @(err, ks) struct ("ok", false, "host", gethostname (), "pid", getpid (), "shard", ks(1),
                          "result", [], "identifier", err.identifier, "message", err.message);
  if (strcmp (E.mode, "workers"))
    outs = parcellfun (E.n, f, args, "UniformOutput", false, "VerboseLevel", 0,
                       "ErrorHandler", eh);
    outs = flatten (outs);
    return;
  endif
  try
    outs = netcellfun (E.conns, f, args, "UniformOutput", false, "ChunkSize", 1,
                       "ErrorHandler", eh);
    outs = flatten (outs);
  catch e
    ## a server lost: netcellfun names its index among the servers, and has
    ## closed the network
    i = str2double (regexp (e.message, 'server with index (\d+)', "tokens", "once"));
    if (isempty (i) || isnan (i) || i > numel (E.hosts))
      host = strjoin (E.hosts, ", ");
    else
      host = E.hosts{i};
    endif
    error ("cka:parallel:serverLost",
           ["cka_compare: lost server %s while it ran shards %s (%s); the connections are " ...
            "closed: connect again with pconnect (without that server)%s"], host,
           strjoin (arrayfun (@num2str, wave, "uniformoutput", false), ", "),
           strtrim (e.message),
           cka_ifelse (isempty (note), " and run again (with \"Checkpoint\", a run keeps its finished shards)",
                       note));
  end_try_catch
endfunction

## The jobs' struct arrays as one cell of per-shard outputs.
function c = flatten (outs)
  c = {};
  for i = 1:numel (outs)
    c = [c, num2cell(outs{i}(:)')];
  endfor
endfunction

function s = who_ran (E, o)
  if (strcmp (E.mode, "workers"))
    s = sprintf ("worker process %d", o.pid);
  else
    s = sprintf ("server %s", o.host);
  endif
endfunction

function s = saved_note (opts, acc, N)
  s = "";
  if (! isempty (opts.Checkpoint) && ! isempty (acc))
    s = sprintf (" (the %d shards done of %d are in '%s': continue with \"Resume\")",
                 numel (acc.shard.index), N, opts.Checkpoint);
  endif
endfunction
