## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{names} =} tfm_modules (@var{model})
## @deftypefnx {cka} {[@var{names}, @var{hookable}] =} tfm_modules (@var{model})
## @deftypefnx {cka} {@var{blocks} =} tfm_modules (@var{model}, @qcode{"blocks"})
## Names of the modules of @var{model} that @code{tfm_forward} can hook (the layers CKA can compare).
##
## @var{names} is a column cellstr, exactly PyTorch's
## @code{named_modules()} of the bare Hugging Face model (@code{BertModel},
## @code{RobertaModel}, @code{GPT2Model}, @code{DistilBertModel},
## @code{GPTNeoXModel}, @code{LlamaModel}, transformers 4.31; Qwen2 and
## Mistral with Llama's names), in its (registration) order, starting with
## @qcode{""}, the model itself.
## @var{hookable} is false for the @code{ModuleList} containers
## (@qcode{"encoder.layer"}, @qcode{"h"}, @qcode{"transformer.layer"},
## @qcode{"layers"}),
## which never run a forward and cannot be hooked; @code{names(hookable)}
## is the list of every hook point.
##
## With @qcode{"blocks"}, @var{blocks} has one name per layer:
## @qcode{"encoder.layer.@var{i}"} (BERT), @qcode{"h.@var{i}"} (GPT-2),
## @qcode{"transformer.layer.@var{i}"} (DistilBERT), @var{i} = 0, 1, @dots{}
##
## @example
## @group
## model = tfm_create ("gpt2", "n_embd", 32, "n_layer", 2, "n_head", 4,
##                     "vocab_size", 100);
## tfm_modules (model, "blocks")
## names = tfm_modules (model);  names(1:5)
## @end group
## @end example
##
## @seealso{tfm_forward, tfm_create, tfm_load}
## @end deftypefn

function [names, hookable] = tfm_modules (model, which)
  if (nargin < 1 || nargin > 2)
    print_usage ();
  endif
  [names, hookable, blocks] = __tfm_modules__ (model);
  if (nargin == 2)
    if (! (ischar (which) && strcmpi (which, "blocks")))
      error ("cka:input:badOption",
             "tfm_modules: the second argument must be \"blocks\"");
    endif
    names = blocks;
    hookable = true (size (blocks));
  endif
endfunction

%!test
%! m = tfm_create ("bert", "hidden_size", 8, "num_hidden_layers", 3,
%!                 "num_attention_heads", 2, "intermediate_size", 16, "vocab_size", 10);
%! [n, hk] = tfm_modules (m);
%! assert (numel (n), 12 + 18 * 3);
%! assert (n{1}, "");
%! assert (n(1:4), {""; "embeddings"; "embeddings.word_embeddings"; ...
%!                  "embeddings.position_embeddings"});
%! assert (n(! hk), {"encoder.layer"});
%! assert (n{end}, "pooler.activation");
%! assert (tfm_modules (m, "blocks"), {"encoder.layer.0"; "encoder.layer.1"; "encoder.layer.2"});
%!test
%! m = tfm_create ("gpt2", "n_embd", 8, "n_layer", 2, "n_head", 2, "vocab_size", 10);
%! [n, hk] = tfm_modules (m);
%! assert (numel (n), 6 + 13 * 2);
%! assert (n(! hk), {"h"});
%! assert (n(6:9), {"h.0"; "h.0.ln_1"; "h.0.attn"; "h.0.attn.c_attn"});
%! assert (tfm_modules (m, "Blocks"), {"h.0"; "h.1"});
%!test
%! m = tfm_create ("distilbert", "dim", 8, "n_layers", 2, "n_heads", 2,
%!                 "hidden_dim", 16, "vocab_size", 10);
%! [n, hk] = tfm_modules (m);
%! assert (numel (n), 8 + 14 * 2);
%! assert (n(! hk), {"transformer.layer"});
%! assert (n{11}, "transformer.layer.0.attention.dropout");
%! assert (tfm_modules (m, "blocks"), {"transformer.layer.0"; "transformer.layer.1"});
%!error id=cka:input:badOption tfm_modules (tfm_create ("gpt2", "n_layer", 1, "n_embd", 8, "n_head", 2, "vocab_size", 5), "layers")
%!error id=cka:input:badModel tfm_modules (struct ("arch", "bert"))
%!error id=cka:config:unknownArch tfm_modules (struct ("arch", "t5", "config", struct (), "names", {{}}, "weights", {{}}))
