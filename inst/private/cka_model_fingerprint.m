## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {[@var{config}, @var{weights}] =} cka_model_fingerprint (@var{model})
## Fingerprints (16 hex digits each) of what a model computes: its
## architecture, the config fields its architecture reads (in the
## registry's order; metadata such as @code{architectures} or
## @code{torch_dtype}, which @code{tfm_save} adds, is left out, so a model
## saved and loaded again is the same model) and its parameter names; and
## its weights.  Checkpoints, shards and the workers that load a model by
## path compare them.
##
## A model a shard worker received or loaded carries them already (field
## @code{cka_fingerprint}, set by the worker after it checked them): that
## saves hashing all the weights again for every shard.
## @end deftypefn

function [cfg, w] = cka_model_fingerprint (m)
  if (isfield (m, "cka_fingerprint"))
    [cfg, w] = m.cka_fingerprint{:};
    return;
  endif
  fields = {__tfm_arch__("describe", m.arch).fields.name};
  used = struct ();
  for f = fields(isfield (m.config, fields))
    used.(f{1}) = m.config.(f{1});
  endfor
  cfg = __cka_hash__ ({m.arch, used, m.names});
  w = __cka_hash__ ({m.weights});
endfunction
