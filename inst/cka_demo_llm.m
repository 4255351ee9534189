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
## @end enumerate
##
## The figures are written to @var{outdir} (default @file{./cka-demo-out}):
## @file{01_bert_self.png}, @file{02_bert_vs_gpt2.png},
## @file{03_bert_vs_distilbert.png}, @file{04_pretrained_vs_finetuned.png},
## @file{05_finetuning_trend.png}, @file{06_summary.png}, and every result
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
## @end table
##
## @var{results}, if requested, is a struct with the @code{cka_compare}
## results @code{bert_self}, @code{bert_vs_gpt2}, @code{bert_vs_distilbert},
## @code{finetune}, @code{gpt2_self} and the list of @code{files} written.
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
                                "Progress", true), varargin);
  for f = {"NumSamples", "BatchSize", "SeqLength", "VocabSize"}
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
    "4. Fine-tuning: early layers stay put; the perturbed late layers drift apart."}, "\n"));
  printf ("\nAll figures and results are in %s\n", outdir);
  if (nargout > 0)
    results = cell2struct (res(:), names(:), 1);
    results.files = files(:);
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
      w = m.weights{k};
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
%!   evalc ('r = cka_demo_llm (d, "NumSamples", 8, "BatchSize", 4, "SeqLength", 8, "Progress", false)');
%!   for k = 1:numel (r.files)
%!     assert (exist (r.files{k}, "file"), 2);
%!   endfor
%!   assert (numel (r.files), 11);
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
