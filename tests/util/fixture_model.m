## -*- texinfo -*-
## @deftypefn {} {@var{model} =} fixture_model (@var{name})
## Model struct of the fixture checkpoint tests/fixtures/models/@var{name},
## loaded with tfm_load (its warnings about unused head tensors silenced).
## @end deftypefn
function model = fixture_model (name)
  w = warning ("off", "cka:load:unusedTensors");
  unwind_protect
    model = tfm_load (fixture_path ("models", name));
  unwind_protect_cleanup
    warning (w);
  end_unwind_protect
endfunction
