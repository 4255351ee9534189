## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## The figures of pytorch-cka's examples/llm_usage.ipynb, with the notebook's
## exact option combinations, rendered headless to PNG, SVG and PDF.  The
## matrices are the fixtures' linear unbiased CKA results (4 decimals), so
## the pictures look like the real ones (negative values included).

%!shared bert_self, gpt2_self, bert_vs_gpt2, bert_vs_distilbert, bert_vs_finetuned, L_bert, L_gpt2, L_distil
%! bert_self = [1 0.7847 0.6803 0.5971; 0.7847 1 0.8312 0.7562; ...
%!              0.6803 0.8312 1 0.9015; 0.5971 0.7562 0.9015 1];
%! gpt2_self = [1 0.8957 0.7672 0.737; 0.8957 1 0.9022 0.8391; ...
%!              0.7672 0.9022 1 0.9347; 0.737 0.8391 0.9347 1];
%! bert_vs_gpt2 = [-0.09598 -0.132 -0.237 -0.2218; -0.0711 -0.07544 -0.1156 -0.1248; ...
%!                 0.02424 0.004533 -0.08648 -0.1061; 0.04891 0.01444 -0.05379 -0.07541];
%! bert_vs_distilbert = [0.3267 0.26; 0.305 0.3094; 0.283 0.2926; 0.3076 0.2974];
%! bert_vs_finetuned = [1 0.7847 0.5577 0.3924; 0.7847 1 0.7652 0.5712; ...
%!                      0.6803 0.8312 0.8064 0.6307; 0.5971 0.7562 0.7999 0.7018];
%! L_bert = {"encoder.layer.0", "encoder.layer.1", "encoder.layer.2", "encoder.layer.3"};
%! L_gpt2 = {"h.0", "h.1", "h.2", "h.3"};
%! L_distil = {"transformer.layer.0", "transformer.layer.1"};

%!function check_file (f, fmt, px)
%!  assert (exist (f, "file") == 2);
%!  assert (stat (f).size > 2000);
%!  switch (fmt)
%!    case "png"
%!      assert (size (imread (f)), [px(2), px(1), 3]);
%!    case "svg"
%!      txt = fileread (f);
%!      assert (! isempty (strfind (txt, "<svg")) && ! isempty (strfind (txt, "</svg>")));
%!    case "pdf"
%!      fid = fopen (f, "r");  head = fread (fid, 5, "char=>char")';  fclose (fid);
%!      assert (head, "%PDF-");
%!  endswitch
%!endfunction

## Heatmaps of sections 1-4 of the notebook
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! d = tempname ();
%! mkdir (d);
%! unwind_protect
%!   ## 1. BERT self-similarity: annot, annot_fmt, mask_upper, layer_name_depth
%!   f = fullfile (d, "self.png");
%!   [fig, ax] = plot_cka_heatmap (bert_self, "layers1", L_bert, "layers2", L_bert, ...
%!                                 "model1_name", "BERT", "model2_name", "BERT", ...
%!                                 "title", "BERT Self-Similarity", "annot", true, ...
%!                                 "annot_fmt", ".2f", "mask_upper", true, ...
%!                                 "layer_name_depth", 2, "File", f);
%!   check_file (f, "png", [600 500]);
%!   assert (numel (findobj (ax, "tag", "cka_annot")), 10);
%!   img = imread (f);
%!   p = get (ax, "position") .* [600 500 600 500];
%!   for r = 1:4
%!     for c = r+1:4                         # masked cells: background white
%!       y = round (500 - p(2) - p(4) + (r - 0.7) / 4 * p(4));
%!       x = round (p(1) + (c - 0.7) / 4 * p(3));
%!       assert (squeeze (img(y, x, :))', uint8 ([255 255 255]));
%!     endfor
%!   endfor
%!   close (fig);
%!   ## 2. BERT vs GPT-2, annotated, negative values
%!   f = fullfile (d, "cross.svg");
%!   [fig, ax] = plot_cka_heatmap (bert_vs_gpt2, "layers1", L_bert, "layers2", L_gpt2, ...
%!                                 "model1_name", "BERT", "model2_name", "GPT-2", ...
%!                                 "title", "BERT vs GPT-2", "annot", true, ...
%!                                 "layer_name_depth", 2, "File", f);
%!   check_file (f, "svg");
%!   assert (any (strcmp (get (findobj (ax, "tag", "cka_annot"), "string"), "-0.24")));
%!   close (fig);
%!   ## 3. Model size comparison (4 x 2)
%!   f = fullfile (d, "size.pdf");
%!   [fig, ax] = plot_cka_heatmap (bert_vs_distilbert, "layers1", L_bert, ...
%!                                 "layers2", L_distil, "model1_name", "BERT (6 layers)", ...
%!                                 "model2_name", "DistilBERT (3 layers)", ...
%!                                 "title", "Model Size Comparison", "annot", true, ...
%!                                 "layer_name_depth", 2, "File", f);
%!   check_file (f, "pdf");
%!   assert (get (findobj (ax, "tag", "cka_xlabel"), "string"), "DistilBERT (3 layers) Layers");
%!   close (fig);
%!   ## 4. Pre-trained vs fine-tuned
%!   f = fullfile (d, "finetune.png");
%!   [fig, ax] = plot_cka_heatmap (bert_vs_finetuned, "layers1", L_bert, "layers2", L_bert, ...
%!                                 "model1_name", "Pre-trained", "model2_name", "Fine-tuned", ...
%!                                 "title", "Pre-trained vs Fine-tuned BERT", "annot", true, ...
%!                                 "layer_name_depth", 2, "File", f);
%!   check_file (f, "png", [600 500]);
%!   assert (numel (findobj (ax, "tag", "cka_annot")), 16);
%! unwind_protect_cleanup
%!   close all;
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect

## The trend of section 4 and the summary comparison grid
%!test
%! warning ("off", "Octave:gnuplot-graphics", "local");
%! d = tempname ();
%! mkdir (d);
%! unwind_protect
%!   f = fullfile (d, "trend.png");
%!   [fig, ax] = plot_cka_trend (diag (bert_vs_finetuned), "labels", {"Layer Similarity"}, ...
%!                               "xlabel", "Layer Index", "ylabel", "CKA Similarity", ...
%!                               "title", "Fine-tuning Impact by Layer", "File", f);
%!   check_file (f, "png", [1000 600]);
%!   assert (get (ax, "ylim"), [0 1.05]);
%!   close (fig);
%!   f = fullfile (d, "summary.png");
%!   [fig, axs] = plot_cka_comparison ({bert_self, gpt2_self, bert_vs_gpt2, bert_vs_finetuned}, ...
%!                                     {"BERT Self", "GPT-2 Self", "BERT vs GPT-2", ...
%!                                      "Pre vs Fine-tuned"}, "ncols", 2, ...
%!                                     "share_colorbar", true, "figsize", [12, 10], "File", f);
%!   check_file (f, "png", [1200 1000]);
%!   lims = [min(bert_vs_gpt2(:)), 1];
%!   for a = axs(:)'
%!     assert (get (a, "clim"), lims);
%!   endfor
%!   assert (numel (findobj (fig, "tag", "cka_colorbar")), 1);
%!   ## the value 1 (diagonal of the self and fine-tuned panels) has one
%!   ## colour in every panel
%!   img = imread (f);
%!   panels = axs';                          # row by row, as the titles
%!   panels = panels([1 2 4]);
%!   c = zeros (3, 3);
%!   for k = 1:3
%!     p = get (panels(k), "position") .* [1200 1000 1200 1000];
%!     c(k,:) = squeeze (img(round (1000 - p(2) - p(4) + 0.3 / 4 * p(4)),
%!                           round (p(1) + 0.3 / 4 * p(3)), :))';
%!   endfor
%!   assert (c(2:3,:), repmat (c(1,:), 2, 1));
%!   assert (c(1,:), [252 253 191]);         # the top of magma
%! unwind_protect_cleanup
%!   close all;
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect
