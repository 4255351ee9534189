## Forward passes of the fixture checkpoints (loaded with tfm_load) against
## the Hugging Face reference outputs (tests/fixtures/acts/*.mat,
## transformers 4.31, float32): every hook point, with and without padding,
## BERT token types, F16 weights, and every hub layout of the same weights
## (prefixed head checkpoints, gamma/beta names, shards, legacy buffers);
## GPT-NeoX and Llama (with their stored rotary_emb.inv_freq buffers).
## Tolerance per hook: max|got - ref| <= 1e-5 * max(1, max|ref|).

%!function check_all_hooks (name, acts_name)
%!  if (nargin < 2)
%!    acts_name = name;
%!  endif
%!  model = fixture_model (name);
%!  d = load (fixture_path ("acts", [acts_name ".mat"]));
%!  [names, hookable] = tfm_modules (model);
%!  assert (names(hookable), d.names);
%!  assert (names(! hookable), d.skipped_names);
%!  [last, acts] = tfm_forward (model, d.input_ids, "AttentionMask", d.attention_mask,
%!                              "Hooks", d.names);
%!  for k = 1:numel (d.names)
%!    ref = d.acts{k};
%!    got = acts{k};
%!    assert (class (got), "single");
%!    assert (isequal (size (got), size (ref)), sprintf ("%s: size", d.names{k}));
%!    err = max (abs (double (got(:)) - double (ref(:))));
%!    tol = 1e-5 * max (1, max (abs (ref(:))));
%!    assert (err <= tol, sprintf ("%s %s: max error %g > %g", name, d.names{k}, err, tol));
%!  endfor
%!  assert (last, d.last_hidden_state, 1e-5 * max (1, max (abs (d.last_hidden_state(:)))));
%!  nomask = tfm_forward (model, d.input_ids);
%!  ref = d.nomask_last_hidden_state;
%!  assert (nomask, ref, 1e-5 * max (1, max (abs (ref(:)))));
%!endfunction

%!test check_all_hooks ("bert");
%!test check_all_hooks ("gpt2");
%!test check_all_hooks ("distilbert");
%!test check_all_hooks ("gpt_neox");
%!test check_all_hooks ("llama");
%!test check_all_hooks ("bert_f16");
%!test check_all_hooks ("bert_sharded", "bert");
%!test check_all_hooks ("bert_pretraining", "bert");
%!test check_all_hooks ("bert_legacy_gamma_beta", "bert");
%!test check_all_hooks ("gpt2_lmhead", "gpt2");
%!test check_all_hooks ("gpt2_lmhead_tied", "gpt2");
%!test check_all_hooks ("gpt2_legacy_buffers", "gpt2");
%!test check_all_hooks ("distilbert_mlm", "distilbert");

%!test
%! ## BERT with explicit token type ids
%! for name = {"bert", "bert_f16"}
%!   model = fixture_model (name{1});
%!   d = load (fixture_path ("acts", [name{1} ".mat"]));
%!   [h, a] = tfm_forward (model, d.input_ids, "AttentionMask", d.attention_mask,
%!                         "TokenTypeIds", d.tt_token_type_ids, "Hooks", "pooler");
%!   assert (h, d.tt_last_hidden_state, 1e-5 * max (1, max (abs (d.tt_last_hidden_state(:)))));
%!   assert (a{1}, d.tt_pooler_output, 1e-5);
%!   [~, a] = tfm_forward (model, d.input_ids, "Hooks", {"pooler"});
%!   assert (a{1}, d.nomask_pooler_output, 1e-5);
%! endfor

%!test
%! ## ids of any class; the pass may stop early with the same values
%! model = fixture_model ("gpt2");
%! d = load (fixture_path ("acts", "gpt2.mat"));
%! [~, a1] = tfm_forward (model, int64 (d.input_ids), "AttentionMask", logical (d.attention_mask),
%!                        "Hooks", {"h.1.mlp.act", "wpe"});
%! [~, a2] = tfm_forward (model, single (d.input_ids), "AttentionMask", d.attention_mask,
%!                        "Hooks", {"h.1.mlp.act", "wpe"});
%! assert (a1, a2);
%! assert (a1{1}, d.acts{strcmp (d.names, "h.1.mlp.act")}, 1e-5);
%! assert (a1{2}, d.acts{strcmp (d.names, "wpe")});

%!test
%! ## the same hook requested twice, in any order
%! model = fixture_model ("distilbert");
%! d = load (fixture_path ("acts", "distilbert.mat"));
%! hooks = {"transformer.layer.1", "embeddings", "transformer.layer.1"};
%! [~, a] = tfm_forward (model, d.input_ids, "AttentionMask", d.attention_mask, "Hooks", hooks);
%! assert (size (a), [1 3]);
%! assert (a{1}, a{3});
%! assert (a{2}, d.acts{strcmp (d.names, "embeddings")}, 1e-5);
