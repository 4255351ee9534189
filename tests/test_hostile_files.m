## Hostile files (design.md, "Files, security and bad input"): JSON nested
## 100,000 levels deep, FIFOs where a file is expected, ids that would
## allocate gigabytes, duplicate keys spelled with \u escapes.  Each case
## runs in its own child octave-cli under a SIGKILL timeout
## (tests/util/assert_child_error.m), so a crash or a hang fails that case
## instead of the test run.  The files are made here, in the parent, which
## never opens a FIFO.

%!function hostile_dir (D, name, files, weights)
%! ## a folder D/name with files {name, content, ...}; content -1 is a FIFO
%! d = fullfile (D, name);
%! mkdir (d);
%! for k = 1:2:numel (files)
%!   f = fullfile (d, files{k});
%!   if (isequal (files{k+1}, -1))
%!     [st, out] = system (sprintf ("mkfifo '%s'", f));
%!     assert (st, 0, out);
%!   else
%!     fid = fopen (f, "w");  fwrite (fid, files{k+1});  fclose (fid);
%!   endif
%! endfor
%! if (nargin > 3)
%!   copyfile (weights, fullfile (d, "model.safetensors"));
%! endif
%!endfunction

%!function write_st (f, hdr, nbytes)
%! fid = fopen (f, "w");
%! fwrite (fid, typecast (uint64 (numel (hdr)), "uint8"));
%! fwrite (fid, hdr);
%! fwrite (fid, zeros (1, nbytes, "uint8"));
%! fclose (fid);
%!endfunction

%!function b = read_bytes (f)
%! fid = fopen (f, "r");  b = fread (fid, Inf, "uint8=>char")';  fclose (fid);
%!endfunction

%!shared D, good, T
%! D = tempname ();  mkdir (D);
%! T = 30;   # seconds per child; every case ends in well under one
%! N = 100000;
%! deep = [repmat('{"a":', 1, N) '1' repmat('}', 1, N)];
%! m = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 1,
%!                 "num_attention_heads", 2, "intermediate_size", 32,
%!                 "vocab_size", 20, "max_position_embeddings", 8, "Seed", 1);
%! good = fullfile (D, "good");
%! tfm_save (m, good);
%! cfg = fileread (fullfile (good, "config.json"));
%! st = fullfile (good, "model.safetensors");
%! ## model folders: a deep or FIFO config.json, index or weights
%! hostile_dir (D, "deepcfg", {"config.json", deep}, st);
%! hostile_dir (D, "fifocfg", {"config.json", -1}, st);
%! hostile_dir (D, "dupcfg", {"config.json", strrep(cfg, '"hidden_size"', '"hidden_size": 16, "hidden_siz\u0065"')}, st);
%! hostile_dir (D, "deepidx", {"config.json", cfg, "model.safetensors.index.json", deep});
%! hostile_dir (D, "fifoidx", {"config.json", cfg, "model.safetensors.index.json", -1});
%! hostile_dir (D, "dupidx", {"config.json", cfg, "model-1.safetensors", read_bytes(st), ...
%!   "model.safetensors.index.json", '{"weight_map": {"embeddings.word_embeddings.weight": "model-1.safetensors", "embeddings.word_embeddings.weigh\u0074": "model-1.safetensors"}}'});
%! hostile_dir (D, "fifost", {"config.json", cfg, "model.safetensors", -1});
%! ## safetensors headers: deep, an escaped duplicate field in one entry,
%! ## a plain duplicate field, an escaped duplicate tensor name
%! e = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
%! write_st (fullfile (D, "deep.safetensors"), ['{"__metadata__":' deep '}'], 0);
%! write_st (fullfile (D, "dupfield.safetensors"), '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"data_offset\u0073":[0,4]}}', 4);
%! write_st (fullfile (D, "dupdtype.safetensors"), '{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4],"dtype":"F32"}}', 4);
%! write_st (fullfile (D, "dupname.safetensors"), ['{"w":' e ',"\u0077":' e '}'], 4);
%! ## tokenizers
%! v = '{"a": 0, "b": 1, "ab": 2, "<|endoftext|>": 3}';
%! mg = "#version: 0.2\na b\n";
%! hostile_dir (D, "tok_deepvocab", {"vocab.json", deep, "merges.txt", mg});
%! hostile_dir (D, "tok_deeptj", {"tokenizer.json", deep});
%! hostile_dir (D, "tok_deepadded", {"vocab.txt", "[UNK]\na\n", "added_tokens.json", deep});
%! hostile_dir (D, "tok_deepcfg", {"vocab.txt", "[UNK]\na\n", "tokenizer_config.json", deep});
%! hostile_dir (D, "tok_deepstm", {"vocab.txt", "[UNK]\na\n", "special_tokens_map.json", deep});
%! hostile_dir (D, "tok_fifovocabtxt", {"vocab.txt", -1});
%! hostile_dir (D, "tok_fifovocab", {"vocab.json", -1, "merges.txt", mg});
%! hostile_dir (D, "tok_fifomerges", {"vocab.json", v, "merges.txt", -1});
%! hostile_dir (D, "tok_fifotj", {"tokenizer.json", -1});
%! hostile_dir (D, "tok_fifoadded", {"vocab.txt", "[UNK]\na\n", "added_tokens.json", -1});
%! hostile_dir (D, "tok_hugevocab", {"vocab.json", '{"a": 0, "<|endoftext|>": 99999999}', "merges.txt", mg});
%! hostile_dir (D, "tok_hugeadded", {"vocab.txt", "[UNK]\na\n", "added_tokens.json", '{"x": 99999999}'});
%! hostile_dir (D, "tok_hugedecoder", {"vocab.txt", "[UNK]\na\n", "tokenizer_config.json", '{"added_tokens_decoder": {"99999999": {"content": "x"}}}'});
%! tj = @(vocab, added) sprintf ('{"added_tokens": [%s], "pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": %s, "merges": ["a b"]}}', added, vocab);
%! hostile_dir (D, "tok_hugetjadded", {"tokenizer.json", tj(v, '{"id": 99999999, "content": "x"}')});
%! hostile_dir (D, "tok_hugetjvocab", {"tokenizer.json", tj('{"a": 0, "b": 1, "ab": 99999999}', "")});
%! hostile_dir (D, "tok_dupvocab", {"vocab.json", '{"a": 0, "b": 1, "ab": 2, "<|endoftext|>": 3, "\u0061": 4}', "merges.txt", mg});
%! hostile_dir (D, "tok_duptj", {"tokenizer.json", tj('{"a": 0, "b": 1, "ab": 2, "<|endoftext|>": 3, "a\u0062": 4}', "")});
%! ## results files
%! hostile_dir (D, "res", {"deep.json", deep, "fifo.json", -1});
%! ## a valid baseline of each kind loads (in the parent: nothing hostile here)
%! hostile_dir (D, "tok_good", {"vocab.json", v, "merges.txt", mg});

## ---- JSON nested 100,000 levels deep: an error, not a SIGSEGV ----
%!test
%! r = assert_child_error (sprintf ('tfm_load ("%s")', fullfile (D, "deepcfg")), "cka:json:tooDeep", "Timeout", T);
%! assert (! isempty (regexp (r.message, '^tfm_load: .*config\.json: JSON nested more than 64 levels', "once")), r.message);
%!test assert_child_error (sprintf ('tfm_load ("%s")', fullfile (D, "deepidx")), "cka:json:tooDeep", "Timeout", T);
%!test assert_child_error (sprintf ('safetensors_info ("%s")', fullfile (D, "deep.safetensors")), "cka:json:tooDeep", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_load ("%s", "Config", "%s")', fullfile (D, "deep.safetensors"), fullfile (good, "config.json")), "cka:json:tooDeep", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_deepvocab")), "cka:json:tooDeep", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_deeptj")), "cka:json:tooDeep", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_deepadded")), "cka:json:tooDeep", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_deepcfg")), "cka:json:tooDeep", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_deepstm")), "cka:json:tooDeep", "Timeout", T);
%!test
%! r = assert_child_error (sprintf ('cka_load ("%s")', fullfile (D, "res", "deep.json")), "cka:json:tooDeep", "Timeout", T);
%! assert (! isempty (strfind (r.message, "levels deep")), r.message);

## ---- FIFOs: an error at once, never a wait ----
%!test
%! r = assert_child_error (sprintf ('tfm_load ("%s")', fullfile (D, "fifocfg")), "cka:io:notRegularFile", "Timeout", T);
%! assert (! isempty (regexp (r.message, '^tfm_load: .*config\.json: is a FIFO', "once")), r.message);
%!test assert_child_error (sprintf ('tfm_load ("%s", "Config", "%s")', fullfile (good, "model.safetensors"), fullfile (D, "fifocfg", "config.json")), "cka:io:notRegularFile", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_load ("%s")', fullfile (D, "fifoidx")), "cka:io:notRegularFile", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_load ("%s")', fullfile (D, "fifost")), "cka:safetensors:open", "Timeout", T);
%!test assert_child_error (sprintf ('safetensors_read ("%s")', fullfile (D, "fifost", "model.safetensors")), "cka:safetensors:open", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_fifovocabtxt")), "cka:io:notRegularFile", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_fifovocabtxt", "vocab.txt")), "cka:io:notRegularFile", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_fifovocab")), "cka:io:notRegularFile", "Timeout", T);
%!test
%! r = assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_fifomerges")), "cka:io:notRegularFile", "Timeout", T);
%! assert (! isempty (regexp (r.message, '^tfm_tokenizer: .*merges\.txt: is a FIFO', "once")), r.message);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_fifotj")), "cka:io:notRegularFile", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_fifoadded")), "cka:io:notRegularFile", "Timeout", T);
%!test
%! r = assert_child_error (sprintf ('cka_load ("%s")', fullfile (D, "res", "fifo.json")), "cka:io:notRegularFile", "Timeout", T);
%! assert (! isempty (strfind (r.message, "FIFO")), r.message);
%!test
%! ## a FIFO named like a .mat result or checkpoint: no wait in the format check
%! f = fullfile (D, "res", "fifo.mat");
%! system (sprintf ("mkfifo '%s'", f));
%! assert_child_error (sprintf ('cka_load ("%s")', f), "cka:io:notRegularFile", "Timeout", T);
%!test
%! ## a character device is refused like a FIFO
%! assert_child_error ('tfm_load ("/dev/zero", "Config", "/dev/zero")', "cka:io:notRegularFile", "Timeout", T);

## ---- ids that would allocate gigabytes: refused before any allocation ----
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_hugevocab")), "cka:tokenizer:badVocab", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_hugeadded")), "cka:tokenizer:badVocab", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_hugedecoder")), "cka:tokenizer:badVocab", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_hugetjadded")), "cka:tokenizer:badVocab", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_hugetjvocab")), "cka:tokenizer:badVocab", "Timeout", T);

## ---- duplicate keys, also spelled with \u escapes ----
%!test assert_child_error (sprintf ('tfm_load ("%s")', fullfile (D, "dupcfg")), "cka:json:duplicateKey", "Timeout", T);
%!test
%! r = assert_child_error (sprintf ('tfm_load ("%s")', fullfile (D, "dupidx")), "cka:json:duplicateKey", "Timeout", T);
%! assert (! isempty (strfind (r.message, 'weight_map."embeddings.word_embeddings.weight"')), r.message);
%!test
%! r = assert_child_error (sprintf ('safetensors_info ("%s")', fullfile (D, "dupfield.safetensors")), "cka:json:duplicateKey", "Timeout", T);
%! assert (! isempty (strfind (r.message, "w.data_offsets")), r.message);
%!test assert_child_error (sprintf ('safetensors_read ("%s")', fullfile (D, "dupdtype.safetensors")), "cka:json:duplicateKey", "Timeout", T);
%!test assert_child_error (sprintf ('safetensors_info ("%s")', fullfile (D, "dupname.safetensors")), "cka:safetensors:duplicateName", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_dupvocab")), "cka:json:duplicateKey", "Timeout", T);
%!test assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, "tok_duptj")), "cka:json:duplicateKey", "Timeout", T);

## ---- the valid baselines still load ----
%!test
%! m = tfm_load (good);
%! assert (m.config.hidden_size, 16);
%! tok = tfm_tokenizer (fullfile (D, "tok_good"));
%! assert (tfm_tokenize (tok, "ab"), {"ab"});

%!test
%! ## clean up (last block)
%! confirm_recursive_rmdir (false, "local");
%! rmdir (D, "s");
