## -*- texinfo -*-
## @deftypefn {} {@var{file} =} ckpt_fixture (@var{dir}, @var{name})
## A damaged checkpoint or results file for the rows of
## tests/test_bad_inputs.m (test helper), made in @var{dir} on first use:
## @table @file
## @item ck_run.mat
## a checkpoint of a run of bad_inputs_fixtures' BERT over its ids
## (BatchSize 4) stopped after batch 1;
## @item ck_edited.mat
## the same with its header's batch count edited to 2;
## @item shard.mat
## shard 1 of 2 of a run of that BERT over its ids (BatchSize 4);
## @item other-model
## a model folder (tfm_save) of a small random GPT-2;
## @item text.mat
## Octave's text format with a function handle (never to be loaded);
## @item nan_sums.mat, str_sums.json, bad_counts.mat
## results with a NaN sum, a string as a sum, n_samples not the sum of
## batch_sizes.
## @end table
## @end deftypefn
function file = ckpt_fixture (dir, name)
  file = fullfile (dir, name);
  if (exist (file, "file"))
    return;
  endif
  if (! exist (dir, "dir"))
    mkdir (dir);                  # rows after the file's clean-up block
  endif
  F = struct ("m", tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 2,
                               "num_attention_heads", 2, "intermediate_size", 32,
                               "vocab_size", 50, "max_position_embeddings", 8, "Seed", 1),
              "ids", mod ((0:7)' * 7 + (0:5) * 3, 50));
  S = cka_update (cka_accumulator (1, 1), {randn(8, 5)}, {randn(8, 5)});
  switch (name)
    case {"ck_run.mat", "ck_edited.mat"}
      ck = fullfile (dir, "ck_run.mat");
      if (! exist (ck, "file"))
        try
          cka_compare (F.m, [], F.ids, "BatchSize", 4, "Progress", false, "Checkpoint", ck,
                       "Callback", @(k, t, M) assert (k < 1, "stop"));
        catch
        end_try_catch
      endif
      if (strcmp (name, "ck_edited.mat"))
        R = cka_load (ck);
        R.checkpoint.batches = 2;
        save ("-v7", file, "R");
      endif
    case "shard.mat"
      cka_save (cka_compare (F.m, [], F.ids, "BatchSize", 4, "Shard", [1 2], "Progress", false),
                file);
    case "other-model"
      tfm_save (tfm_create ("gpt2", "n_embd", 8, "n_layer", 1, "n_head", 2, "vocab_size", 50,
                            "n_positions", 8, "Seed", 3), file);
    case "text.mat"
      fid = fopen (file, "w");
      fputs (fid, ["# Created by Octave 7.3.0\n# name: R\n# type: scalar struct\n" ...
                   "# ndims: 2\n 1 1\n# length: 1\n# name: a\n# type: function handle\n" ...
                   "@<anonymous>\n{disp('ckpt_fixture: this text ran'), @() 1}{2}\n\n\n"]);
      fclose (fid);
    case "nan_sums.mat"
      R = setfield (S, "hsic_xy", NaN);
      save ("-v7", file, "R");
    case "str_sums.json"
      cka_save (S, file);
      txt = regexprep (fileread (file), '"hsic_xy":[^,]+', '"hsic_xy":"abc"');
      fid = fopen (file, "w");  fputs (fid, txt);  fclose (fid);
    case "bad_counts.mat"
      R = setfield (S, "n_samples", 9);
      save ("-v7", file, "R");
    otherwise
      error ("ckpt_fixture: unknown fixture %s", name);
  endswitch
endfunction
