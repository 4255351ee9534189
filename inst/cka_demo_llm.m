## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {} cka_demo_llm ()
## @deftypefnx {cka} {} cka_demo_llm (@var{outdir})
## @deftypefnx {cka} {} cka_demo_llm (@var{outdir}, @var{Name}, @var{Value}, @dots{})
## @deftypefnx {cka} {@var{results} =} cka_demo_llm (@dots{})
## The "CKA analysis for LLM models" walkthrough: the package's main job.
##
## This is the Octave counterpart of pytorch-cka's @file{llm_usage} notebook,
## section by section, with its sizes: 32 random token sequences of length 64
## over a vocabulary of 1000, in batches of 8; a BERT (hidden 256, 6 layers,
## 4 heads, intermediate 512), a GPT-2 (256, 6 layers, 4 heads) and a
## DistilBERT (256, 3 layers, 4 heads, hidden 512), all with 128 positions;
## linear-kernel unbiased CKA in double precision.
##
## @enumerate
## @item BERT self-similarity: heatmap, and its diagonal printed (about 1).
## @item BERT vs GPT-2: an encoder against a decoder.
## @item BERT (6 layers) vs DistilBERT (3 layers).
## @item Pre-trained vs "fine-tuned" BERT: the fine-tuned copy has Gaussian
## noise of standard deviation 0.1 added to every parameter of its last two
## encoder layers; the layer-wise similarity (the diagonal) is printed and
## drawn as a trend line.
## @item Summary: a 2x2 multi-panel comparison (BERT self, GPT-2 self, BERT
## vs GPT-2, pre vs fine-tuned) with one shared colour bar.
## @item A real trained model: stories260K (a 260 K-parameter Llama trained
## on TinyStories, shipped in the package's @file{data} folder) against an
## untrained twin of the same config (@code{tfm_create (model.config)}) on
## 256 sentences of @emph{Pride and Prejudice} tokenized by its own
## SentencePiece tokenizer, each layer's output mean-pooled over the real
## tokens: the two self-similarity heatmaps side by side, the
## trained-vs-untrained CKA of each layer as a trend (with two untrained
## twins as the control), and a printed reading of what training changes.
## @end enumerate
##
## The figures are written to @var{outdir} (default @file{./cka-demo-out}):
## @file{01_bert_self.png}, @file{02_bert_vs_gpt2.png},
## @file{03_bert_vs_distilbert.png}, @file{04_pretrained_vs_finetuned.png},
## @file{05_finetuning_trend.png}, @file{06_summary.png},
## @file{07_real_self_similarity.png}, @file{08_trained_vs_untrained.png},
## and every result
## as JSON (@file{results_*.json}, see @code{cka_save}).  Progress and the
## printed results go to the console.
##
## Options:
## @table @asis
## @item @qcode{"Model"}
## A Hugging Face model directory (or a model struct) to use instead of the
## random BERT, e.g. a real pretrained checkpoint: it is the model of
## sections 1 and 4 and the left side of sections 2 and 3.  Token ids are
## then drawn below the smallest vocabulary of the models compared.
## @item @qcode{"NumSamples"} (32), @qcode{"BatchSize"} (8), @qcode{"SeqLength"} (64), @qcode{"VocabSize"} (1000)
## The data: @var{NumSamples} sequences of @var{SeqLength} token ids.
## @item @qcode{"Seed"} (0)
## Seed of the random weights (@code{tfm_create}), of the token ids and of
## the fine-tuning noise.
## @item @qcode{"NoiseStd"} (0.1)
## Standard deviation of the simulated fine-tuning perturbation.
## @item @qcode{"Format"} (@qcode{"png"})
## Figure format: @qcode{"png"}, @qcode{"svg"} or @qcode{"pdf"}.
## @item @qcode{"Progress"} (@code{true})
## Show @code{cka_compare}'s progress bars.
## @item @qcode{"RealModel"} (the shipped stories260K)
## The trained model of section 6: a folder holding a checkpoint and its
## tokenizer, or a struct with fields @code{model} and @code{tokenizer};
## @qcode{""} skips section 6.
## @item @qcode{"NumSentences"} (256)
## How many sentences section 6 uses (at most the 300 shipped).
## @end table
##
## @var{results}, if requested, is a struct with the @code{cka_compare}
## results @code{bert_self}, @code{bert_vs_gpt2}, @code{bert_vs_distilbert},
## @code{finetune}, @code{gpt2_self}, those of section 6 (@code{real_self},
## @code{twin_self}, @code{real_vs_twin}, @code{twin_vs_twin}) and the list
## of @code{files} written.
##
## @example
## cka_demo_llm ("cka-demo-out")              # what `make demo` runs
## cka_demo_llm ("out", "NumSamples", 16)     # a quicker run
## @end example
## @seealso{cka_compare, tfm_create, plot_cka_heatmap, plot_cka_trend, plot_cka_comparison}
## @end deftypefn

function results = cka_demo_llm (outdir = "cka-demo-out", varargin)
  if (! (ischar (outdir) && isrow (outdir)))
    error ("cka:input:badArgument", "cka_demo_llm: OUTDIR must be a folder name");
  endif
  opts = parse_options ("cka_demo_llm",
                        struct ("Model", [], "NumSamples", 32, "BatchSize", 8,
                                "SeqLength", 64, "VocabSize", 1000, "Seed", 0,
                                "NoiseStd", 0.1, "Format", "png",
                                "Progress", true, "RealModel", data_path ("stories260K"),
                                "NumSentences", 256), varargin);
  for f = {"NumSamples", "BatchSize", "SeqLength", "VocabSize", "NumSentences"}
    v = opts.(f{1});
    if (! (isnumeric (v) && isscalar (v) && v == fix (v) && v >= 1))
      error ("cka:input:badOption", "cka_demo_llm: %s must be a positive integer", f{1});
    endif
  endfor
  if (! any (strcmpi (opts.Format, {"png", "svg", "pdf"})))
    error ("cka:input:badOption", "cka_demo_llm: Format must be \"png\", \"svg\" or \"pdf\"");
  endif
  if (! isfolder (outdir))
    [ok, msg] = mkdir (outdir);
    if (! ok)
      error ("cka:io:mkdir", "cka_demo_llm: cannot create the folder %s: %s", outdir, msg);
    endif
  endif
  ext = ["." lower(opts.Format)];
  files = {};
  cfg = cka_config ("Kernel", "linear", "Unbiased", true, "Dtype", "double");
  common = {"Config", cfg, "BatchSize", opts.BatchSize, "Progress", opts.Progress};

  banner ("CKA analysis for LLM models (octave-cka)");
  ## -- models ---------------------------------------------------------------
  npos = 128;
  if (isempty (opts.Model))
    bert = tfm_create ("bert", "hidden_size", 256, "num_hidden_layers", 6,
                       "num_attention_heads", 4, "intermediate_size", 512,
                       "vocab_size", opts.VocabSize,
                       "max_position_embeddings", npos,
                       "Seed", opts.Seed, "Name", "BERT");
  elseif (ischar (opts.Model))
    bert = tfm_load (opts.Model);
    printf ("Using the checkpoint %s (%s) instead of the random BERT\n",
            opts.Model, bert.arch);
  elseif (isstruct (opts.Model))
    bert = opts.Model;
  else
    error ("cka:input:badOption",
           "cka_demo_llm: Model must be a model directory or a model struct");
  endif
  gpt2 = tfm_create ("gpt2", "n_embd", 256, "n_layer", 6, "n_head", 4,
                     "vocab_size", opts.VocabSize, "n_positions", npos,
                     "Seed", opts.Seed + 1, "Name", "GPT-2");
  distil = tfm_create ("distilbert", "dim", 256, "n_layers", 3, "n_heads", 4,
                       "hidden_dim", 512, "vocab_size", opts.VocabSize,
                       "max_position_embeddings", npos,
                       "Seed", opts.Seed + 2, "Name", "DistilBERT");
  bname = bert.name;
  models = {bert, gpt2, distil};
  vocab = min (cellfun (@(m) m.config.vocab_size, models));
  maxlen = min (cellfun (@tfm_max_positions, models));
  if (opts.SeqLength > maxlen)
    error ("cka:input:sequenceTooLong",
           "cka_demo_llm: SeqLength %d exceeds the position table of a model (%d)",
           opts.SeqLength, maxlen);
  endif

  ## -- data: random token ids, as the notebook's create_text_dataloader --------
  ids = random_ids (opts.Seed, opts.NumSamples, opts.SeqLength, vocab);
  printf ("Data: %d sequences x %d tokens (ids in [0, %d)), batches of %d -> %d batches\n",
          opts.NumSamples, opts.SeqLength, vocab, opts.BatchSize,
          ceil (opts.NumSamples / opts.BatchSize));
  bert_layers = tfm_modules (bert, "blocks");
  gpt2_layers = tfm_modules (gpt2, "blocks");
  distil_layers = tfm_modules (distil, "blocks");
  printf ("%s layers: %s\n", bname, strjoin (bert_layers', ", "));

  ## -- 1. self-similarity ----------------------------------------------------------
  banner (sprintf ("1. Self-similarity of %s", bname));
  R1 = cka_compare (bert, [], ids, common{:}, "Layers1", bert_layers,
                    "Model1Name", bname, "Model2Name", bname);
  printf ("Matrix size: %dx%d\n", rows (R1.cka), columns (R1.cka));
  printf ("Diagonal (should be ~1.0): %s\n", vec2str (diag (R1.cka)));
  files{end+1} = save_heatmap (R1, outdir, ["01_bert_self" ext],
                               "Title", sprintf ("%s Self-Similarity", bname),
                               "Annot", true, "AnnotFmt", ".2f",
                               "MaskUpper", true, "LayerNameDepth", 2);

  ## -- 2. cross-architecture ---------------------------------------------------------
  banner (sprintf ("2. Cross-architecture: %s vs GPT-2", bname));
  printf ("GPT-2 layers: %s\n", strjoin (gpt2_layers', ", "));
  R2 = cka_compare (bert, gpt2, ids, common{:}, "Layers1", bert_layers,
                    "Layers2", gpt2_layers, "Model1Name", bname,
                    "Model2Name", "GPT-2");
  printf ("Matrix size: %dx%d\n", rows (R2.cka), columns (R2.cka));
  files{end+1} = save_heatmap (R2, outdir, ["02_bert_vs_gpt2" ext],
                               "Title", sprintf ("%s vs GPT-2", bname),
                               "Annot", true, "LayerNameDepth", 2);

  ## -- 3. model size ------------------------------------------------------------------
  banner (sprintf ("3. Model size: %s (%d layers) vs DistilBERT (%d layers)",
                   bname, numel (bert_layers), numel (distil_layers)));
  R3 = cka_compare (bert, distil, ids, common{:}, "Layers1", bert_layers,
                    "Layers2", distil_layers,
                    "Model1Name", sprintf ("%s (%d layers)", bname, numel (bert_layers)),
                    "Model2Name", sprintf ("DistilBERT (%d layers)", numel (distil_layers)));
  printf ("Matrix size: %dx%d\n", rows (R3.cka), columns (R3.cka));
  [~, best] = max (R3.cka, [], 1);
  for j = 1:numel (distil_layers)
    printf ("  %s is closest to %s (CKA %.3f)\n", distil_layers{j},
            bert_layers{best(j)}, R3.cka(best(j), j));
  endfor
  files{end+1} = save_heatmap (R3, outdir, ["03_bert_vs_distilbert" ext],
                               "Title", "Model Size Comparison",
                               "Annot", true, "LayerNameDepth", 2);

  ## -- 4. pre-trained vs fine-tuned ------------------------------------------------------
  banner ("4. Pre-trained vs fine-tuned");
  [tuned, perturbed] = perturb_last_layers (bert, bert_layers, opts.NoiseStd, opts.Seed);
  printf ("Fine-tuned copy: N(0, %g^2) noise added to %d parameters of %s\n",
          opts.NoiseStd, numel (perturbed), strjoin (bert_layers(end-1:end)', " and "));
  R4 = cka_compare (bert, tuned, ids, common{:}, "Layers1", bert_layers,
                    "Layers2", bert_layers, "Model1Name", "Pre-trained",
                    "Model2Name", "Fine-tuned");
  layer_sim = diag (R4.cka);
  printf ("Layer-wise similarity (diagonal):\n");
  for l = 1:numel (layer_sim)
    printf ("  %-18s %.4f%s\n", bert_layers{l}, layer_sim(l),
            cka_ifelse (l > numel (layer_sim) - 2, "   <- perturbed", ""));
  endfor
  files{end+1} = save_heatmap (R4, outdir, ["04_pretrained_vs_finetuned" ext],
                               "Title", sprintf ("Pre-trained vs Fine-tuned %s", bname),
                               "Annot", true, "LayerNameDepth", 2);
  f = fullfile (outdir, ["05_finetuning_trend" ext]);
  fig = plot_cka_trend (layer_sim', "Labels", {"Layer Similarity"},
                        "XLabel", "Layer Index", "YLabel", "CKA Similarity",
                        "Title", "Fine-tuning Impact by Layer",
                        "File", f, "Visible", false);
  close (fig);
  files{end+1} = f;
  printf ("wrote %s\n", f);

  ## -- summary -------------------------------------------------------------------------------
  banner ("Summary: multi-panel comparison");
  R5 = cka_compare (gpt2, [], ids, common{:}, "Progress", false,
                    "Layers1", gpt2_layers, "Model1Name", "GPT-2",
                    "Model2Name", "GPT-2");
  printf ("GPT-2 self-similarity diagonal: %s\n", vec2str (diag (R5.cka)));
  f = fullfile (outdir, ["06_summary" ext]);
  fig = plot_cka_comparison ({R1, R5, R2, R4},
                             {sprintf("%s Self", bname), "GPT-2 Self", ...
                              sprintf("%s vs GPT-2", bname), "Pre vs Fine-tuned"},
                             "NCols", 2, "ShareColorbar", true, "LayerNameDepth", 2,
                             "FigSize", [12 10], "File", f, "Visible", false);
  close (fig);
  files{end+1} = f;
  printf ("wrote %s\n", f);

  names = {"bert_self", "bert_vs_gpt2", "bert_vs_distilbert", "finetune", "gpt2_self"};
  res = {R1, R2, R3, R4, R5};

  ## -- 6. a real trained model against its untrained twin -------------------------------
  if (! isempty (opts.RealModel))
    [real, twin, twin2, tok] = real_models (opts.RealModel, opts.Seed);
    banner (sprintf ("6. A real trained model: %s vs its untrained twin", real.name));
    texts = austen_sentences (opts.NumSentences);
    all_names = tfm_modules (real);
    layers = [all_names(2), tfm_modules(real, "blocks")'];   # the embeddings, then every block
    printf ("%s (%s, %d parameters, trained) and an untrained twin: the same config,\n",
            real.name, real.arch, sum (cellfun (@numel, real.weights)));
    printf ("weights drawn as Hugging Face initialises them (tfm_create (model.config))\n");
    printf ("Data: %d sentences of Pride and Prejudice, tokenized by the model's own tokenizer;\n",
            numel (texts));
    printf ("each layer's output mean-pooled over the real tokens of a sentence\n");
    ## The twin's embeddings are N(0, 0.02^2): mean-pooled, their HSIC is
    ## ~1e-8, below pytorch-cka's epsilon 1e-6, which would shrink even their
    ## self-similarity; a smaller epsilon keeps CKA what it should be.
    cfg6 = cka_config ("Config", cfg, "Epsilon", 1e-12);
    c6 = {"Config", cfg6, "BatchSize", 32, "Progress", opts.Progress, "Pooling", "mean", ...
          "Tokenizer1", tok, "Tokenizer2", tok, "Layers1", layers, "Layers2", layers};
    Rt = cka_compare (real, [], texts, c6{:}, "Model1Name", "trained", "Model2Name", "trained");
    Ru = cka_compare (twin, [], texts, c6{:}, "Model1Name", "untrained",
                      "Model2Name", "untrained");
    Rx = cka_compare (real, twin, texts, c6{:}, "Model1Name", "trained",
                      "Model2Name", "untrained");
    Rc = cka_compare (twin2, twin, texts, c6{:}, "Model1Name", "untrained (seed 2)",
                      "Model2Name", "untrained");
    f = fullfile (outdir, ["07_real_self_similarity" ext]);
    fig = plot_cka_comparison ({Rt, Ru}, {sprintf("%s (trained)", real.name), ...
                                          "untrained twin"},
                               "NCols", 2, "ShareColorbar", true, "FigSize", [12 5],
                               "File", f, "Visible", false);
    close (fig);
    files{end+1} = f;
    printf ("wrote %s\n", f);
    f = fullfile (outdir, ["08_trained_vs_untrained" ext]);
    fig = plot_cka_trend ([diag(Rx.cka)'; diag(Rc.cka)'],
                          "Labels", {"trained vs untrained", "untrained vs untrained (control)"},
                          "Colors", {"#1f77b4", "#7f7f7f"}, "LineStyles", {"-", "--"},
                          "XLabel", sprintf ("Layer (0 = %s, then the blocks)", layers{1}),
                          "YLabel", "CKA, same layer", "Title",
                          sprintf ("What training changes, layer by layer (%s)", real.name),
                          "File", f, "Visible", false);
    close (fig);
    files{end+1} = f;
    printf ("wrote %s\n", f);
    print_reading (layers, Rt.cka, Ru.cka, diag (Rx.cka), diag (Rc.cka));
    names = [names, {"real_self", "twin_self", "real_vs_twin", "twin_vs_twin"}];
    res = [res, {Rt, Ru, Rx, Rc}];
  endif
  for k = 1:numel (names)
    f = fullfile (outdir, sprintf ("results_%s.json", names{k}));
    cka_save (res{k}, f);
    files{end+1} = f;
  endfor
  banner ("Key observations");
  printf ("%s\n", strjoin ({ ...
    "1. Self-similarity: the diagonal is ~1.0 and neighbouring layers are the most similar.", ...
    "2. Cross-architecture: different designs can still share representations at similar depths.", ...
    "3. Model size: one DistilBERT layer may correspond to several BERT layers.", ...
    "4. Fine-tuning: early layers stay put; the perturbed late layers drift apart.", ...
    "5. A real trained model: training reshapes every block (see the reading of section 6)."}, "\n"));
  printf ("\nAll figures and results are in %s\n", outdir);
  if (nargout > 0)
    results = cell2struct (res(:), names(:), 1);
    results.files = files(:);
  endif
endfunction

## The real model (a folder or a model struct; tokenizer from its folder),
## and two untrained twins.
function [real, twin, twin2, tok] = real_models (where, seed)
  if (isstruct (where) && isfield (where, "model") && isfield (where, "tokenizer"))
    real = where.model;
    tok = where.tokenizer;
  elseif (ischar (where) && isrow (where))
    real = tfm_load (where);
    tok = tfm_tokenizer (where);
  else
    error ("cka:input:badOption",
           "cka_demo_llm: RealModel must be a model folder with its tokenizer, a struct with fields model and tokenizer, or \"\" to skip section 6");
  endif
  twin = tfm_create (real.config, "Seed", seed + 3, "Name", "untrained twin");
  twin2 = tfm_create (real.config, "Seed", seed + 4, "Name", "untrained twin 2");
endfunction

function texts = austen_sentences (n)
  texts = strsplit (strtrim (fileread (data_path ("austen", "sentences.txt"))), "\n");
  texts = regexprep (texts(1:min (n, numel (texts))), '\r$', "");
endfunction

function p = data_path (varargin)
  p = fullfile (fileparts (mfilename ("fullpath")), "data", varargin{:});
endfunction

## What the numbers of section 6 say, in words (every statement computed).
function print_reading (layers, St, Su, dx, dc)
  adj = @(S) mean (diag (S, 1));
  printf ("\nSelf-similarity of neighbouring layers (mean): trained %.2f, untrained %.2f\n",
          adj (St), adj (Su));
  printf ("CKA(%s, last block): trained %.2f, untrained %.2f\n", layers{1}, St(1, end),
          Su(1, end));
  printf ("CKA(last two blocks): trained %.2f, untrained %.2f\n", St(end-1, end), Su(end-1, end));
  printf ("Same layer, trained vs untrained:   %s\n", vec2str (dx));
  printf ("Same layer, untrained vs untrained: %s  (control)\n", vec2str (dc));
  printf ("\nReading:\n");
  if (St(end-1, end) < Su(end-1, end))
    printf ("- In the untrained twin the deep blocks barely change the residual stream (CKA %.2f\n  between the last two); training makes the last block break away (%.2f): it turns\n  the representation towards predicting the next token.\n",
            Su(end-1, end), St(end-1, end));
  else
    printf ("- The last two blocks are as similar in the trained model (%.2f) as in the twin (%.2f).\n",
            St(end-1, end), Su(end-1, end));
  endif
  [~, lo] = min (dx(2:end));
  printf ("- Trained and untrained agree most at %s (%.2f): mean-pooled embeddings of the same\n  tokens share the sentences' word statistics, whatever the weights. Deeper, agreement\n  falls (lowest %.2f at %s).\n",
          layers{1}, dx(1), dx(lo + 1), layers{lo + 1});
  if (mean (dx(2:end)) <= mean (dc(2:end)) + 0.1)
    printf ("- In the blocks the trained model is no closer to its untrained twin (mean %.2f)\n  than two untrained twins are to each other (mean %.2f): the architecture alone\n  explains nothing of what the trained blocks compute; training made it.\n",
            mean (dx(2:end)), mean (dc(2:end)));
  else
    printf ("- In the blocks the trained model stays closer to its untrained twin (mean %.2f)\n  than two untrained twins are to each other (mean %.2f).\n",
            mean (dx(2:end)), mean (dc(2:end)));
  endif
endfunction

function banner (txt)
  printf ("\n== %s %s\n", txt, repmat ("=", 1, max (3, 72 - numel (txt))));
endfunction

function s = vec2str (v)
  s = ["[" strjoin(arrayfun (@(x) sprintf ("%.4f", x), v(:)', "uniformoutput", false), ", ") "]"];
endfunction

function ids = random_ids (seed, n, len, vocab)
  ## Octave's generator with a fixed state, restored afterwards so the
  ## demo does not disturb the caller's random stream.
  old = rand ("state");
  rand ("state", seed);
  ids = floor (rand (n, len) * vocab);
  rand ("state", old);
endfunction

function [m, perturbed] = perturb_last_layers (m, blocks, noise_std, seed)
  ## Every parameter of the last two blocks gets N(0, noise_std^2) noise,
  ## as the notebook's torch.randn_like(param) * 0.1.
  prefixes = strcat (blocks(end-1:end), ".");
  old = randn ("state");
  randn ("state", seed + 7);
  perturbed = {};
  for k = 1:numel (m.names)
    if (any (strncmp (m.names{k}, prefixes, cellfun (@numel, prefixes))))
      w = tfm_cast (m, m.names{k});        # single, whatever the storage
      m.weights{k} = w + single (noise_std * randn (size (w)));
      perturbed{end+1} = m.names{k};
    endif
  endfor
  randn ("state", old);
  m.name = [m.name " (fine-tuned)"];
endfunction

function f = save_heatmap (R, outdir, file, varargin)
  f = fullfile (outdir, file);
  fig = plot_cka_heatmap (R, varargin{:}, "File", f, "Visible", false);
  close (fig);
  printf ("wrote %s\n", f);
endfunction

%!test
%! d = tempname ();
%! unwind_protect
%!   evalc ('r = cka_demo_llm (d, "NumSamples", 8, "BatchSize", 4, "SeqLength", 8, "Progress", false, "NumSentences", 16)');
%!   for k = 1:numel (r.files)
%!     assert (exist (r.files{k}, "file"), 2);
%!   endfor
%!   assert (numel (r.files), 17);
%!   ## section 6: trained and untrained self-similarity, 6 x 6 (embeddings + 5 blocks)
%!   assert (size (r.real_self.cka), [6 6]);
%!   assert (diag (r.real_self.cka), ones (6, 1), 1e-6);
%!   assert (diag (r.twin_self.cka), ones (6, 1), 1e-3);   # tiny HSIC of random embeddings
%!   assert (r.real_vs_twin.layers1{1}, "embed_tokens");
%!   assert (r.real_self.n_samples, 16);
%!   ## self-similarity diagonal ~1 (up to pytorch-cka's epsilon)
%!   assert (diag (r.bert_self.cka), ones (6, 1), 1e-6);
%!   assert (size (r.bert_vs_distilbert.cka), [6 3]);
%!   ## the perturbation leaves the first four layers untouched
%!   assert (diag (r.finetune.cka)(1:4), ones (4, 1), 1e-6);
%!   assert (all (diag (r.finetune.cka)(5:6) < 0.999));
%! unwind_protect_cleanup
%!   close all;
%!   confirm_recursive_rmdir (false, "local");
%!   if (isfolder (d)) rmdir (d, "s"); endif
%! end_unwind_protect

%!error <OUTDIR> cka_demo_llm (3)
%!error id=cka:input:unknownOption cka_demo_llm (tempname (), "Sample", 3)
%!error id=cka:input:badOption cka_demo_llm (tempname (), "Format", "gif")
%!error id=cka:input:badOption cka_demo_llm (tempname (), "NumSamples", 0)
%!error id=cka:input:badOption cka_demo_llm (tempname (), "NumSentences", 0)
