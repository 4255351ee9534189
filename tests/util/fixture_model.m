## -*- texinfo -*-
## @deftypefn {} {@var{model} =} fixture_model (@var{name})
## Model struct of the fixture checkpoint tests/fixtures/models/@var{name}
## (bare keys, one model.safetensors): the sizes from config.json go through
## tfm_create (for the complete config and the parameter names), the weights
## come from safetensors_read (test helper; tfm_load is the public loader).
## @end deftypefn
function model = fixture_model (name)
  dir = fixture_path ("models", name);
  given = jsondecode (fileread (fullfile (dir, "config.json")));
  arch = given.model_type;
  skip = {"architectures", "torch_dtype", "transformers_version", "model_type", ...
          "summary_activation", "summary_first_dropout", "summary_proj_to_labels", ...
          "summary_type", "summary_use_proj"};
  args = {};
  for f = fieldnames (given)'
    if (! any (strcmp (f{1}, skip)))
      args(end+1:end+2) = {f{1}, given.(f{1})};
    endif
  endfor
  model = tfm_create (arch, args{:}, "Name", name);
  model.weights = safetensors_read (fullfile (dir, "model.safetensors"), model.names);
  model.weights = model.weights(:);
endfunction
