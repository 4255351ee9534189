## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {@var{model} =} ref_model_from_dir (@var{dir})
## @deftypefnx {} {@var{model} =} ref_model_from_dir (@var{dir}, @var{arch})
## Model struct for @code{ref_decoder_forward} from a checkpoint folder with
## @file{config.json} and one @file{model.safetensors} (test helper):
## @code{config} is the jsondecode of config.json, @code{names} and
## @code{weights} every tensor of the file as stored (no prefix stripped,
## nothing dropped; the reference ignores what it does not use).
## @var{arch} defaults to the config's @code{model_type}.
## @end deftypefn
function model = ref_model_from_dir (dir, arch)
  config = jsondecode (fileread (fullfile (dir, "config.json")));
  if (nargin < 2 || isempty (arch))
    arch = config.model_type;
  endif
  [weights, names] = safetensors_read (fullfile (dir, "model.safetensors"));
  model = struct ("arch", arch, "config", config);
  model.names = names;
  model.weights = weights;
endfunction
