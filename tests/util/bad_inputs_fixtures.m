## -*- texinfo -*-
## @deftypefn {} {@var{F} =} bad_inputs_fixtures ()
## Shared inputs of tests/test_bad_inputs.m and of the generator of
## doc/bad-inputs.md (test helper): tiny models, ids, and a temporary folder
## @code{F.dir} with broken files (truncated, corrupt header, not
## safetensors, bad JSON, a folder without weights).
## @end deftypefn
function F = bad_inputs_fixtures ()
  F.m = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 2,
                    "num_attention_heads", 2, "intermediate_size", 32,
                    "vocab_size", 50, "max_position_embeddings", 8, "Seed", 1);
  F.g = tfm_create ("gpt2", "n_embd", 16, "n_layer", 2, "n_head", 2,
                    "vocab_size", 50, "n_positions", 8, "Seed", 2);
  F.ids = mod ((0:7)' * 7 + (0:5) * 3, 50);
  F.X = randn (8, 5);
  F.S = cka_update (cka_accumulator (1, 1), {F.X}, {F.X});
  F.dir = tempname ();
  mkdir (F.dir);
  d = F.dir;
  ## a valid checkpoint, then damaged copies of its weights
  tfm_save (F.m, fullfile (d, "good"));
  bytes = read_bytes (fullfile (d, "good", "model.safetensors"));
  write_bytes (fullfile (d, "truncated.safetensors"), bytes(1:end-100));
  write_bytes (fullfile (d, "header_cut.safetensors"), bytes(1:200));
  bad = bytes;  bad(9) = uint8 ("[");
  write_bytes (fullfile (d, "corrupt.safetensors"), bad);
  write_bytes (fullfile (d, "huge_header.safetensors"), [uint8([255 255 255 255 0 0 0 0]) uint8("{}")]);
  write_bytes (fullfile (d, "text.safetensors"), uint8 ("hello, not a safetensors file"));
  write_bytes (fullfile (d, "empty.safetensors"), uint8 ([]));
  ## a header claiming one 1 TB tensor, over a sparse file of that size
  hdr = sprintf ('{"w":{"dtype":"F32","shape":[%d],"data_offsets":[0,%d]}}', 2^38, 2^40);
  f = fullfile (d, "terabyte.safetensors");
  write_bytes (f, [typecast(uint64 (numel (hdr)), "uint8"), uint8(hdr)]);
  [st, out] = system (sprintf ("truncate -s %d '%s'", 8 + numel (hdr) + 2^40, f));
  if (st != 0)
    error ("bad_inputs_fixtures: cannot make a sparse file: %s", out);
  endif
  ## a model folder whose weights are truncated
  mkdir (fullfile (d, "partial"));
  copyfile (fullfile (d, "good", "config.json"), fullfile (d, "partial", "config.json"));
  write_bytes (fullfile (d, "partial", "model.safetensors"), bytes(1:end-100));
  ## a model folder with a corrupt config.json
  mkdir (fullfile (d, "badconfig"));
  write_bytes (fullfile (d, "badconfig", "config.json"), uint8 ("{\"model_type\": \"bert\", "));
  copyfile (fullfile (d, "good", "model.safetensors"), fullfile (d, "badconfig", "model.safetensors"));
  ## a model folder with a config but no weights
  mkdir (fullfile (d, "noweights"));
  copyfile (fullfile (d, "good", "config.json"), fullfile (d, "noweights", "config.json"));
  ## a checkpoint of two layers (plain accumulator, not from cka_compare)
  cka_save (cka_accumulator (2), fullfile (d, "ck.mat"));
  ## result files
  write_bytes (fullfile (d, "bad.json"), uint8 ("{not json"));
  write_bytes (fullfile (d, "other.json"), uint8 ("{\"a\": 1}"));
  write_bytes (fullfile (d, "bad.mat"), uint8 ("garbage, not a MAT file"));
  ## tokenizers: toy ones, and folders with broken tokenizer files
  F.bert = tfm_tokenizer (struct ("vocab", {{"[PAD]"; "[UNK]"; "[CLS]"; "[SEP]"; "[MASK]"; "a"; "##b"}}));
  F.gpt2 = tfm_tokenizer (struct ("vocab", {{"a"; "b"; "ab"; "<|endoftext|>"}}, "merges", {{"a", "b"}}));
  tk = @(name) fullfile (d, name);
  mkdir (tk ("tok_badutf8"));  write_bytes (fullfile (tk ("tok_badutf8"), "vocab.txt"), uint8 ("[UNK]\nab\xffc\n"));
  mkdir (tk ("tok_empty"));  write_bytes (fullfile (tk ("tok_empty"), "vocab.txt"), uint8 ([]));
  mkdir (tk ("tok_nounk"));  write_bytes (fullfile (tk ("tok_nounk"), "vocab.txt"), uint8 ("a\nb\n"));
  mkdir (tk ("tok_badmerges"));
  write_bytes (fullfile (tk ("tok_badmerges"), "vocab.json"), uint8 ("{\"a\": 0, \"b\": 1, \"ab\": 2}"));
  write_bytes (fullfile (tk ("tok_badmerges"), "merges.txt"), uint8 ("#version: 0.2\na b c\n"));
  mkdir (tk ("tok_badjson"));
  write_bytes (fullfile (tk ("tok_badjson"), "vocab.json"), uint8 ("{\"a\": 0, "));
  write_bytes (fullfile (tk ("tok_badjson"), "merges.txt"), uint8 ("#version: 0.2\na b\n"));
  mkdir (tk ("tok_nomerges"));
  write_bytes (fullfile (tk ("tok_nomerges"), "vocab.json"), uint8 ("{\"a\": 0}"));
  ## SentencePiece: a tokenizer.model cut short, one that is no protobuf
  spm = read_bytes (stories260k_path ("tokenizer.model"));
  mkdir (tk ("tok_spmtrunc"));  write_bytes (fullfile (tk ("tok_spmtrunc"), "tokenizer.model"), spm(1:3000));
  mkdir (tk ("tok_spmtext"));
  write_bytes (fullfile (tk ("tok_spmtext"), "tokenizer.model"), uint8 ("<unk>\t0\n<s>\t0\n"));
  ## byte-level tokenizer.json (Qwen2 shape): a Split pattern the package
  ## does not know, a pre-tokenizer it does not know
  qj = char (read_bytes (fixture_path ("tokenizers", "bpe-json", "qwen2", "tokenizer.json")));
  mkdir (tk ("tok_splitpat"));
  write_bytes (fullfile (tk ("tok_splitpat"), "tokenizer.json"), uint8 (strrep (qj, "(?i:", "(?:")));
  mkdir (tk ("tok_pretok"));
  write_bytes (fullfile (tk ("tok_pretok"), "tokenizer.json"),
               uint8 (strrep (qj, '"type": "Split"', '"type": "Punctuation"')));
  F.spm = tfm_tokenizer (struct ("type", "spm", "vocab", {{"<unk>"; "<s>"; "</s>"; "a"}}));
  F.spm.pad_token = "";   # Hugging Face's LlamaTokenizer: no padding token
  ## a folder nobody can write (root may write anywhere on disk; /proc never)
  F.rodir = "/proc/cka-read-only";
endfunction

function b = read_bytes (f)
  fid = fopen (f, "r");  b = fread (fid, Inf, "uint8=>uint8")';  fclose (fid);
endfunction

function write_bytes (f, b)
  fid = fopen (f, "w");  fwrite (fid, b, "uint8");  fclose (fid);
endfunction
