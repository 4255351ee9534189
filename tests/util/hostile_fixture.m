## -*- texinfo -*-
## @deftypefn  {} {@var{path} =} hostile_fixture (@var{name})
## @deftypefnx {} {} hostile_fixture ("cleanup")
## A hostile file or folder for the rows of tests/test_bad_inputs.m
## (section "hostile files"), made on first use in a folder of this process
## under @code{tempdir} (test helper).  @qcode{"cleanup"} removes that folder.
## Every case is safe in-process: it ends in an error, never a crash or a
## wait (the FIFOs have no writer and are opened without waiting).
##
## @var{name}: @qcode{"deep_config"}, @qcode{"fifo_config"},
## @qcode{"dup_config"}, @qcode{"dup_index"} (model folders),
## @qcode{"deep_header"}, @qcode{"dup_field_header"},
## @qcode{"dup_name_header"} (safetensors files), @qcode{"huge_id_vocab"},
## @qcode{"huge_id_added"}, @qcode{"deep_tokenizer"}, @qcode{"dup_vocab"},
## @qcode{"fifo_merges"} (tokenizer folders).
## @end deftypefn
function path = hostile_fixture (name)
  root = fullfile (tempdir (), sprintf ("cka-hostile-%d", getpid ()));
  if (strcmp (name, "cleanup"))
    if (isfolder (root))
      confirm_recursive_rmdir (false, "local");
      rmdir (root, "s");
    endif
    path = "";
    return;
  endif
  path = fullfile (root, name);
  if (exist (path, "file") || isfolder (path))
    return;
  endif
  if (! isfolder (root))
    mkdir (root);
  endif
  N = 100000;
  deep = [repmat('{"a":', 1, N) '1' repmat('}', 1, N)];
  cfg = '{"model_type": "bert", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 32, "vocab_size": 20}';
  entry = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
  mg = "#version: 0.2\na b\n";
  switch (name)
    case "deep_config"
      folder (path, {"config.json", deep, "model.safetensors", ""});
    case "fifo_config"
      folder (path, {"config.json", -1, "model.safetensors", ""});
    case "dup_config"
      folder (path, {"config.json", strrep(cfg, '"hidden_size"', '"hidden_size": 16, "hidden_siz\u0065"'), ...
                     "model.safetensors", ""});
    case "dup_index"
      folder (path, {"config.json", cfg, "model-1.safetensors", "", "model.safetensors.index.json", ...
                     '{"weight_map": {"a.weight": "model-1.safetensors", "a.weigh\u0074": "model-1.safetensors"}}'});
    case "deep_header"
      st_file (path, ['{"__metadata__":' deep '}'], 0);
    case "dup_field_header"
      st_file (path, '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"data_offset\u0073":[0,4]}}', 4);
    case "dup_name_header"
      st_file (path, ['{"w":' entry ',"\u0077":' entry '}'], 4);
    case "huge_id_vocab"
      folder (path, {"vocab.json", '{"a": 0, "<|endoftext|>": 99999999}', "merges.txt", mg});
    case "huge_id_added"
      folder (path, {"vocab.txt", "[UNK]\na\n", "added_tokens.json", '{"x": 99999999}'});
    case "deep_tokenizer"
      folder (path, {"tokenizer.json", deep});
    case "dup_vocab"
      folder (path, {"vocab.json", '{"a": 0, "b": 1, "ab": 2, "<|endoftext|>": 3, "\u0061": 4}', "merges.txt", mg});
    case "fifo_merges"
      folder (path, {"vocab.json", '{"a": 0, "b": 1, "ab": 2, "<|endoftext|>": 3}', "merges.txt", -1});
    otherwise
      error ("hostile_fixture: unknown fixture '%s'", name);
  endswitch
endfunction

function folder (d, files)
  mkdir (d);
  for k = 1:2:numel (files)
    f = fullfile (d, files{k});
    if (isequal (files{k+1}, -1))
      [st, out] = system (sprintf ("mkfifo '%s'", f));
      if (st != 0)
        error ("hostile_fixture: mkfifo failed: %s", out);
      endif
    else
      fid = fopen (f, "w");  fwrite (fid, files{k+1});  fclose (fid);
    endif
  endfor
endfunction

function st_file (f, hdr, nbytes)
  fid = fopen (f, "w");
  fwrite (fid, typecast (uint64 (numel (hdr)), "uint8"));
  fwrite (fid, hdr);
  fwrite (fid, zeros (1, nbytes, "uint8"));
  fclose (fid);
endfunction
