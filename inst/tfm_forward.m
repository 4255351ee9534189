## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{last_hidden} =} tfm_forward (@var{model}, @var{input_ids})
## @deftypefnx {cka} {[@var{last_hidden}, @var{acts}] =} tfm_forward (@var{model}, @var{input_ids}, @var{Name}, @var{Value}, @dots{})
## Forward pass of a transformer @var{model}, capturing the output of any
## named module (the layer outputs CKA compares).
##
## @var{model} is a model struct from @code{tfm_create} or @code{tfm_load}
## (BERT, GPT-2 or DistilBERT).  @var{input_ids} is a @code{[batch, seq]}
## array of 0-based token ids, as in Hugging Face, of any integer or floating
## class (the values must be integers in @code{[0, vocab_size)}).  Ids,
## masks and token types must be full arrays: a sparse one is the error
## @code{cka:input:type} (pass @code{full (x)}).
## The computation is that of Hugging Face @code{transformers} (v4.31, eval
## mode, float32): every hook output matches it to about 1e-6 relative.
##
## @var{last_hidden} is the @code{last_hidden_state}, a @code{single}
## @code{[batch, seq, hidden]} array.
##
## Options (case-insensitive, snake_case accepted):
##
## @table @asis
## @item @qcode{"AttentionMask"}
## @code{[batch, seq]}, 1 for real tokens and 0 for padding (default: none,
## every token attended), numeric or logical; any other value (NaN, 0.5) is
## the error @code{cka:input:badMask}.  Padding is handled as Hugging Face does: BERT adds
## @code{(1 - mask) * -realmax ("single")} to the attention scores,
## DistilBERT sets the scores of masked keys to @code{-realmax ("single")},
## GPT-2 applies its causal mask and then adds the padding term.  Outputs at
## padded positions are computed (not zeroed) exactly like Hugging Face's.
##
## @item @qcode{"TokenTypeIds"}
## @code{[batch, seq]} segment ids (BERT: in @code{[0, type_vocab_size)},
## default zeros; GPT-2: looked up in the word embedding @code{wte} and
## added after the positions, as Hugging Face does; the @qcode{"wte"} hook
## then reports the lookup of @var{input_ids}, the first of its two calls).
## DistilBERT has none.
##
## @item @qcode{"Hooks"}
## A module name or a cellstr of names, exactly PyTorch
## @code{named_modules()} names of the bare model (@code{tfm_modules} lists
## them): e.g.@: @qcode{"embeddings"}, @qcode{"encoder.layer.3"},
## @qcode{"h.2.mlp"}, @qcode{"transformer.layer.1.ffn"}, @qcode{""} for the
## model output.  @code{@var{acts}@{k@}} is what a PyTorch forward hook on
## @code{Hooks@{k@}} sees (the first element of a tuple), as a @code{single}
## array in the PyTorch shape: @code{[batch, seq, hidden]} for most modules,
## @code{[batch, heads, seq, seq]} attention probabilities for the attention
## dropout modules, @code{[1, seq, hidden]} for position embeddings,
## @code{[batch, hidden]} for the BERT pooler.  Unknown names are errors that
## suggest the closest names; ModuleList containers (@qcode{"encoder.layer"},
## @qcode{"h"}, @qcode{"transformer.layer"}) never run a forward and are
## errors too.
## @end table
##
## When the first output is not wanted (@code{[~, acts] = tfm_forward
## (@dots{})}), the pass stops right after the last requested hook.
##
## @example
## @group
## model = tfm_create ("bert", "hidden_size", 32, "num_hidden_layers", 2,
##                     "num_attention_heads", 4, "intermediate_size", 64,
##                     "vocab_size", 100, "Seed", 1);
## ids = [1 5 7 9; 2 4 0 0];
## mask = [1 1 1 1; 1 1 0 0];
## [h, acts] = tfm_forward (model, ids, "AttentionMask", mask,
##                          "Hooks", @{"encoder.layer.0", "pooler"@});
## size (acts@{1@})     # [2 4 32]
## @end group
## @end example
##
## @seealso{tfm_create, tfm_load, tfm_modules}
## @end deftypefn

function [last_hidden, acts] = tfm_forward (model, input_ids, varargin)
  if (nargin < 2)
    print_usage ();
  endif
  opts = parse_options ("tfm_forward", struct ("AttentionMask", [], "TokenTypeIds", [],
                                               "Hooks", {{}}), varargin);
  if (! (isnumeric (input_ids) && isreal (input_ids) && ndims (input_ids) == 2))
    error ("cka:input:idsShape",
           "tfm_forward: INPUT_IDS must be a real numeric [batch, seq] matrix");
  endif
  hooks = opts.Hooks;
  if (! (ischar (hooks) || iscellstr (hooks) || (isnumeric (hooks) && isempty (hooks))))
    error ("cka:input:badHooks",
           "tfm_forward: Hooks must be a module name or a cellstr of names");
  endif
  if (ischar (hooks))
    hooks = {hooks};
  endif
  need_last = nargout < 2 || isargout (1);
  [last_hidden, acts] = __tfm_forward__ (model, input_ids, opts.AttentionMask,
                                         opts.TokenTypeIds, hooks(:), need_last);
  if (! isempty (hooks))
    acts = reshape (acts, size (hooks));
  endif
endfunction

%!shared model, ids
%! model = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 2,
%!                     "num_attention_heads", 2, "intermediate_size", 32,
%!                     "vocab_size", 50, "max_position_embeddings", 8, "Seed", 3);
%! ids = [1 2 3 4 5; 6 7 8 0 0];

%!test
%! [h, acts] = tfm_forward (model, ids, "Hooks", {"embeddings", "encoder.layer.1", ""});
%! assert (class (h), "single");
%! assert (size (h), [2 5 16]);
%! assert (acts{3}, h);
%! assert (acts{2}, h);
%! assert (size (acts{1}), [2 5 16]);

%!test
%! ## integer classes and double give the same result
%! h1 = tfm_forward (model, ids);
%! h2 = tfm_forward (model, int32 (ids));
%! h3 = tfm_forward (model, uint8 (ids));
%! assert (h1, h2);
%! assert (h1, h3);

%!test
%! ## shapes of special hooks
%! [~, a] = tfm_forward (model, ids, "Hooks",
%!                       {"encoder.layer.0.attention.self.dropout", ...
%!                        "embeddings.position_embeddings", "pooler", ...
%!                        "encoder.layer.0.intermediate"});
%! assert (size (a{1}), [2 2 5 5]);
%! assert (sum (a{1}, 4), ones (2, 2, 5, "single"), 1e-6);
%! assert (size (a{2}), [1 5 16]);
%! assert (size (a{3}), [2 16]);
%! assert (size (a{4}), [2 5 32]);

%!test
%! ## padding: rows without padding do not change; masked keys get 0 weight
%! mask = [1 1 1 1 1; 1 1 1 0 0];
%! [h0] = tfm_forward (model, ids);
%! [h1, a] = tfm_forward (model, ids, "AttentionMask", mask,
%!                        "Hooks", "encoder.layer.1.attention.self.dropout");
%! assert (h1(1,:,:), h0(1,:,:), 1e-6);
%! assert (max (abs (h1(2,1:3,:)(:) - h0(2,1:3,:)(:))) > 1e-4);
%! assert (all (all (a{1}(2,:,:,4:5) == 0)));

%!test
%! ## token types change BERT's output
%! h0 = tfm_forward (model, ids);
%! h1 = tfm_forward (model, ids, "TokenTypeIds", [0 0 1 1 1; 0 1 1 1 1]);
%! assert (max (abs (h0(:) - h1(:))) > 1e-3);
%! h2 = tfm_forward (model, ids, "token_type_ids", zeros (2, 5));
%! assert (h2, h0);

%!test
%! ## GPT-2: causal, so a later token does not change earlier outputs
%! g = tfm_create ("gpt2", "n_embd", 16, "n_layer", 2, "n_head", 4,
%!                 "vocab_size", 50, "n_positions", 8, "Seed", 2);
%! h1 = tfm_forward (g, [1 2 3 4]);
%! h2 = tfm_forward (g, [1 2 3 9]);
%! assert (h1(1,1:3,:), h2(1,1:3,:), 1e-6);
%! [~, a] = tfm_forward (g, [1 2 3 4], "Hooks", "h.0.attn.attn_dropout");
%! assert (squeeze (a{1}(1,1,1,:))', single ([1 0 0 0]));

%!test
%! ## GPT-2 token types are looked up in the word embeddings (wte), added after
%! ## the positions; hook "wte" reports the lookup of the ids
%! g = tfm_create ("gpt2", "n_embd", 8, "n_layer", 1, "n_head", 2,
%!                 "vocab_size", 30, "n_positions", 6, "Seed", 4);
%! gids = [3 4 5; 6 7 8];
%! tt = [1 1 2; 0 0 9];
%! [~, a] = tfm_forward (g, gids, "TokenTypeIds", tt, "Hooks", {"wte", "drop"});
%! wte = g.weights{1};
%! wpe = g.weights{2};
%! x = permute (reshape (wte(gids' + 1, :), 3, 2, 8), [2 1 3]);
%! assert (a{1}, x);
%! want = (x + reshape (wpe(1:3, :), 1, 3, 8)) ...
%!        + permute (reshape (wte(tt' + 1, :), 3, 2, 8), [2 1 3]);
%! assert (a{2}, want, 1e-6);

%!error <unknown hook "encoder.layer.0.atention".*did you mean "encoder.layer.0.attention"> ...
%!  tfm_forward (model, ids, "Hooks", {"encoder.layer.0.atention"})
%!error id=cka:input:unknownHook tfm_forward (model, ids, "Hooks", {"h.0"})
%!error id=cka:input:containerHook tfm_forward (model, ids, "Hooks", {"encoder.layer"})
%!error id=cka:input:tokenOutOfRange tfm_forward (model, [1 50])
%!error id=cka:input:tokenOutOfRange tfm_forward (model, [-1 2])
%!error id=cka:input:nonIntegerIds tfm_forward (model, [1 2.5])
%!error id=cka:input:sequenceTooLong tfm_forward (model, ones (1, 9))
%!error id=cka:input:maskShape tfm_forward (model, ids, "AttentionMask", ones (2, 4))
%!error id=cka:input:tokenTypeShape tfm_forward (model, ids, "TokenTypeIds", ones (5, 2))
%!error id=cka:input:tokenTypeOutOfRange tfm_forward (model, ids, "TokenTypeIds", 2 * ones (2, 5))
%!error id=cka:input:unknownOption tfm_forward (model, ids, "Mask", ones (2, 5))
%!error id=cka:input:idsShape tfm_forward (model, ones (2, 2, 2))
%!error id=cka:input:emptyInput tfm_forward (model, zeros (0, 3))
%!error id=cka:input:emptyInput tfm_forward (model, zeros (2, 0))
%!error id=cka:input:badMask tfm_forward (model, ids, "AttentionMask", [1 1 1 1 NaN; 1 1 1 0 0])
%!error id=cka:input:badMask tfm_forward (model, ids, "AttentionMask", [1 1 1 1 0.5; 1 1 1 0 0])
%!error id=cka:input:badMask tfm_forward (model, ids, "AttentionMask", [1 1 1 1 Inf; 1 1 1 0 0])
%!error id=cka:input:type tfm_forward (model, sparse (ids))
%!error id=cka:input:type tfm_forward (model, ids, "AttentionMask", sparse ([1 1 1 1 1; 1 1 1 0 0]))
%!error id=cka:input:type tfm_forward (model, ids, "TokenTypeIds", sparse ([0 0 1 1 1; 0 1 1 1 1]))
%!error id=cka:input:nonIntegerIds tfm_forward (model, ids, "TokenTypeIds", [NaN 0 1 1 1; 0 1 1 1 1])
%!error id=cka:input:nonIntegerIds tfm_forward (model, ids, "TokenTypeIds", [0.5 0 1 1 1; 0 1 1 1 1])
%!error id=cka:input:type tfm_forward (model, ids, "AttentionMask", {1})
%!test
%! ## a mask of any numeric class or logical gives the same result
%! mask = [1 1 1 1 1; 1 1 1 0 0];
%! h = tfm_forward (model, ids, "AttentionMask", mask);
%! assert (tfm_forward (model, ids, "AttentionMask", logical (mask)), h);
%! assert (tfm_forward (model, ids, "AttentionMask", int8 (mask)), h);
%! assert (tfm_forward (model, ids, "AttentionMask", single (mask)), h);
%! assert (tfm_forward (model, int64 (ids), "TokenTypeIds", uint8 (mask)),
%!         tfm_forward (model, ids, "TokenTypeIds", mask));
%!error id=cka:input:tokenTypes ...
%! tfm_forward (tfm_create ("distilbert", "dim", 8, "n_layers", 1, "n_heads", 2,
%!              "hidden_dim", 16, "vocab_size", 10), [1 2], "TokenTypeIds", [0 0])
%!test
%! m = model;
%! m.weights{3} = m.weights{3}(:, 1:end-1);
%! fail ("tfm_forward (m, ids)", "cka:input:badWeight|token_type_embeddings");
%!test
%! m = model;
%! m.names{1} = "word_embeddings";
%! try
%!   tfm_forward (m, ids);
%!   error ("no error");
%! catch e
%!   assert (e.identifier, "cka:input:missingWeight");
%!   assert (! isempty (strfind (e.message, "embeddings.word_embeddings.weight")));
%! end_try_catch
%!test
%! m = model;
%! m.weights{5} = double (m.weights{5});
%! fail ("tfm_forward (m, ids)", "single");
%!error id=cka:config:unknownArch tfm_forward (setfield (model, "arch", "t5"), ids)

%!demo
%! ## Capture every block of a small random GPT-2 for a padded batch.
%! model = tfm_create ("gpt2", "n_embd", 64, "n_layer", 4, "n_head", 4,
%!                     "vocab_size", 500, "Seed", 1);
%! ids = [17 42 99 3 0 0; 5 6 7 8 9 10];
%! mask = [1 1 1 1 0 0; 1 1 1 1 1 1];
%! blocks = tfm_modules (model, "blocks");
%! [h, acts] = tfm_forward (model, ids, "AttentionMask", mask, "Hooks", blocks);
%! for k = 1:numel (blocks)
%!   printf ("%-4s %s  mean |x| = %.3f\n", blocks{k}, mat2str (size (acts{k})),
%!           mean (abs (acts{k}(:))));
%! endfor
%! printf ("last_hidden_state %s\n", mat2str (size (h)));
%!error <did you mean "encoder.layer.0", > tfm_forward (tfm_create ("bert", "hidden_size", 8, "num_hidden_layers", 1, "num_attention_heads", 2, "intermediate_size", 8, "vocab_size", 20), 1:3, "Hooks", "layer.0")
