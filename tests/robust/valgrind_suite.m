## The reduced MEX suite run under valgrind (make valgrind): every compiled
## gateway, success and error paths, REPS times.
function valgrind_suite (reps, dir)
  m = tfm_create ("bert", "hidden_size", 16, "num_hidden_layers", 2,
                  "num_attention_heads", 2, "intermediate_size", 32,
                  "vocab_size", 50, "max_position_embeddings", 16, "Seed", 1);
  g = tfm_create ("gpt2", "n_embd", 16, "n_layer", 2, "n_head", 2,
                  "vocab_size", 50, "n_positions", 16, "Seed", 2);
  ids = mod ((0:7)' * 7 + (0:5) * 3, 50);
  ## the decoders: grouped-query attention, a window, rope_scaling, NeoX
  ll = tfm_create ("mistral", "hidden_size", 16, "num_hidden_layers", 2,
                   "num_attention_heads", 4, "num_key_value_heads", 2, "intermediate_size", 24,
                   "vocab_size", 50, "sliding_window", 3, "Seed", 3);
  nx = tfm_create ("gpt_neox", "hidden_size", 16, "num_hidden_layers", 2,
                   "num_attention_heads", 2, "intermediate_size", 32, "vocab_size", 50,
                   "max_position_embeddings", 4, "rotary_pct", 0.25,
                   "rope_scaling", struct ("type", "dynamic", "factor", 2), "Seed", 4);
  root = fileparts (fileparts (fileparts (mfilename ("fullpath"))));
  tokdir = fullfile (root, "tests", "fixtures", "tokenizers");
  texts = {"Hello, world! It's a café.", "東京 naïve tokenization [SEP] <|endoftext|>"};
  for r = 1:reps
    tb = tfm_tokenizer (fullfile (tokdir, "bert-base-uncased"));
    tg = tfm_tokenizer (fullfile (tokdir, "gpt2"));
    e1 = tfm_encode (tb, texts, "Padding", true);
    e2 = tfm_encode (tg, texts);
    s1 = tfm_decode (tg, e2.input_ids);
    t1 = tfm_tokenize (tb, texts);
    try, tfm_encode (tb, "bad \xff utf-8"); catch, end_try_catch
    [~, a] = tfm_forward (m, ids, "Hooks", tfm_modules (m, "blocks"));
    [~, b] = tfm_forward (g, ids, "Hooks", tfm_modules (g, "blocks"));
    [nm, hk] = tfm_modules (ll);
    [~, c1] = tfm_forward (ll, ids, "AttentionMask", ids > 3, "Hooks", nm(hk));
    [~, c2] = tfm_forward (nx, ids, "Hooks", {"layers.0.attention.rotary_emb", "gpt_neox.layers.1"});
    Rd = cka_compare (ll, nx, ids, "BatchSize", 4, "Progress", false);
    ts = tfm_tokenizer (fullfile (root, "inst", "data", "stories260K"));
    es = tfm_encode (ts, [texts, {"Once upon a time \xf0\x9f\x98\x80"}], "Padding", true);
    ss = tfm_decode (ts, es.input_ids);
    try, tfm_create ("llama", "hidden_size", 16, "num_attention_heads", 2, "rope_scaling", struct ("type", "yarn", "factor", 2)); catch, end_try_catch
    try, tfm_forward (ll, ids, "Hooks", "model.layers.7"); catch, end_try_catch
    R = cka_compare (m, g, ids, "BatchSize", 4, "Progress", false);
    R2 = cka_compare (m, [], ids, "BatchSize", 4, "Progress", false, "Kernel", "rbf", "Pooling", "mean");
    S = cka_update (cka_accumulator (numel (a), numel (b)), a, b);
    c = cka (randn (8, 3), randn (8, 2));
    A = rand (6, 3);  B = rand (6, 2);
    h = hsic (A * A', B * B');
    d = fullfile (dir, sprintf ("m%d", r));
    tfm_save (g, d);
    g2 = tfm_load (d);
    x = safetensors_read (fullfile (d, "model.safetensors"));
    confirm_recursive_rmdir (false, "local");
    rmdir (d, "s");
    ## error paths: must free everything
    try, tfm_forward (m, ids + 100); catch, end_try_catch
    try, cka_update (S, {NaN(8, 2)}, b); catch, end_try_catch
    try, tfm_load (fullfile (dir, "nope")); catch, end_try_catch
    f = fullfile (dir, "bad.safetensors");
    fid = fopen (f, "w"); fwrite (fid, [uint8([20 0 0 0 0 0 0 0]) uint8('{"a":{"dtype":"F32"')]); fclose (fid);
    try, safetensors_read (f); catch, end_try_catch
    unlink (f);
    ## token inputs through the shared reader: sparse, NaN and other classes
    mk = ones (size (ids));  mk(:, end) = 0;
    h = tfm_forward (m, int16 (ids), "AttentionMask", logical (mk), "TokenTypeIds", uint8 (mk));
    try, tfm_forward (m, sparse (ids)); catch, end_try_catch
    try, tfm_forward (m, ids, "AttentionMask", sparse (mk)); catch, end_try_catch
    try, tfm_forward (m, ids, "AttentionMask", [NaN(8, 1) mk(:, 2:end)]); catch, end_try_catch
    try, tfm_forward (m, ids, "TokenTypeIds", NaN (size (ids))); catch, end_try_catch
    io = struct ("kernel", 0, "sigma", NaN, "unbiased", 1, "epsilon", 1e-6, "single", 0);
    L = {"encoder.layer.0"};
    [hxy] = __cka_compare_batch__ (m, [], struct ("ids", int32 (ids), "mask", logical (mk), "tt", []), [], L, L, "mean", io);
    try, __cka_compare_batch__ (m, [], struct ("ids", sparse (ids), "mask", [], "tt", []), [], L, L, "flatten", io); catch, end_try_catch
    try, __cka_compare_batch__ (m, [], struct ("ids", ids, "mask", sparse (mk), "tt", []), [], L, L, "flatten", io); catch, end_try_catch
    try, __cka_compare_batch__ (m, [], struct ("ids", ids, "mask", NaN (size (ids)), "tt", []), [], L, L, "flatten", io); catch, end_try_catch
    try, __cka_compare_batch__ (m, [], struct ("ids", ids, "mask", [], "tt", sparse (mk)), [], L, L, "flatten", io); catch, end_try_catch
    ## checkpoint fingerprints
    hh = __cka_hash__ ({m.arch, m.config, m.names, m.weights, {1, "a"}, struct("x", {1, 2})});
    try, __cka_hash__ (sparse (ids)); catch, end_try_catch
    ck = fullfile (dir, "ck.mat");
    R3 = cka_compare (m, g, ids, "BatchSize", 4, "Progress", false, "Checkpoint", ck);
    R4 = cka_compare (m, g, ids, "BatchSize", 4, "Progress", false, "Resume", ck);
    unlink (ck);
    ## shards and the thread budget of a worker (in this process: valgrind
    ## does not follow the worker processes)
    th = __cka_threads__ ();
    __cka_threads__ (1);
    __cka_threads__ (th(1));
    try, __cka_threads__ (0); catch, end_try_catch
    try, __cka_threads__ ("a"); catch, end_try_catch
    P1 = cka_compare (m, g, ids, "BatchSize", 4, "Progress", false, "Shard", [1 2]);
    P2 = cka_compare (m, g, ids, "BatchSize", 4, "Progress", false, "Shard", [2 2]);
    R5 = cka_merge (P1, P2);
    hostile_files (dir);
  endfor
  printf ("valgrind_suite: %d repetitions done\n", reps);
endfunction

## __cka_read_text__ and the JSON check: success and every error path
## (FIFO, device, too large, too deep, duplicate keys in a file and in a
## safetensors header).
function hostile_files (dir)
  f = fullfile (dir, "h.json");
  fid = fopen (f, "w"); fputs (fid, '{"a": {"b\u0041": [1, "x"], "c": 2}, "d": "\ud83d\ude00"}'); fclose (fid);
  txt = __cka_read_text__ (f, "config", true);
  fid = fopen (f, "w"); fputs (fid, '{"a": 1, "\u0061": 2}'); fclose (fid);
  try, __cka_read_text__ (f, "tokenizer", true); catch, end_try_catch
  fid = fopen (f, "w"); fputs (fid, [repmat('[', 1, 5000) repmat(']', 1, 5000)]); fclose (fid);
  try, __cka_read_text__ (f, "results", true); catch, end_try_catch
  system (sprintf ("truncate -s 70000000 '%s'", f));
  try, __cka_read_text__ (f, "config", true); catch, end_try_catch
  unlink (f);
  p = fullfile (dir, "fifo.json");
  system (sprintf ("mkfifo '%s'", p));
  try, __cka_read_text__ (p, "config", true); catch, end_try_catch
  try, safetensors_info (p); catch, end_try_catch
  unlink (p);
  try, __cka_read_text__ ("/dev/zero", "config"); catch, end_try_catch
  try, __cka_read_text__ (fullfile (dir, "missing.json"), "config"); catch, end_try_catch
  try, __cka_read_text__ (f, "nokind"); catch, end_try_catch
  s = fullfile (dir, "dup.safetensors");
  e = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
  for hdr = {['{"w":' e ',"\u0077":' e '}'], '{"w":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}'}
    fid = fopen (s, "w"); fwrite (fid, typecast (uint64 (numel (hdr{1})), "uint8")); fwrite (fid, hdr{1});
    fwrite (fid, zeros (1, 4, "uint8")); fclose (fid);
    try, safetensors_info (s); catch, end_try_catch
  endfor
  unlink (s);
endfunction
