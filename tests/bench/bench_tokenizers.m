## Benchmark of the tokenizers (not part of the pass/fail suite).
##
##   octave-cli tests/bench/bench_tokenizers.m      (after make; BUILDDIR if not in-tree)
##
## Tokenizes the 4,589-sentence Pride and Prejudice corpus (one sentence per
## line; path from the environment variable CKA_CORPUS, default
## /work/shared/models/corpus-austen/pride_and_prejudice_sentences.txt; when
## absent, the fixture sentences are used) with BERT WordPiece, GPT-2 BPE and
## the stories260K SentencePiece BPE (Llama) and prints sentences/s, plus the fixed cost of a call: building the hash
## tables (vocabulary, merges) on the first call with a tokenizer, and on
## later calls (the tables are cached) reading the vocabulary cells through
## the MEX API.

root = fileparts (fileparts (fileparts (mfilename ("fullpath"))));
build = getenv ("BUILDDIR");
if (isempty (build))
  build = root;
endif
addpath (fullfile (build, "src"), fullfile (root, "inst"), fullfile (root, "tests", "util"));

corpus = getenv ("CKA_CORPUS");
if (isempty (corpus))
  corpus = "/work/shared/models/corpus-austen/pride_and_prejudice_sentences.txt";
endif
if (isfile (corpus))
  sents = strsplit (fileread (corpus), "\n");
  sents = sents(! cellfun (@isempty, sents))';
  src = corpus;
else
  c = jsondecode (fileread (fixture_path ("tokenizers", "tokenizer_cases.json")));
  sents = {c.cases.text}';
  src = "tokenizer_cases.json (corpus not found)";
endif
nbytes = sum (cellfun (@numel, sents));
printf ("corpus: %s\n  %d sentences, %d bytes\n", src, numel (sents), nbytes);

names = {"bert-base-uncased", "gpt2", "stories260K"};
## the stories260K tokenizer ships with its model in the package's data
tok_dir = @(n) {fixture_path("tokenizers", n), stories260k_path()}{1 + strcmp (n, "stories260K")};
other = tfm_tokenizer (tok_dir (names{end}));
for k = 1:numel (names)
  t0 = tic ();
  tok = tfm_tokenizer (tok_dir (names{k}));
  tokw = other;
  other = tok;
  t_load = toc (t0);
  ## fixed cost of a call, tokenizing nothing: the first one builds the
  ## tables, the next ones find them cached
  reps = 10;
  t_first = 0;
  for r = 1:reps
    clear __tok_encode__;
    __tok_encode__ (tok, {"x"});           # loads the MEX file
    __tok_encode__ (tokw, {""});           # another tokenizer: evicts
    t0 = tic ();
    __tok_encode__ (tok, {""});
    t_first += toc (t0) / reps;
  endfor
  t0 = tic ();
  for r = 1:reps
    __tok_encode__ (tok, {""});
  endfor
  t_build = toc (t0) / reps;
  ## whole corpus in one call (best of 3)
  t_all = Inf;
  for r = 1:3
    t0 = tic ();
    ids = tfm_tokenize (tok, sents);
    t_all = min (t_all, toc (t0));
  endfor
  ntok = sum (cellfun (@numel, ids));
  t0 = tic ();
  enc = tfm_encode (tok, sents, "MaxLength", 128);
  t_enc = toc (t0);
  ## one call per sentence (each pays the fixed cost)
  m = 100;
  t0 = tic ();
  for i = 1:m
    tfm_tokenize (tok, sents{i});
  endfor
  t_each = toc (t0) / m;
  printf ("%s (%s, %d tokens in vocab, %d merges):\n", names{k}, tok.type,
          numel (tok.vocab), rows (tok.merges));
  printf ("  tfm_tokenizer load          %8.1f ms\n", 1e3 * t_load);
  printf ("  first call (builds the tables)  %8.1f ms\n", 1e3 * t_first);
  printf ("  fixed cost of a later call      %8.1f ms (tables cached)\n", 1e3 * t_build);
  printf ("  tfm_tokenize, whole corpus  %8.1f ms = %8.0f sentences/s, %6.2f MB/s, %d tokens\n",
          1e3 * t_all, numel (sents) / t_all, nbytes / t_all / 1e6, ntok);
  printf ("    (tokenizing alone, without the table build: %8.0f sentences/s)\n",
          numel (sents) / max (t_all - t_build, eps));
  printf ("  tfm_encode, whole corpus    %8.1f ms = %8.0f sentences/s (padded to %dx%d)\n",
          1e3 * t_enc, numel (sents) / t_enc, rows (enc.input_ids), columns (enc.input_ids));
  printf ("  one call per sentence       %8.2f ms per sentence\n", 1e3 * t_each);
endfor

