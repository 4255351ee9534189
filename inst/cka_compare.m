## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{R} =} cka_compare (@var{model1}, @var{model2}, @var{data})
## @deftypefnx {cka} {@var{R} =} cka_compare (@var{model1}, [], @var{data})
## @deftypefnx {cka} {@var{R} =} cka_compare (@dots{}, @var{Name}, @var{Value}, @dots{})
## Streaming CKA between the layers of two transformer models (or of one
## model with itself) over a stream of mini-batches: the counterpart of
## pytorch-cka's @code{CKA(model1, model2, ...).compare(dataloader)}.
##
## @var{model1}, @var{model2} are model structs (@code{tfm_load},
## @code{tfm_create}).  With @var{model2} @code{[]} the model is compared
## with itself and ONE forward pass per batch serves both sides.
##
## @var{data} is one of
## @itemize
## @item an @var{N}-by-@var{seq} matrix of token ids (0-based, as the
## tokenizers give them), cut into batches of @qcode{"BatchSize"}
## consecutive rows;
## @item a struct with fields @code{input_ids} and optionally
## @code{attention_mask}, @code{token_type_ids} (as @code{tfm_encode}
## returns), cut the same way;
## @item a cellstr of sentences (or one string): each model reads them through
## its own tokenizer (@qcode{"Tokenizer1"}, @qcode{"Tokenizer2"}, or a
## @code{tokenizer} field of the model struct), padded to the longest one and cut to
## @qcode{"MaxLength"} tokens (default: the shorter position table).  When the
## two tokenizers differ only @qcode{"mean"}, @qcode{"first"} and
## @qcode{"last"} pooling are allowed (@code{cka:input:misalignedTokens}
## otherwise), since the two sides see different tokens;
## @item a function handle that returns the next batch (such a struct, or a
## matrix of ids) on each call and @code{[]} when the data is exhausted.
## @end itemize
##
## For every batch, each requested layer's output is pooled to an
## @var{n}-by-@var{d} matrix and turned into an @var{n}-by-@var{n} Gram
## matrix inside the forward hook (in C); the activation itself is not
## kept, so memory does not grow with the number of layers.  The HSIC
## values of every pair are summed over batches and
## @code{CKA(i,j) = sum HSIC(K_i,L_j) / (sqrt (sum HSIC(K_i,K_i) * sum HSIC(L_j,L_j)) + epsilon)}.
##
## Options:
## @table @asis
## @item @qcode{"Layers1"}, @qcode{"Layers2"}
## Cellstrs of hook names (@code{tfm_modules}); default the block-level
## layers (@code{tfm_modules (model, "blocks")}); when a model is compared
## with itself and only @qcode{"Layers1"} is given, @qcode{"Layers2"} is the
## same list (a square self-similarity matrix).  An unknown name is an
## error (@code{cka:input:unknownLayer}); pytorch-cka instead drops unknown
## names with a warning, which @qcode{"IgnoreUnknownLayers"} reproduces.
## @item @qcode{"IgnoreUnknownLayers"} (default @code{false})
## @code{true}: drop unknown layer names with a warning
## (@code{cka:compare:unknownLayer}), as pytorch-cka does; the result then
## has only the valid rows/columns and records what was asked for in
## @code{requested_layers1}, @code{requested_layers2}.
## @item @qcode{"Model1Name"}, @qcode{"Model2Name"}
## Display names (default: the models' @code{name} fields).
## @item @qcode{"BatchSize"} (default 8)
## Rows per batch for matrix and struct data.
## @item @qcode{"AttentionMask"}
## An @var{N}-by-@var{seq} mask (1 = token, 0 = padding) for matrix data.
## Masks hold only 0 and 1 (@code{cka:input:badMask} otherwise, e.g.@: for a
## NaN); ids, masks and token types must be full arrays (a sparse one is
## @code{cka:input:type}: pass @code{full (x)}).  Matrix and struct data are
## checked against every model that reads them (ids below its
## @code{vocab_size}, sequences within its positions, token types in range)
## by the reader of @code{tfm_forward} before the first batch runs, so a bad
## id in the last rows fails at once, naming its row; a function's batches
## are checked as they come.
## A mask, given here or as @code{attention_mask} in the data, is passed to
## the models (as Hugging Face models use it) and used by the pooling.
## Without a mask every position is attended and pooled, which is what
## pytorch-cka does (it calls @code{model(input_ids)} only, ignoring any
## mask in its batches).
## @item @qcode{"IgnoreMask"} (default @code{false})
## @code{true} ignores any mask, as pytorch-cka does.
## @item @qcode{"Data2"}
## A second input stream for @var{model2} (same forms as @var{data}), for
## models with different tokenizers; batch @var{k} of both streams must
## hold the same samples.
## @item @qcode{"Tokenizer1"}, @qcode{"Tokenizer2"}, @qcode{"MaxLength"}
## For sentences as data (see above): tokenizer structs from
## @code{tfm_tokenizer} (or their folders) and the maximum number of tokens.
## @item @qcode{"Pooling"} (default @qcode{"flatten"})
## How a @code{[batch, seq, hidden]} output becomes one row per sample:
## @qcode{"flatten"} (every position, pytorch-cka's choice; padding
## positions zeroed when a mask is used), @qcode{"mean"} (over the
## non-padding tokens), @qcode{"first"}, @qcode{"last"} (first/last
## non-padding token), @qcode{"tokens"} (every non-padding token is a
## sample; both sides must have the same tokens).  Outputs without a
## sequence axis (BERT's pooler, attention probabilities) are flattened.
## @item @qcode{"DropLast"} (default @code{false})
## Skip batches too small for the estimator (n <= 3 unbiased,
## n <= 1 biased) instead of raising @code{cka:input:tooFewSamples}
## (pytorch-cka raises).
## @item @qcode{"Progress"} (default @code{true})
## A text progress bar (batch count, elapsed time, ETA), redrawn in place
## on a terminal, printed as sparse lines otherwise.
## @item @qcode{"Callback"}
## A function called after every batch as @code{f (k, total, M)} with the
## batch index, the number of batches (@code{NaN} for function-handle data)
## and the current CKA matrix.
## @item @qcode{"Checkpoint"}, @qcode{"CheckpointEvery"} (default 1)
## A file name (@file{.mat} keeps the sums bit-exact, @file{.json} to
## about 15 digits): every @var{k} batches the accumulator and the number
## of batches consumed are written to it atomically (temporary file +
## rename, with @code{cka_save}), and once more when the run ends, stops on
## an error or is interrupted (Ctrl-C): the file then holds every batch
## completed so far, never a half-written state.  A batch that fails (a bad
## token id, Ctrl-C during its forward pass) is not counted: sums and count
## change together, so a resume computes it again.
## @item @qcode{"Resume"}
## A checkpoint file written by an earlier run with the same layers, CKA
## options and data: its sums are the starting point and its batches are
## skipped in @var{data} (for function-handle data, the handle is called
## and its batches discarded), so the result equals that of an
## uninterrupted run.  The checkpoint states what its sums contain (a
## fingerprint of each model's config and weights, the chain of
## fingerprints of the batches consumed, the layers, CKA options,
## @qcode{"Pooling"}, @qcode{"BatchSize"}, @qcode{"IgnoreMask"},
## @qcode{"DropLast"}, the batch counts); the resume recomputes them and
## refuses any difference, or an edited count, with
## @code{cka:checkpoint:resumeMismatch} and a message naming what differs
## (e.g.@: @qcode{"model1 weights differ"}, @qcode{"BatchSize 4 vs 8"},
## @qcode{"data of batch 3 differs"}).  @qcode{"Resume"} and
## @qcode{"Checkpoint"} may name the same file.
## @item @qcode{"Shard"}
## @code{[@var{k} @var{N}]}: compute only shard @var{k} of @var{N} of this
## run, e.g.@: in one task of a Slurm job array.  Batch @var{j} (numbered as
## in a single run) belongs to shard @code{1 + mod (@var{j} - 1, @var{N})}.
## Every shard reads all the data (function-handle data is called for every
## batch) but computes only its own batches, and returns a partial result
## (@code{kind} @qcode{"cka_partial"}): the sums and counts of its batches,
## @code{shard} (@code{index}, @code{count}, the number of @code{batches}
## of the run and the indices of the @code{computed} ones) and
## @code{provenance} (fingerprints of the models, of every batch of the data
## and the options), without a CKA matrix.  @code{cka_merge} combines the
## @var{N} shards into the result of the whole run, equal to a single run
## bit for bit (a shard keeps each batch's HSIC values, @code{batch_hsic}, a
## column @code{[hxy(:); hxx; hyy]} per computed batch, and the merge adds
## them in the order of a single run).  @qcode{"Checkpoint"} and
## @qcode{"Resume"} work per shard.
## @item @qcode{"Workers"}
## Run the shards on @var{n} local worker processes with the
## @code{parallel} package's @code{parcellfun} (Octave Forge; Debian
## package @code{octave-parallel}; @code{cka:parallel:unavailable} without
## it) and merge them: the result equals the single-process one to 1e-12,
## with a field @code{scale_out} saying how it was computed.
## @item @qcode{"Cluster"}
## The connections returned by @code{pconnect} (@code{parallel} package):
## the shards run on those servers through @code{netcellfun}, each server
## in as many local processes as it has cores (or its
## @code{network_set (conns, "nlocaljobs", @var{n})}).  The servers must
## have octave-cka installed and loaded (@code{reval ("pkg load cka",
## conns)}).  A shard that fails is an error naming the server (its
## @code{cka:} identifier kept, else @code{cka:parallel:serverFailed}); a
## server lost during the run is @code{cka:parallel:serverLost}, naming it.
## @item @qcode{"Shards"}
## With @qcode{"Workers"} or @qcode{"Cluster"}: the number of shards
## (default: one per worker or server process, four times that with a
## @qcode{"Checkpoint"}, at most one per batch).
## @item @qcode{"ModelPaths"}
## With @qcode{"Workers"} or @qcode{"Cluster"}: the folder (or file) of each
## model, as @code{tfm_load} reads it on the workers or servers (a cellstr
## of one path per model).  Each process then loads the models itself and
## checks them against @var{model1}, @var{model2} by fingerprint
## (@code{cka:parallel:modelMismatch} naming the path and the process
## otherwise).  Without it the model structs are sent to every process,
## which costs the transfer of all the weights to each.
## @item @qcode{"ThreadsPerWorker"}
## The threads of each worker (OpenMP and OpenBLAS; default: the cores
## divided among the workers, 1 on a server's processes).
## @item CKA options
## @qcode{"Kernel"}, @qcode{"Sigma"}, @qcode{"Unbiased"}, @qcode{"Epsilon"},
## @qcode{"Dtype"}, @qcode{"Config"} (see @code{cka_config}).
## @item @qcode{"Estimator"} (default @qcode{"minibatch"})
## @qcode{"minibatch"}: pytorch-cka's estimator, the HSIC of each batch
## summed over batches.  @qcode{"full"}: the exact unbiased (or biased) HSIC
## over all @var{N} samples at once, as if the whole data were one batch,
## streamed through feature-space sums (X'Y, X'1, row norms); linear kernel
## only.  It needs @math{d_1 d_2} doubles per layer pair (and @math{d^2}
## per layer): fine with @qcode{"mean"}, @qcode{"first"} or @qcode{"last"}
## pooling (768 x 768 x 8 bytes = 4.7 MB per BERT-base pair), too much
## with @qcode{"flatten"} (@code{cka:input:tooLarge}, checked at the first
## batch, naming the sizes).  @code{R.cka} is then the full-data CKA;
## @code{R.hsic_xy} and the other sums stay the minibatch ones.
## @item @qcode{"Measure"} (default @qcode{"cka"})
## Other measures, computed from the same pooled features in the same pass:
## one name or a cellstr of @qcode{"procrustes"}, @qcode{"svcca"},
## @qcode{"pwcca"}, @qcode{"rsa"} (definitions and references in
## @code{help cka}).  Each adds an @var{L1}x@var{L2} field of that name to
## @var{R}.  Procrustes, SVCCA and PWCCA use the feature-space sums of all
## samples (the memory of @qcode{"Estimator"} @qcode{"full"}); RSA uses the
## pairs of samples within each batch.  @qcode{"SVCCAVariance"} (default
## 0.99) is the share of variance SVCCA keeps.
## @item @qcode{"Bootstrap"} (default 0), @qcode{"CILevel"} (default 0.95)
## Percentile bootstrap confidence intervals of every CKA value,
## @code{R.ci_low} and @code{R.ci_high}, from @var{B} resamples of the
## batches (with replacement).  Batches, not samples, are the unit: the
## minibatch estimator is a sum of per-batch estimates, which are
## independent when the batches are; resampling samples would put the same
## sample twice in a batch, which the unbiased estimator counts as a
## perfectly similar pair (a bias), and would need the forwards again.  The
## resampling reuses the stored per-batch values, so it costs no forward.
## Fewer than 10 batches give rough intervals (warning
## @code{cka:bootstrap:fewBatches}); it needs 2 at least.
## @item @qcode{"Permutations"} (default 0)
## A permutation test per layer pair, @code{R.p_value}: is the pair more
## similar than unrelated samples?  In each batch the samples of the second
## side are shuffled @var{P} times (the same shuffle for all its layers) and
## the HSIC of every pair recomputed from the batch's Gram matrices (no
## forward); p = (1 + the number of permuted CKA values >= the observed
## one) / (1 + P),
## so the smallest p-value is @math{1/(P+1)}.  The null hypothesis is that,
## within a batch, which sample of one side goes with which sample of the
## other does not matter (the samples are exchangeable, e.g.@: independent
## draws).  It is a test of any association, not of a CKA level; with many
## layer pairs, correct for multiple testing.  Cost per batch: @var{P}
## times @var{L1} x @var{L2} x @math{n^2} multiply-adds for @math{n}
## samples, small next to the forward when the samples are sequences
## (@math{n} = BatchSize), large with @qcode{"tokens"} pooling (@math{n} =
## the tokens of a batch).
## @item @qcode{"Seed"} (default 0)
## Seeds the bootstrap and the permutations: batch @var{k}'s permutations
## depend only on the seed and @var{k}, so runs are reproducible.
##
## These options work with @qcode{"Checkpoint"}/@qcode{"Resume"} (the
## checkpoint holds their sums; a JSON checkpoint cannot hold the
## feature-space sums of the full estimator, Procrustes, SVCCA and PWCCA:
## use .mat) and with @qcode{"Shard"}, @qcode{"Workers"} and
## @qcode{"Cluster"}: merged shards give the single process's intervals
## (their per-batch values in single-run order), p-values and measures.
## @end table
##
## With @qcode{"Workers"} or @qcode{"Cluster"} the shards run in waves of
## one shard per process; with a @qcode{"Checkpoint"} the shards done are
## written to it after every wave (as a partial result), the
## @qcode{"Callback"} is called after every wave with the number of shards
## done, and @qcode{"Resume"} with that file runs only the missing shards
## (on any workers or servers, e.g.@: after a server was lost).  Without a
## checkpoint or callback each process runs its share of the shards with
## the models loaded once.  The data must be ids, a struct or sentences
## (not a function handle: use @qcode{"Shard"} in separate processes).
##
## @var{R} is a struct: @code{cka} (the @var{L1}x@var{L2} matrix),
## @code{layers1}, @code{layers2}, @code{model1_name}, @code{model2_name},
## @code{same_model}, @code{config}, @code{pooling}, the HSIC sums
## @code{hsic_xy}, @code{hsic_xx}, @code{hsic_yy} (so @code{cka_merge} and
## @code{cka_update} work on results), @code{n_samples}, @code{n_batches},
## @code{batch_sizes}, @code{n_dropped} (the number of samples in batches
## skipped by @qcode{"DropLast"}) and @code{timing} (seconds); with the
## options above also @code{estimator}, @code{ci_low}, @code{ci_high},
## @code{ci_level}, @code{n_bootstrap}, @code{p_value},
## @code{n_permutations} and the matrices of the other measures.
## Save it with @code{cka_save}, plot it with @code{plot_cka_heatmap}.
## A run with @qcode{"Shard"} returns a partial result instead (see there).
##
## @example
## @group
## bert = tfm_load ("bert-dir");  gpt2 = tfm_load ("gpt2-dir");
## ids = randi ([0 999], 32, 16);
## R = cka_compare (bert, gpt2, ids, "BatchSize", 8);
## R.cka
## @end group
## @end example
## @example
## @group
## ## intervals, p-values and a second opinion from SVCCA
## R = cka_compare (bert, gpt2, ids, "BatchSize", 4, "Pooling", "mean",
##                  "Bootstrap", 1000, "Permutations", 1000, "Measure", "svcca");
## plot_cka_heatmap (R, "Significance", 0.05);
## @end group
## @end example
## @example
## @group
## ## the same run on 2 local worker processes (pkg load parallel)
## R = cka_compare (bert, gpt2, ids, "BatchSize", 8, "Workers", 2);
## @end group
## @end example
## @seealso{cka_config, cka_accumulator, cka_merge, cka_save, tfm_modules}
## @end deftypefn

function R = cka_compare (model1, model2, data, varargin)
  if (nargin >= 2 && ! isstruct (model2) && ! isempty (model2))
    ## pytorch-cka's CKA(model) habit: the data (or an option) in model2's place
    error ("cka:input:notModel",
           "cka_compare: model2 must be a model struct, or [] to compare model1 with itself: cka_compare (model, [], data, ...)");
  endif
  if (nargin < 3)
    print_usage ();
  endif
  t_start = tic ();
  own = struct ("Layers1", [], "Layers2", [], "Model1Name", "", "Model2Name", "",
                "BatchSize", 8, "AttentionMask", [], "IgnoreMask", false,
                "Data2", [], "Pooling", "flatten", "DropLast", false,
                "Progress", true, "Callback", [], "IgnoreUnknownLayers", false,
                "Tokenizer1", [], "Tokenizer2", [], "MaxLength", [],
                "Checkpoint", "", "CheckpointEvery", 1, "Resume", "",
                "Shard", [], "Workers", [], "Cluster", [], "Shards", [],
                "ModelPaths", [], "ThreadsPerWorker", []);
  for [v, f] = cka_stats_options ("defaults")
    own.(f) = v;
  endfor
  [opts, given] = parse_options ("cka_compare", cka_option_defaults (own), varargin);
  [cfg, iopts] = cka_resolve_config ("cka_compare", opts, given);
  stats = cka_stats_options ("cka_compare", opts, cfg);

  same_model = isempty (model2);
  check_model (model1, "model1");
  if (! same_model)
    check_model (model2, "model2");
  endif
  m2 = model2;
  if (same_model)
    m2 = model1;
  endif
  v = opts.IgnoreUnknownLayers;
  if (! (isscalar (v) && (islogical (v) || isnumeric (v))))
    error ("cka:input:badOption", "cka_compare: IgnoreUnknownLayers must be true or false");
  endif
  [layers1, req1] = resolve_layers (model1, opts.Layers1, "Layers1", v);
  layers2_arg = opts.Layers2;
  if (same_model && ! given.Layers2)
    layers2_arg = opts.Layers1;
  endif
  [layers2, req2] = resolve_layers (m2, layers2_arg, "Layers2", v);

  bs = opts.BatchSize;
  if (! (isnumeric (bs) && isscalar (bs) && bs == fix (bs) && bs >= 1))
    error ("cka:input:badOption", "cka_compare: BatchSize must be a positive integer");
  endif
  pooling = opts.Pooling;
  if (! (ischar (pooling)
         && any (strcmpi (pooling, {"flatten", "mean", "first", "last", "tokens"}))))
    error ("cka:input:badOption",
           "cka_compare: Pooling must be flatten, mean, first, last or tokens");
  endif
  pooling = lower (pooling);
  for f = {"IgnoreMask", "DropLast", "Progress"}
    v = opts.(f{1});
    if (! (isscalar (v) && (islogical (v) || isnumeric (v))))
      error ("cka:input:badOption", "cka_compare: %s must be true or false", f{1});
    endif
  endfor
  if (! isempty (opts.Callback) && ! is_function_handle (opts.Callback))
    error ("cka:input:badOption", "cka_compare: Callback must be a function handle");
  endif

  ckpt = opts.Checkpoint;
  if (! (ischar (ckpt) && (isrow (ckpt) || isempty (ckpt))))
    error ("cka:input:badOption", "cka_compare: Checkpoint must be a file name");
  endif
  every = opts.CheckpointEvery;
  if (! (isnumeric (every) && isscalar (every) && every == fix (every) && every >= 1))
    error ("cka:input:badOption", "cka_compare: CheckpointEvery must be a positive integer");
  endif
  if (! (ischar (opts.Resume) && (isrow (opts.Resume) || isempty (opts.Resume))))
    error ("cka:input:badOption", "cka_compare: Resume must be a file name");
  endif

  shard = shard_option (opts.Shard);
  parallel = ! (isempty (opts.Workers) && isempty (opts.Cluster));
  extra = ! cka_stats_options ("is_default", stats, cfg);
  [fsums, features] = cka_stats_options ("needs", stats);
  if (fsums)
    for f = {"Checkpoint", "Resume"}
      if (cka_is_json (opts.(f{1})))
        error ("cka:input:badOption",
               ["cka_compare: a JSON %s cannot hold the feature-space sums of the full " ...
                "estimator and of Procrustes, SVCCA, PWCCA; use a .mat file"], f{1});
      endif
    endfor
  endif
  if (parallel)
    engine = cka_parallel_run ("engine", opts, given);
  else
    for f = {"Shards", "ModelPaths", "ThreadsPerWorker"}
      if (given.(f{1}))
        error ("cka:input:badOption", "cka_compare: %s goes with \"Workers\" or \"Cluster\"",
               f{1});
      endif
    endfor
  endif

  if (iscellstr (data) || (ischar (data) && ! isempty (data)))
    [data, opts.Data2] = cka_text_data (data, model1, model2, opts, pooling);
  endif
  ## the models that read each stream: data feeds model2 too unless Data2
  has_data2 = ! isempty (opts.Data2);
  readers1 = {model1};
  if (! same_model && ! has_data2)
    readers1{end+1} = model2;
  endif
  src1 = make_source (data, bs, opts.AttentionMask, opts.IgnoreMask, "data", readers1);
  src2 = [];
  if (has_data2)
    src2 = make_source (opts.Data2, bs, [], opts.IgnoreMask, "Data2", {m2});
  endif
  total = src1.total;
  nmin = 2 + 2 * cfg.unbiased;

  name1 = model_name (model1, opts.Model1Name, "model1");
  if (same_model)
    name2 = cka_ifelse (isempty (opts.Model2Name), name1,
                        model_name (model1, opts.Model2Name, name1));
  else
    name2 = model_name (model2, opts.Model2Name, "model2");
  endif
  if (parallel)
    if (! isempty (shard))
      error ("cka:input:badOption",
             "cka_compare: \"Shard\" runs one shard in this process; it does not combine with \"Workers\" or \"Cluster\"");
    endif
    if (! (strcmp (src1.kind, "matrix") && (! has_data2 || strcmp (src2.kind, "matrix"))))
      error ("cka:parallel:badData",
             ["cka_compare: \"Workers\" and \"Cluster\" need the data as ids, a struct or " ...
              "sentences, not a function handle (each shard would call it from its own " ...
              "process); run the shards with \"Shard\" instead"]);
    endif
    check_last_batch (src1, opts.DropLast, pooling, cfg.unbiased);
    H = checkpoint_header (model1, model2, same_model, has_data2, bs, pooling, opts, true);
    H.data = data_fingerprint (src1, src2, has_data2);
    run = struct ("model1", model1, "model2", model2, "data", data, "data2", opts.Data2,
                  "mask", opts.AttentionMask, "layers1", {layers1}, "layers2", {layers2},
                  "name1", name1, "name2", name2, "cfg", cfg, "stats", stats,
                  "pooling", pooling,
                  "batches", total, "provenance", provenance (H));
    R = cka_parallel_run (run, opts, given, engine);
    R.requested_layers1 = req1;
    R.requested_layers2 = req2;
    R.timing.elapsed = toc (t_start);
    return;
  endif

  ## The run's state is ONE struct: the sums and, in S.checkpoint, the count
  ## of batches consumed (computed or dropped) and the chain of their
  ## fingerprints.  Each batch changes it in one assignment (take_batch,
  ## drop_batch), so an error or Ctrl-C at any instruction leaves sums and
  ## count consistent, and the checkpoint written in the cleanup below never
  ## counts a batch whose sums are missing.
  S = cka_accumulator (layers1, layers2, "Config", cfg, "Model1Name", name1,
                       "Model2Name", name2);
  S = cka_stats_fields ("init", S, stats);
  fingerprint = ! isempty (ckpt) || ! isempty (opts.Resume) || ! isempty (shard);
  S.checkpoint = checkpoint_header (model1, model2, same_model, has_data2, bs, pooling,
                                    opts, fingerprint);
  sharded = ! isempty (shard);               # a partial result, even of [1 1]
  if (! sharded)
    shard = [1 1];
  endif
  S.checkpoint.shard = shard;
  S.checkpoint.computed = zeros (0, 1);     # global indices of the computed batches
  ## a shard keeps each batch's HSIC values (a column [hxy(:); hxx; hyy]),
  ## so cka_merge can add them in the order of a single run: bit for bit
  S.checkpoint.terms = zeros (numel (layers1) * (numel (layers2) + 1) + numel (layers2), 0);
  t_batches = 0;
  if (! isempty (opts.Resume))
    [S, src1, src2] = resume_state (opts.Resume, S, src1, src2, has_data2, nmin);
  endif
  check_last_batch (src1, opts.DropLast, pooling, cfg.unbiased);
  k_saved = -1;
  label = "cka_compare";
  if (sharded)
    label = sprintf ("cka_compare shard %d/%d", shard(1), shard(2));
  endif
  mine = total;                                 # NaN for function data
  if (isfinite (total))
    mine = owned_count (total, shard);
  endif
  done = owned_count (S.checkpoint.batches, shard);
  if (opts.Progress)
    P = cka_progress ("start", mine, label);
  endif
  ## on success, error or Ctrl-C: the checkpoint gets every completed batch
  ## one session binds both models and resolves the layers once for the
  ## whole run; it is closed on success, error and Ctrl-C alike
  session = [];
  unwind_protect
  session = __cka_compare_batch__ ("open", model1, model2, layers1, layers2, pooling, iopts,
                                   struct ("permutations", stats.permutations,
                                           "seed", stats.seed, "features", features));
  while (true)
    [b1, src1] = next_batch (src1);
    if (has_data2)
      [b2, src2] = next_batch (src2);
      if (xor (isempty (b1), isempty (b2)))
        error ("cka:input:sampleMismatch",
               "cka_compare: data and Data2 have different numbers of batches");
      endif
    else
      b2 = [];
    endif
    if (isempty (b1))
      break;
    endif
    k = S.checkpoint.batches + 1;      # this batch
    n = rows (b1.ids);
    if (has_data2 && rows (b2.ids) != n)
      error ("cka:input:sampleMismatch",
             "cka_compare: batch %d has %d samples in data but %d in Data2", k, n, rows (b2.ids));
    endif
    h = batch_hash (S.checkpoint, b1, b2);
    if (! owns (k, shard))
      S = skip_batch (S, h);            # another shard's batch
      continue;
    endif
    done += 1;
    if (! strcmp (pooling, "tokens") && n < nmin)
      if (opts.DropLast)
        S = drop_batch (S, n, h);
        continue;
      endif
      error ("cka:input:tooFewSamples",
             ["cka_compare: batch %d has n = %d samples; the %s HSIC estimator needs n > %d " ...
              "(use \"DropLast\", true to skip it, or another BatchSize)"],
             k, n, cka_ifelse (cfg.unbiased, "unbiased", "biased"), nmin - 1);
    endif
    tb = tic ();
    [hxy, hxx, hyy, nb, hperm, f1, f2] = __cka_compare_batch__ ("batch", session, b1, b2, k);
    t_batches += toc (tb);
    ## one assignment: a Ctrl-C leaves the sums and the extra sums consistent
    S = take_batch (cka_stats_fields ("add", S, struct ("hxy", hxy, "hxx", hxx, "hyy", hyy,
                                                        "hperm", hperm),
                                      f1, f2, sprintf ("cka_compare: batch %d", k)),
                    hxy, hxx, hyy, nb, h, sharded);
    if (opts.Progress)
      P = cka_progress ("update", P, done);
    endif
    if (! isempty (ckpt) && mod (done, every) == 0)
      k_saved = write_checkpoint (ckpt, S);
    endif
    if (! isempty (opts.Callback))
      opts.Callback (done, mine, cka_matrix (S));
    endif
  endwhile
  unwind_protect_cleanup
    if (! isempty (session))
      __cka_compare_batch__ ("close", session);
    endif
    if (! isempty (ckpt) && k_saved != S.checkpoint.batches)
      write_checkpoint (ckpt, S);
    endif
  end_unwind_protect
  if (opts.Progress)
    cka_progress ("finish", P);
  endif
  if (S.checkpoint.batches == 0)
    error ("cka:input:emptyData", "cka_compare: the data holds no batch");
  endif
  if (S.n_batches == 0 && ! sharded)
    error ("cka:input:tooFewSamples",
           "cka_compare: every batch was dropped as too small for the estimator");
  endif
  if (sharded)
    R = shard_result (S, shard, name1, name2, same_model, pooling,
                      struct ("elapsed", toc (t_start), "batches", t_batches));
    return;
  endif
  if (isfield (S, "fsums"))
    S.fsums = cka_fsums ("flush", S.fsums);   # once, for every measure below
  endif
  R = struct ("kind", "cka_result", "cka", cka_matrix (S),
              "layers1", {S.layers1}, "layers2", {S.layers2},
              "requested_layers1", {req1}, "requested_layers2", {req2},
              "model1_name", name1, "model2_name", name2,
              "same_model", same_model, "config", S.config, "pooling", pooling,
              "hsic_xy", S.hsic_xy, "hsic_xx", S.hsic_xx, "hsic_yy", S.hsic_yy,
              "n_samples", S.n_samples, "n_batches", S.n_batches,
              "batch_sizes", S.batch_sizes, "n_dropped", S.checkpoint.dropped_samples,
              "timing", struct ("elapsed", toc (t_start), "batches", t_batches));
  if (extra)
    ## the intervals, p-values and measures: seconds for many layers (one
    ## eigendecomposition per layer and an SVD per pair), so say so
    t_stats = tic ();
    if (opts.Progress)
      printf ("cka_compare: %s of %d x %d layer pairs ...\n", stats_label (stats),
              numel (layers1), numel (layers2));
    endif
    for [v, f] = cka_stats_fields ("result", S, "cka_compare")
      R.(f) = v;
    endfor
    R.timing.stats = toc (t_stats);
    R.timing.elapsed = toc (t_start);
    if (opts.Progress)
      printf ("cka_compare: done in %.1f s\n", R.timing.stats);
    endif
  endif
endfunction

## What the run computes beyond minibatch CKA, in words.
function s = stats_label (st)
  parts = {};
  if (strcmp (st.estimator, "full"))
    parts{end+1} = "full-data CKA";
  endif
  if (st.bootstrap > 0)
    parts{end+1} = sprintf ("%g%% intervals from %d bootstrap resamples", 100 * st.ci_level,
                            st.bootstrap);
  endif
  if (st.permutations > 0)
    parts{end+1} = sprintf ("p-values of %d permutations", st.permutations);
  endif
  parts = [parts, upper(st.measures(2:end))];
  s = strjoin (parts, ", ");
endfunction

## ---- checkpoints ---------------------------------------------------------
## A checkpoint is the accumulator (sums, n_samples, n_batches, batch_sizes,
## layers, config) with kind "cka_checkpoint" and a header S.checkpoint that
## states what the sums contain: format version, the batches consumed
## (computed + dropped) and dropped, the options that shape the sums, a
## fingerprint of each model (arch + config + names, and weights) and the
## chain of fingerprints of the consumed batches (16 hex digits per batch:
## hash of the previous value and the batch's ids, mask and token types, of
## both streams).  Hashes are hex strings so .json checkpoints round-trip.
function H = checkpoint_header (model1, model2, same_model, has_data2, bs, pooling, opts,
                                fingerprint)
  H = struct ("version", 2, "batches", 0, "dropped_batches", 0, "dropped_samples", 0,
              "batch_size", bs, "pooling", pooling,
              "ignore_mask", logical (opts.IgnoreMask), "drop_last", logical (opts.DropLast),
              "same_model", logical (same_model), "data2", logical (has_data2),
              "model1_config", "", "model1_weights", "",
              "model2_config", "", "model2_weights", "",
              "data", "", "sums", "");
  if (fingerprint)
    [H.model1_config, H.model1_weights] = model_fingerprint (model1, "model1");
    if (! same_model)
      [H.model2_config, H.model2_weights] = model_fingerprint (model2, "model2");
    endif
  endif
endfunction

function [cfg, w] = model_fingerprint (m, what)
  try
    [cfg, w] = cka_model_fingerprint (m);
  catch e
    error ("cka:input:notModel", "cka_compare: %s cannot be fingerprinted for a checkpoint: %s",
           what, e.message);
  end_try_catch
endfunction

## The chained fingerprint of the next batch ("" when no checkpoint is
## involved: the hashes are then not needed).
function h = batch_hash (H, b1, b2)
  h = "";
  if (! isempty (H.model1_config))
    h = chain_link (last_hash (H.data), b1, b2);
  endif
endfunction

## One link of the data's chain of fingerprints: the hash of the previous
## link and the batch of both streams.
function h = chain_link (prev, b1, b2)
  h = __cka_hash__ ({prev, b1, b2});
endfunction

function h = last_hash (data)
  h = "";
  if (! isempty (data))
    h = data(end-15:end);
  endif
endfunction

function S = take_batch (S, hxy, hxx, hyy, n, h, keep_terms)
  S = cka_acc_add (S, hxy, hxx, hyy, n);
  S.checkpoint.batches += 1;
  S.checkpoint.computed(end+1,1) = S.checkpoint.batches;
  S.checkpoint.data = [S.checkpoint.data h];
  if (keep_terms)
    S.checkpoint.terms(:,end+1) = [hxy(:); hxx(:); hyy(:)];
  endif
endfunction

## A last batch of array data too small for the estimator: say so before
## any forward (function data is checked batch by batch in the loop).
function check_last_batch (src, drop_last, pooling, unbiased)
  nmin = 2 + 2 * unbiased;
  if (strcmp (src.kind, "matrix") && ! drop_last && ! strcmp (pooling, "tokens"))
    n_last = rows (src.ids) - src.bs * (src.total - 1);
    if (n_last < nmin)
      error ("cka:input:tooFewSamples",
             ["cka_compare: the last batch (%d of %d) would have n = %d samples; the %s " ...
              "HSIC estimator needs n > %d (use \"DropLast\", true to skip it, or another " ...
              "BatchSize)"], src.total, src.total, n_last,
             cka_ifelse (unbiased, "unbiased", "biased"), nmin - 1);
    endif
  endif
endfunction

## Shards: batch j (1-based, in the order of a single run) belongs to shard
## 1 + mod (j - 1, N).  A shard consumes every batch (so the chain of
## fingerprints covers the whole data) but computes only its own.
function shard = shard_option (v)
  shard = [];
  if (isempty (v))
    return;
  endif
  if (! (isnumeric (v) && isreal (v) && numel (v) == 2 && all (isfinite (v))
         && all (v == fix (v)) && v(2) >= 1 && v(1) >= 1 && v(1) <= v(2)))
    error ("cka:input:badOption",
           "cka_compare: Shard must be [k N] with integers 1 <= k <= N (shard k of N)");
  endif
  shard = double (v(:)');
endfunction

## Whether batch j belongs to shard shard(1) of shard(2).
function tf = owns (j, shard)
  tf = mod (j - 1, shard(2)) == shard(1) - 1;
endfunction

## The number of shard(1)'s batches among batches 1..n.
function c = owned_count (n, shard)
  c = max (0, floor ((n - shard(1)) / shard(2)) + 1);
endfunction

function S = skip_batch (S, h)
  S.checkpoint.batches += 1;
  S.checkpoint.data = [S.checkpoint.data h];
endfunction

## What a shard returns: the sums and counts of its batches (no CKA matrix:
## that needs every shard; cka_merge combines them) and what they were
## computed from, so cka_merge can refuse shards of different runs.
function R = shard_result (S, shard, name1, name2, same_model, pooling, timing)
  H = S.checkpoint;
  R = struct ("kind", "cka_partial", "layers1", {S.layers1}, "layers2", {S.layers2},
              "model1_name", name1, "model2_name", name2, "same_model", same_model,
              "config", S.config, "pooling", pooling,
              "hsic_xy", S.hsic_xy, "hsic_xx", S.hsic_xx, "hsic_yy", S.hsic_yy,
              "n_samples", S.n_samples, "n_batches", S.n_batches,
              "batch_sizes", S.batch_sizes, "n_dropped", H.dropped_samples,
              "shard", struct ("index", shard(1), "count", shard(2), "batches", H.batches,
                               "computed", H.computed),
              "batch_hsic", H.terms, "provenance", provenance (H), "timing", timing);
  ## the options and extra sums of issue 19 (the per-batch values for the
  ## bootstrap are batch_hsic already)
  R.stats = S.stats;
  for f = setdiff (intersect (cka_stats_fields ("sums"), fieldnames (S)), {"batch_hsic"})(:)'
    R.(f{1}) = S.(f{1});
  endfor
endfunction

## What a shard's sums were computed from (the options, the models' and
## the whole data's fingerprints): the checkpoint header without its counts
## and per-batch fields, the data's chain reduced to its last link.
function P = provenance (H)
  P = rmfield (H, intersect (fieldnames (H), {"batches", "dropped_batches", ...
               "dropped_samples", "sums", "shard", "computed", "terms"}));
  P.data = last_hash (H.data);
endfunction

## The fingerprint of the whole data of a run (the chain over every batch),
## for the shards of a parallel run: each shard computes it too.
function h = data_fingerprint (src1, src2, has_data2)
  h = "";
  while (true)
    [b1, src1] = next_batch (src1);
    b2 = [];
    if (has_data2)
      [b2, src2] = next_batch (src2);
    endif
    if (isempty (b1))
      break;
    endif
    h = chain_link (h, b1, b2);
  endwhile
endfunction

function S = drop_batch (S, n, h)
  S.checkpoint.batches += 1;
  S.checkpoint.dropped_batches += 1;
  S.checkpoint.dropped_samples += n;
  S.checkpoint.data = [S.checkpoint.data h];
endfunction

function h = sums_hash (S)
  v = {S.hsic_xy, S.hsic_xx, S.hsic_yy, S.n_samples, S.n_batches, S.batch_sizes};
  if (isfield (S.checkpoint, "terms") && ! isempty (S.checkpoint.terms))
    v{end+1} = S.checkpoint.terms;             # a shard's per-batch values
  endif
  h = __cka_hash__ (v);
endfunction

function k = write_checkpoint (file, S)
  S.kind = "cka_checkpoint";
  S.checkpoint.sums = sums_hash (S);
  cka_save (S, file);
  k = S.checkpoint.batches;
endfunction

function [S, src1, src2] = resume_state (file, S0, src1, src2, has_data2, nmin)
  C = cka_load (file);
  H0 = S0.checkpoint;
  mismatch = @(varargin) error ("cka:checkpoint:resumeMismatch", "cka_compare: Resume '%s': %s",
                                file, sprintf (varargin{:}));
  if (! (isfield (C, "checkpoint") && isstruct (C.checkpoint) && isscalar (C.checkpoint)))
    mismatch ("not a checkpoint written by cka_compare (\"Checkpoint\" option) of this version");
  endif
  H = C.checkpoint;
  if (! (isfield (H, "version") && isnumeric (H.version) && isscalar (H.version)
         && H.version == H0.version))
    mismatch ("unknown checkpoint format version (this version writes %d)", H0.version);
  endif
  if (! isfield (H, "shard"))
    H.shard = [1 1];                    # written before shards existed
  endif
  if (! isfield (H, "terms"))
    H.terms = zeros (rows (H0.terms), 0);     # written before shards existed
  endif
  want = setdiff (fieldnames (H0), {"computed"});   # rebuilt by the replay
  miss = want(! isfield (H, want));
  if (! isempty (miss))
    mismatch ("the checkpoint header has no field %s", strjoin (miss', ", "));
  endif
  ## types of the header fields
  for f = {"batches", "dropped_batches", "dropped_samples", "batch_size"}
    v = H.(f{1});
    if (! (isnumeric (v) && isreal (v) && isscalar (v) && isfinite (v) && v >= 0 && v == fix (v)))
      mismatch ("header field %s must be a non-negative integer", f{1});
    endif
    H.(f{1}) = double (v);
  endfor
  H = cka_check_fields (H, {"pooling", "model1_config", "model1_weights", "model2_config", ...
                            "model2_weights", "data", "sums"},
                        {"ignore_mask", "drop_last", "same_model", "data2"}, mismatch,
                        "header field %s");

  v = H.shard;
  if (! (isnumeric (v) && numel (v) == 2 && all (v == fix (v)) && v(1) >= 1 && v(1) <= v(2)))
    mismatch ("header field shard must be [k N]");
  endif
  if (! isequal (double (v(:)'), H0.shard))
    mismatch ("Shard [%d %d] vs [%d %d] in the checkpoint", H0.shard, v);
  endif

  ## what the sums were computed from, against this run
  if (! strcmp (H.model1_config, H0.model1_config))
    mismatch ("model1 differs (architecture, config or weight names)");
  endif
  if (! strcmp (H.model1_weights, H0.model1_weights))
    mismatch ("model1 weights differ");
  endif
  if (H.same_model != H0.same_model)
    mismatch ("the checkpoint compares %s, this run %s",
              cka_ifelse (H.same_model, "one model with itself", "two models"),
              cka_ifelse (H0.same_model, "one model with itself", "two models"));
  endif
  if (! strcmp (H.model2_config, H0.model2_config))
    mismatch ("model2 differs (architecture, config or weight names)");
  endif
  if (! strcmp (H.model2_weights, H0.model2_weights))
    mismatch ("model2 weights differ");
  endif
  if (! isequal (C.layers1, S0.layers1))
    mismatch ("other layers1 (%s vs %s)", strjoin (S0.layers1', ","), strjoin (C.layers1', ","));
  endif
  if (! isequal (C.layers2, S0.layers2))
    mismatch ("other layers2 (%s vs %s)", strjoin (S0.layers2', ","), strjoin (C.layers2', ","));
  endif
  for f = {"kernel", "sigma", "unbiased", "epsilon", "dtype"}
    if (! isequal (C.config.(f{1}), S0.config.(f{1})))
      mismatch ("CKA option %s differs (%s vs %s in the checkpoint)", f{1},
                disp_value (S0.config.(f{1})), disp_value (C.config.(f{1})));
    endif
  endfor
  if (! strcmp (H.pooling, H0.pooling))
    mismatch ("Pooling %s vs %s in the checkpoint", H0.pooling, H.pooling);
  endif
  if (H.batch_size != H0.batch_size)
    mismatch ("BatchSize %d vs %d in the checkpoint", H0.batch_size, H.batch_size);
  endif
  names = {"ignore_mask", "IgnoreMask"; "drop_last", "DropLast"; "data2", "Data2 given"};
  for r = 1:rows (names)
    if (H.(names{r,1}) != H0.(names{r,1}))
      mismatch ("%s %s vs %s in the checkpoint", names{r,2}, disp_value (H0.(names{r,1})),
                disp_value (H.(names{r,1})));
    endif
  endfor

  ## the header against the sums (hand edits)
  if (owned_count (H.batches, H0.shard) != C.n_batches + H.dropped_batches)
    mismatch ("batch count edited: sums hold %d batches (+ %d dropped), header says %d",
              C.n_batches, H.dropped_batches, H.batches);
  endif
  if (numel (H.data) != 16 * H.batches || ! all (isstrprop (H.data, "xdigit")))
    mismatch ("the data fingerprints do not match the %d batches of the header", H.batches);
  endif
  if (H.dropped_samples < H.dropped_batches
      || H.dropped_samples > H.dropped_batches * (nmin - 1))
    mismatch ("dropped count edited: %d samples in %d dropped batches", H.dropped_samples,
              H.dropped_batches);
  endif
  if (! cka_is_json (file) && ! strcmp (H.sums, sums_hash (C)))
    mismatch ("the HSIC sums or counts were edited (their fingerprint differs)");
  endif

  ## replay the consumed batches: same data, same schedule
  S = S0;
  dropped = 0;
  for j = 1:H.batches
    [b1, src1] = next_batch (src1);
    b2 = [];
    if (has_data2)
      [b2, src2] = next_batch (src2);
    endif
    if (isempty (b1) || (has_data2 && isempty (b2)))
      mismatch ("the checkpoint holds %d batches but the data only %d", H.batches, j - 1);
    endif
    h = chain_link (last_hash (S.checkpoint.data), b1, b2);
    if (! strcmp (h, H.data(16*j-15:16*j)))
      mismatch ("data of batch %d differs", j);
    endif
    S.checkpoint.data = [S.checkpoint.data h];
    if (owns (j, H0.shard))
      if (! strcmp (H0.pooling, "tokens") && rows (b1.ids) < nmin)
        dropped += 1;
      else
        S.checkpoint.computed(end+1,1) = j;
      endif
    endif
  endfor
  if (dropped != H.dropped_batches)
    mismatch ("dropped count edited: the data gives %d dropped batches, the header %d",
              dropped, H.dropped_batches);
  endif
  for f = {"hsic_xy", "hsic_xx", "hsic_yy", "n_samples", "n_batches", "batch_sizes"}
    S.(f{1}) = C.(f{1});
  endfor
  ## the extra sums (issue 19): a checkpoint of an earlier version has none
  ## and the default options
  if (! isequal (cka_stats_fields ("options", C), S0.stats))
    mismatch ("the Estimator, Measure, Bootstrap, Permutations, CILevel, Seed or SVCCAVariance options differ");
  endif
  for f = intersect (cka_stats_fields ("sums"), fieldnames (S0))(:)'
    S.(f{1}) = C.(f{1});
  endfor
  ## a shard's per-batch values (JSON keeps no shapes: reshape by the counts)
  t = H.terms;
  nt = C.n_batches * (H0.shard(2) > 1 || ! isempty (t));
  if (! (isnumeric (t) && isreal (t) && numel (t) == rows (H0.terms) * nt
         && all (isfinite (t(:)))))
    mismatch ("the per-batch HSIC values (header field terms) do not match the %d batches",
              C.n_batches);
  endif
  S.checkpoint.terms = reshape (double (t), rows (H0.terms), nt);
  S.checkpoint.batches = H.batches;
  S.checkpoint.dropped_batches = H.dropped_batches;
  S.checkpoint.dropped_samples = H.dropped_samples;
endfunction

function s = disp_value (v)
  if (ischar (v))
    s = v;
  elseif (isempty (v))
    s = "[]";
  elseif (islogical (v))
    s = cka_ifelse (v, "true", "false");
  else
    s = num2str (v);
  endif
endfunction

function check_model (m, what)
  if (! (isstruct (m) && isscalar (m) && all (isfield (m, {"arch", "config", "names", "weights"}))))
    error ("cka:input:notModel",
           "cka_compare: %s must be a model struct from tfm_load or tfm_create (or [] for model2)",
           what);
  endif
endfunction

function name = model_name (m, given, default)
  if (! isempty (given))
    if (! (ischar (given) && isrow (given)))
      error ("cka:input:badOption", "cka_compare: model names must be strings");
    endif
    name = given;
  elseif (isfield (m, "name") && ischar (m.name) && ! isempty (m.name))
    name = m.name;
  else
    name = default;
  endif
endfunction

function [L, requested] = resolve_layers (model, L, what, drop_unknown)
  [known, hookable, blocks] = __tfm_modules__ (model);
  if (isempty (L))
    L = blocks;
  elseif (ischar (L) && isrow (L))
    L = {L};
  elseif (! iscellstr (L))
    error ("cka:input:badOption", "cka_compare: %s must be a cellstr of layer names", what);
  endif
  L = L(:);
  requested = L;
  idx = __tfm_modules__ (model, L);        # head-model names resolved as the forward does
  ok = idx > 0;
  L(ok) = known(idx(ok));
  bad = L(! ok);
  if (! isempty (bad))
    msg = sprintf ("%s: no module named %s in the %s model; did you mean %s? (see tfm_modules)",
                   what, strjoin (strcat ("'", bad, "'")', ", "), model.arch,
                   __tfm_modules__ (model, bad{1}));
    if (! drop_unknown)
      error ("cka:input:unknownLayer", "cka_compare: %s", msg);
    endif
    warning ("cka:compare:unknownLayer", "cka_compare: %s; dropped", msg);
    L = L(ok);
    idx = idx(ok);
    if (isempty (L))
      error ("cka:input:noLayers", "cka_compare: %s: none of the layers exists", what);
    endif
  endif
  cont = L(! hookable(idx));
  if (! isempty (cont))
    error ("cka:input:unknownLayer",
           "cka_compare: %s: %s is a container (ModuleList) that never runs; hook its blocks",
           what, strjoin (strcat ("'", cont, "'")', ", "));
  endif
endfunction

## ---- data sources ------------------------------------------------------
function src = make_source (data, bs, mask_opt, ignore_mask, what, models)
  src = struct ("kind", "", "ids", [], "mask", [], "tt", [], "pos", 0, "bs", bs,
                "fn", [], "total", NaN, "ignore_mask", logical (ignore_mask), "what", what,
                "models", {models});
  if (is_function_handle (data))
    if (! isempty (mask_opt))
      error ("cka:input:badOption",
             "cka_compare: AttentionMask goes with matrix data; a %s function returns its masks in the batch structs",
             what);
    endif
    src.kind = "handle";
    src.fn = data;
    return;
  endif
  src.kind = "matrix";
  if (isstruct (data))
    if (! (isscalar (data) && isfield (data, "input_ids")))
      error ("cka:input:badData", "cka_compare: %s struct needs a field input_ids", what);
    endif
    ids = data.input_ids;
    [src.mask, src.tt] = mask_and_types (data);
  elseif (isnumeric (data))
    ids = data;
  else
    error ("cka:input:badData",
           "cka_compare: %s must be a matrix of token ids, a struct with input_ids or a function handle",
           what);
  endif
  if (! isempty (mask_opt))
    src.mask = mask_opt;
  endif
  if (ignore_mask)
    src.mask = [];
  endif
  if (isempty (ids))
    error ("cka:input:emptyData", "cka_compare: %s holds no sample", what);
  endif
  check_tokens (ids, src.mask, src.tt, what, models);
  src.ids = double (ids);
  src.total = ceil (rows (ids) / bs);
endfunction

## The token inputs of the data (all of it, or one batch of a function's),
## checked against every model that reads them (ids below each vocabulary,
## sequences no longer than each position table, masks of 0 and 1, token
## types in range) by the reader and batch check of the forward itself
## (__tfm_tokens__), before the first forward: a bad id in the last rows
## fails at once.  Sparse arrays are refused (pass full ()).  Large data is
## read in blocks of rows, named in the message.
function check_tokens (ids, mask, tt, what, models)
  if (isempty (ids))
    error ("cka:input:emptyInput", "cka_compare: a batch of %s holds no token id", what);
  endif
  N = rows (ids);
  step = max (1, floor (2^22 / max (1, columns (ids))));
  for m = models
    for r = 1:step:N
      rr = r:min (r + step - 1, N);
      w = what;
      if (N > step)
        w = sprintf ("%s (rows %d-%d)", what, rr(1), rr(end));
      endif
      __tfm_tokens__ (m{1}, ids(rr,:), block (mask, rr), block (tt, rr), w);
    endfor
  endfor
endfunction

function x = block (x, rr)
  if (! isempty (x) && rows (x) >= rr(end))
    x = x(rr,:);
  endif
endfunction

function [mask, tt] = mask_and_types (d)
  mask = [];  tt = [];
  if (isfield (d, "attention_mask"))
    mask = d.attention_mask;
  endif
  if (isfield (d, "token_type_ids"))
    tt = d.token_type_ids;
  endif
endfunction

function [b, src] = next_batch (src)
  b = [];
  if (strcmp (src.kind, "handle"))
    d = src.fn ();
    if (isempty (d))
      return;
    endif
    if (isnumeric (d))
      d = struct ("input_ids", d);
    elseif (! (isstruct (d) && isscalar (d) && isfield (d, "input_ids")))
      error ("cka:input:badData",
             "cka_compare: the %s function must return a batch struct with input_ids, or []",
             src.what);
    endif
    [mask, tt] = mask_and_types (d);
    if (src.ignore_mask)
      mask = [];
    endif
    check_tokens (d.input_ids, mask, tt, src.what, src.models);
    b = struct ("ids", double (d.input_ids), "mask", mask, "tt", double (tt));
  else
    N = rows (src.ids);
    if (src.pos >= N)
      return;
    endif
    r = src.pos + 1 : min (src.pos + src.bs, N);
    src.pos = r(end);
    b = struct ("ids", src.ids(r,:), "mask", [], "tt", []);
    if (! isempty (src.mask))
      b.mask = src.mask(r,:);
    endif
    if (! isempty (src.tt))
      b.tt = double (src.tt(r,:));
    endif
  endif
  if (src.ignore_mask)
    b.mask = [];
  endif
  if (! isempty (b.mask))
    b.mask = double (b.mask);
  endif
endfunction

%!shared m, g, ids
%! m = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 3,
%!                 "num_attention_heads", 2, "intermediate_size", 32,
%!                 "vocab_size", 50, "max_position_embeddings", 16, "Seed", 1);
%! g = tfm_create ("gpt2", "n_embd", 16, "n_layer", 2, "n_head", 2,
%!                 "vocab_size", 50, "n_positions", 16, "Seed", 2);
%! ids = mod ((0:11)' * 7 + (0:5) * 3, 50);

%!test
%! R = cka_compare (m, [], ids, "BatchSize", 6, "Progress", false);
%! assert (R.layers1, {"encoder.layer.0"; "encoder.layer.1"; "encoder.layer.2"});
%! assert (R.cka, R.cka.', 1e-12);
%! assert (diag (R.cka), ones (3, 1), 1e-5);
%! assert (R.n_batches, 2);
%! assert (R.n_samples, 12);

%!test
%! ## = the accumulators fed with tfm_forward's outputs
%! L2 = {"h.1", "ln_f"};
%! R = cka_compare (m, g, ids, "BatchSize", 6, "Layers2", L2, "Progress", false, ...
%!                  "Kernel", "rbf");
%! S = cka_accumulator (R.layers1, L2, "Kernel", "rbf");
%! for b = 0:1
%!   r = b*6 + (1:6);
%!   [~, a1] = tfm_forward (m, ids(r,:), "Hooks", R.layers1);
%!   [~, a2] = tfm_forward (g, ids(r,:), "Hooks", L2);
%!   S = cka_update (S, a1, a2);
%! endfor
%! assert (R.cka, cka_matrix (S), 1e-10);

%!test
%! ## Dtype single: Gram products in single precision, close to double
%! R = cka_compare (m, [], ids, "BatchSize", 6, "Progress", false);
%! Rs = cka_compare (m, [], ids, "BatchSize", 6, "Progress", false, "Dtype", "single");
%! assert (Rs.cka, R.cka, 1e-4);
%! assert (Rs.config.dtype, "single");

%!test
%! ## NaN/Inf activations are identified errors naming the layer
%! bad = m;
%! k = find (strcmp (bad.names, "encoder.layer.1.output.dense.bias"));
%! bad.weights{k}(1) = NaN;
%! try
%!   cka_compare (bad, [], ids, "BatchSize", 6, "Progress", false);
%!   error ("no error");
%! catch e
%!   assert (e.identifier, "cka:input:nonFinite");
%!   assert (! isempty (strfind (e.message, "encoder.layer.1")));
%! end_try_catch

%!test
%! ## Checkpoint / Resume: a run stopped by an error from the callback
%! ## resumes to the same matrix as an uninterrupted run
%! ids20 = mod ((0:19)' * 7 + (0:5) * 3, 50);
%! ref = cka_compare (m, g, ids20, "BatchSize", 4, "Progress", false);
%! for ext = {".mat", ".json"}
%!   f = [tempname() ext{1}];
%!   unwind_protect
%!     stop = @(k, total, M) assert (k < 3, "stop at batch 3");
%!     try
%!       cka_compare (m, g, ids20, "BatchSize", 4, "Progress", false, ...
%!                    "Checkpoint", f, "CheckpointEvery", 2, "Callback", stop);
%!       error ("no error");
%!     catch e
%!       assert (! isempty (strfind (e.message, "stop at batch 3")));
%!     end_try_catch
%!     C = cka_load (f);
%!     assert (C.checkpoint.batches, 3);    # the batch the callback saw is in
%!     assert (C.n_samples, 12);
%!     assert (! exist ([f ".tmp"], "file"));
%!     R = cka_compare (m, g, ids20, "BatchSize", 4, "Progress", false, ...
%!                      "Resume", f, "Checkpoint", f);
%!     if (strcmp (ext{1}, ".mat"))
%!       assert (R.cka, ref.cka, 0);        # bit-exact
%!     else
%!       assert (R.cka, ref.cka, 1e-12);
%!     endif
%!     assert (R.n_batches, 5);
%!     assert (R.batch_sizes, ref.batch_sizes);
%!     C = cka_load (f);
%!     assert (C.checkpoint.batches, 5);
%!   unwind_protect_cleanup
%!     if (exist (f, "file")) unlink (f); endif
%!   end_unwind_protect
%! endfor

%!test
%! ## CheckpointEvery k: the file is rewritten after batches k, 2k, ...;
%! ## function-handle data is replayed and skipped on resume
%! f = [tempname() ".mat"];
%! unwind_protect
%!   check = @(k, total, M) assert (! (mod (k, 2) == 0 && cka_load (f).checkpoint.batches != k));
%!   R = cka_compare (m, [], ids, "BatchSize", 4, "Progress", false, ...
%!                    "Checkpoint", f, "CheckpointEvery", 2, "Callback", check);
%!   assert (cka_load (f).checkpoint.batches, 3);
%!   R2 = cka_compare (m, [], ids, "BatchSize", 4, "Progress", false, "Resume", f);
%!   assert (R2.cka, R.cka, 0);   # nothing left to add
%! unwind_protect_cleanup
%!   if (exist (f, "file")) unlink (f); endif
%! end_unwind_protect

%!test
%! f = [tempname() ".mat"];
%! unwind_protect
%!   cka_compare (m, [], ids, "BatchSize", 4, "Progress", false, "Checkpoint", f);
%!   try
%!     cka_compare (m, [], ids, "BatchSize", 4, "Progress", false, "Resume", f, "Kernel", "rbf");
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:checkpoint:resumeMismatch");
%!     assert (! isempty (strfind (e.message, "CKA option kernel differs")));
%!   end_try_catch
%!   try
%!     cka_compare (m, [], ids(1:8,:), "BatchSize", 2, "Progress", false, "Resume", f);
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "cka:checkpoint:resumeMismatch");
%!     assert (! isempty (strfind (e.message, "BatchSize 2 vs 4")));
%!   end_try_catch
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect

%!test
%! ## the models are bound once per call (a session), closed on success and
%! ## on every error: 20 interrupted runs leave no session open (at most 16
%! ## can be), and a comparison nested in a Callback has its own session
%! stop = @(k, total, M) error ("test:stop", "stop");
%! for t = 1:20
%!   try
%!     cka_compare (m, [], ids, "BatchSize", 6, "Progress", false, "Callback", stop);
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, "test:stop");
%!   end_try_catch
%! endfor
%! inner = @(k, total, M) assert (cka_compare (g, [], ids, "BatchSize", 6, "Progress", false).n_samples, 12);
%! R = cka_compare (m, [], ids, "BatchSize", 6, "Progress", false, "Callback", inner);
%! assert (R.n_samples, 12);
%! fail ("__cka_compare_batch__ ('batch', -1, struct ('ids', ids, 'mask', [], 'tt', []), [])", "no open comparison session");
%!error <model2 must be a model struct, or \[\]> cka_compare (m, ids)
%!error <model2 must be a model struct, or \[\]> cka_compare (m, ids, "BatchSize", 4)
%!error <token ids are 0-based> cka_compare (m, [], ids + 1, "Progress", false)
%!test
%! ## names of the head model (BertForMaskedLM) are the bare model's
%! r = cka_compare (m, [], ids, "Layers1", {"bert.encoder.layer.0", "encoder.layer.1"},
%!                  "Layers2", {"encoder.layer.0"}, "Progress", false);
%! assert (r.layers1, {"encoder.layer.0"; "encoder.layer.1"});
%! assert (r.cka(1, 1), 1, 1e-6);
%!test
%! ## a self-comparison names both axes after Model1Name
%! R = cka_compare (m, [], ids, "BatchSize", 6, "Model1Name", "BERT", "Progress", false);
%! assert ({R.model1_name, R.model2_name}, {"BERT", "BERT"});
%! R = cka_compare (m, [], ids, "BatchSize", 6, "Model1Name", "A", "Model2Name", "B", "Progress", false);
%! assert ({R.model1_name, R.model2_name}, {"A", "B"});
%!error <Invalid call> cka_compare (1)
%!error id=cka:input:badOption cka_compare (m, [], ids, "Checkpoint", 3)
%!error id=cka:input:badOption cka_compare (m, [], ids, "CheckpointEvery", 0)
%!error id=cka:input:badOption cka_compare (m, [], ids, "Resume", {"x"})
%!error id=cka:io:notFound cka_compare (m, [], ids, "Resume", "/nonexistent/ckpt.mat", "Progress", false)
%!error id=cka:input:notModel cka_compare (struct ("a", 1), [], [1 2 3])
%!error id=cka:input:notModel cka_compare (m, 3, ids)
%!error id=cka:input:emptyData cka_compare (m, [], zeros (0, 4))
%!error id=cka:input:unknownLayer cka_compare (m, [], ids, "Layers1", {"h.0"})
%!test
%! ## one model, only Layers1 given: Layers2 follows, the matrix is square
%! L = tfm_modules (m, "blocks")(1);
%! R = cka_compare (m, [], ids, "BatchSize", 6, "Layers1", L, "Progress", false);
%! assert (size (R.cka), [1 1]);
%! assert (R.layers2, R.layers1);
%!error id=cka:input:unknownOption cka_compare (m, [], ids, "Layer", {"h.0"})
%!error id=cka:input:tooFewSamples cka_compare (m, [], ids, "BatchSize", 3, "Progress", false)
%!error id=cka:input:badOption cka_compare (m, [], @() [], "AttentionMask", ones (2))

%!demo
%! ## a random BERT compared with itself, block by block
%! m = tfm_create ("bert", "hidden_size", 32, "num_hidden_layers", 4,
%!                 "num_attention_heads", 4, "intermediate_size", 64,
%!                 "vocab_size", 200, "Seed", 3);
%! ids = randi ([0 199], 64, 12);
%! R = cka_compare (m, [], ids, "BatchSize", 16);
%! disp (R.cka)
%!error <did you mean "encoder.layer.0"> cka_compare (m, [], ids, "Layers1", {"encoder.layr.0"}, "Progress", false)
%!test
%! ## a last batch too small for the estimator is refused before any forward
%! try
%!   cka_compare (m, [], ids(1:10, :), "BatchSize", 4, "Progress", false,
%!                "Callback", @(k, total, M) error ("test:ran", "batch %d ran", k));
%!   error ("no error");
%! catch e
%!   assert (e.identifier, "cka:input:tooFewSamples");
%!   assert (! isempty (strfind (e.message, "the last batch (3 of 3) would have n = 2")));
%! end_try_catch
%! R = cka_compare (m, [], ids(1:10, :), "BatchSize", 4, "Progress", false, "DropLast", true);
%! assert (R.n_samples, 8);
