## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{tok} =} tfm_tokenizer (@var{path})
## @deftypefnx {cka} {@var{tok} =} tfm_tokenizer (@var{spec})
## Load a Hugging Face tokenizer, to run CKA on sentences: BERT WordPiece,
## byte-level BPE (GPT-2, GPT-NeoX/Pythia, Qwen2, Llama-3) or SentencePiece
## BPE (Llama, Mistral).
##
## @var{path} is a folder (a tokenizer folder, or a model folder with the
## tokenizer files beside @file{config.json}) or one of the files:
##
## @table @asis
## @item @file{vocab.txt}
## WordPiece (BERT, DistilBERT), with @file{tokenizer_config.json} and
## @file{special_tokens_map.json} beside it when present
## (@code{do_lower_case}, @code{strip_accents}, @code{tokenize_chinese_chars},
## special tokens, @code{model_max_length}).
## @item @file{vocab.json} + @file{merges.txt}
## Byte-level BPE (GPT-2, RoBERTa), with the same optional JSON files.
## @item @file{tokenizer.model}
## SentencePiece BPE (Llama, Mistral, stories260K), as the slow
## @code{LlamaTokenizer} uses it: a protobuf @code{ModelProto} with the
## pieces, their scores (the merge priority) and types, the byte-fallback
## flag and the normalizer spec; @file{tokenizer_config.json} gives
## @code{add_bos_token} (default true), @code{add_eos_token} (default
## false) and @code{legacy} (default true).  Any @file{*.model} file given
## by name is read the same way.
## @item @file{tokenizer.json}
## The Hugging Face @qcode{"fast"} file of any of these kinds (model
## @qcode{"WordPiece"} with a @qcode{"BertNormalizer"}; @qcode{"BPE"} with a
## @qcode{"ByteLevel"} pre-tokenizer; @qcode{"BPE"} with @code{byte_fallback}
## and the U+2581 metaspace as Llama-2 and Mistral export it, read as the
## SentencePiece tokenizer it was converted from; merges as @qcode{"a b"}
## strings or @code{["a", "b"]} pairs).  Byte-level BPE files of the newer
## shapes are read as the fast tokenizer runs them: GPT-NeoX/Pythia
## (@qcode{"NFC"} normalizer, @qcode{"ByteLevel"} pre-tokenizer with the
## GPT-2 regex, added tokens such as @code{<|endoftext|>},
## @code{<|padding|>} and runs of spaces), Qwen2 and Llama-3
## (@qcode{"NFC"}, a @qcode{"Sequence"} of a @qcode{"Split"} on the Qwen2 or
## Llama-3 pattern, behaviour @qcode{"Isolated"}, and a @qcode{"ByteLevel"}
## without regex; @code{ignore_merges}; a @qcode{"TemplateProcessing"}
## post-processor that adds a BOS token).  The Split pattern must be one of
## those two strings exactly; any other pattern, pre-tokenizer, normalizer
## or decoder is @code{cka:tokenizer:unsupported}, naming it.
## @end table
##
## A folder is searched in that order (so a Llama folder with both
## @file{tokenizer.model} and @file{tokenizer.json} uses the model file, as
## the slow tokenizer does), except that a Qwen2 folder
## (@code{tokenizer_class} @qcode{"Qwen2Tokenizer"} in
## @file{tokenizer_config.json}) uses its @file{tokenizer.json} rather than
## its @file{vocab.json} and @file{merges.txt}, which do not say how the
## text is cut.  Instead of a path, a struct
## @var{spec} with a cellstr field @code{vocab} (the token of each id, in
## order) makes a toy tokenizer for experiments and teaching: a WordPiece
## one, a byte-level BPE one when it also has @code{merges} (an
## @var{n}-by-2 cellstr), or a SentencePiece one with @code{type} @qcode{"spm"}
## (the listed order is then the merge priority unless @code{scores} are
## given; @code{<unk>}, @code{<s>}, @code{</s>} and @code{<0xXX>} get their
## piece types); any other field of the result below may be given too
## (e.g. @code{"lowercase", false}).  The result @var{tok} is a plain struct
## (like a model): @code{type} (@qcode{"wordpiece"}, @qcode{"bpe"} or
## @qcode{"spm"}),
## @code{vocab} (cellstr, the token of id @var{k} in @code{vocab@{k+1@}}),
## @code{merges} (@var{n}-by-2 cellstr in rank order, BPE only),
## @code{pre_tokenizer} (BPE: @qcode{"gpt2"}, @qcode{"qwen2"} or
## @qcode{"llama3"}, the pattern that cuts the text), @code{ignore_merges}
## (BPE: a piece that is a vocabulary entry stays whole), @code{added_plain}
## (BPE: added tokens of a @file{tokenizer.json} that are not special, such
## as Pythia's runs of spaces: split out of the text, but kept by
## @code{tfm_decode}'s @qcode{"SkipSpecialTokens"}), the
## normalisation flags, the special tokens (@code{unk_token}, @code{cls_token},
## @code{sep_token}, @code{pad_token}, @code{mask_token}, @code{bos_token},
## @code{eos_token}) and @code{special_tokens}/@code{special_ids} (split out
## of the text before tokenisation), @code{model_max_length},
## @code{padding_side} and @code{template} (@qcode{"bert"}: @code{[CLS] A
## [SEP] B [SEP]}; @qcode{"roberta"}; @qcode{"none"}: GPT-2 adds nothing).
## SentencePiece tokenizers also have @code{scores}, @code{piece_types}
## (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte),
## @code{byte_fallback}, @code{normalizer} (@qcode{"identity"},
## @qcode{"nfkc"}, @qcode{"nmt_nfkc"}, ...), @code{add_dummy_prefix},
## @code{remove_extra_whitespaces}, @code{escape_whitespaces}, @code{legacy},
## @code{add_bos_token} and @code{add_eos_token}, and the template
## @qcode{"llama"} (@code{[<s>] A [</s>]}).
## @code{nfc} is true when the text is NFC-normalised first (BERT, and the
## byte-level @file{tokenizer.json} files with an NFC normalizer).
## GPT-2 and Llama have no padding token; @code{pad_token} is then set to
## their @code{eos_token} (@code{<|endoftext|>}, @code{</s>}), the usual
## choice, the attention mask marking the padding (Hugging Face would refuse
## to pad; set @code{tok.pad_token = ""} to get that behaviour,
## @code{cka:tokenizer:noPadToken}).  Fields may be changed by hand.
##
## The tokenizers reproduce transformers 4.31's slow @code{BertTokenizer},
## @code{GPT2Tokenizer} and @code{LlamaTokenizer}, and for the newer
## byte-level @file{tokenizer.json} files the fast tokenizers, exactly (see
## @code{tfm_encode} and doc/tokenizers.md for the few documented
## differences).  @file{tokenizer.model} is decoded with libprotobuf-c;
## a truncated or crafted file is @code{cka:tokenizer:badModel}.  JSON is read with
## @code{jsondecode}, after checking that every file is a regular file (not
## a FIFO or a device: @code{cka:io:notRegularFile}) of a sane size
## (@code{cka:io:tooLarge}), nested at most 64 levels
## (@code{cka:json:tooDeep}) and without repeated keys
## (@code{cka:json:duplicateKey}); token ids must be below the number of
## tokens plus 1024 plus 1/8 (@code{cka:tokenizer:badVocab}).
## Errors: @code{cka:tokenizer:notFound},
## @code{cka:tokenizer:missingFile}, @code{cka:tokenizer:badJson},
## @code{cka:tokenizer:badModel},
## @code{cka:tokenizer:badVocab}, @code{cka:tokenizer:badMerges},
## @code{cka:tokenizer:invalidUtf8}, @code{cka:tokenizer:missingToken},
## @code{cka:tokenizer:unsupported}.
##
## @example
## @group
## tok = tfm_tokenizer ("bert-base-uncased");
## tfm_tokenize (tok, "Hello, world!")
##   @result{} @{"hello", ",", "world", "!"@}
## enc = tfm_encode (tok, @{"A short one.", "And a longer sentence."@});
## toy = tfm_tokenizer (struct ("vocab", @{@{"[PAD]"; "[UNK]"; "[CLS]"; "[SEP]"; ...
##                                           "[MASK]"; "play"; "##ing"@}@}));
## tfm_tokenize (toy, "Playing")
##   @result{} @{"play", "##ing"@}
## llama = tfm_tokenizer (fullfile (fileparts (which ("cka_demo_llm")), "data", "stories260K"));
## tfm_encode (llama, "Once upon a time").input_ids
##   @result{} [1 403 407 261 378]
## ## Qwen2-shaped tokenizer.json (the package's test fixture, 436 merges):
## ## one digit per piece, contractions in any case
## qwen = tfm_tokenizer ("tests/fixtures/tokenizers/bpe-json/qwen2");
## tfm_tokenize (qwen, "In 1813, YOU'LL")
##   @result{} @{"I", "n", "Ġ", "1", "8", "1", "3", ",", "Ġ", "Y", "O", "U", "'LL"@}
## @end group
## @end example
##
## @seealso{tfm_encode, tfm_tokenize, tfm_decode}
## @end deftypefn

function tok = tfm_tokenizer (path)
  if (nargin != 1)
    print_usage ();
  endif
  if (isstruct (path))
    tok = from_spec (path);
    return;
  endif
  if (! (ischar (path) && isrow (path)))
    error ("cka:input:badPath", "tfm_tokenizer: PATH must be a string or a struct");
  endif
  if (isfolder (path))
    dir = path;
    if (is_file (fullfile (dir, "vocab.txt")))
      file = fullfile (dir, "vocab.txt");
    elseif (is_file (fullfile (dir, "vocab.json")))
      file = fullfile (dir, "vocab.json");
      if (is_file (fullfile (dir, "tokenizer.json"))
          && (! is_file (fullfile (dir, "merges.txt")) || qwen2_class (dir)))
        ## Qwen2 ships vocab.json + merges.txt too, but only tokenizer.json
        ## says how its text is cut (vocab.json + merges.txt would be read
        ## with the GPT-2 pattern)
        file = fullfile (dir, "tokenizer.json");
      endif
    elseif (is_file (fullfile (dir, "tokenizer.model")))
      ## the SentencePiece model is what the slow LlamaTokenizer reads, even
      ## when a tokenizer.json of the fast tokenizer lies beside it
      file = fullfile (dir, "tokenizer.model");
    elseif (is_file (fullfile (dir, "tokenizer.json")))
      file = fullfile (dir, "tokenizer.json");
    else
      error ("cka:tokenizer:notFound",
             "tfm_tokenizer: no vocab.txt, vocab.json, tokenizer.model or tokenizer.json in '%s'",
             path);
    endif
  elseif (is_file (path))
    file = path;
    dir = fileparts (path);
    if (isempty (dir))
      dir = ".";
    endif
  else
    error ("cka:tokenizer:notFound", "tfm_tokenizer: '%s' does not exist", path);
  endif

  cfg = read_json_if (fullfile (dir, "tokenizer_config.json"), "config");
  stm = read_json_if (fullfile (dir, "special_tokens_map.json"), "config");
  mcfg = read_json_if (fullfile (dir, "config.json"), "config");
  [~, base, ext] = fileparts (file);
  if (strcmp (ext, ".model"))
    base = "tokenizer";   # any SentencePiece model file given by name
  endif
  switch ([base ext])
    case "vocab.txt"
      tok = wordpiece_defaults ();
      tok.vocab = __tok_read__ ("vocab", __cka_read_text__ (file, "tokenizer"), file);
      tok.lowercase = logical (getf (cfg, "do_lower_case", true));
      tok.strip_accents = flag_or_empty (getf (cfg, "strip_accents", []));
      tok.tokenize_chinese_chars = logical (getf (cfg, "tokenize_chinese_chars", true));
    case {"vocab.json", "merges.txt"}
      tok = bpe_defaults ();
      vfile = fullfile (dir, "vocab.json");
      mfile = fullfile (dir, "merges.txt");
      if (! is_file (vfile))
        error ("cka:tokenizer:missingFile", "tfm_tokenizer: '%s' is missing", vfile);
      endif
      if (! is_file (mfile))
        error ("cka:tokenizer:missingFile",
               "tfm_tokenizer: '%s' is missing (a byte-level BPE needs vocab.json and merges.txt)",
               mfile);
      endif
      tok.vocab = vocab_from_struct (read_json (vfile, "tokenizer"), vfile);
      tok.merges = __tok_read__ ("merges", __cka_read_text__ (mfile, "tokenizer"), mfile);
      tok.add_prefix_space = logical (getf (cfg, "add_prefix_space", false));
    case "tokenizer.json"
      tok = from_tokenizer_json (read_json (file, "tokenizer"), file);
    case "tokenizer.model"
      tok = from_sentencepiece (__tok_read__ ("spm", __cka_read_text__ (file, "tokenizer"), file));
      tok.legacy = logical (getf (cfg, "legacy", true));
      tok.add_bos_token = logical (getf (cfg, "add_bos_token", true));
      tok.add_eos_token = logical (getf (cfg, "add_eos_token", false));
    otherwise
      error ("cka:tokenizer:notFound",
             "tfm_tokenizer: '%s' is not vocab.txt, vocab.json, merges.txt, tokenizer.model or tokenizer.json",
             file);
  endswitch
  tok.source = file;
  tok = finish (tok, cfg, stm, mcfg, dir);
endfunction

## tokenizer_config.json names a Qwen2 tokenizer class.
function tf = qwen2_class (dir)
  cls = getf (read_json_if (fullfile (dir, "tokenizer_config.json"), "config"), "tokenizer_class", "");
  tf = ischar (cls) && any (strcmp (cls, {"Qwen2Tokenizer", "Qwen2TokenizerFast"}));
endfunction

## A tokenizer from an in-memory description (toy vocabularies, teaching).
function tok = from_spec (S)
  if (! isscalar (S) || ! isfield (S, "vocab") || ! iscellstr (S.vocab) || isempty (S.vocab))
    error ("cka:input:badOption", "tfm_tokenizer: a struct needs a non-empty cellstr field vocab");
  endif
  if (isfield (S, "type"))
    type = S.type;
  elseif (isfield (S, "scores") || isfield (S, "piece_types"))
    type = "spm";
  elseif (isfield (S, "merges"))
    type = "bpe";
  else
    type = "wordpiece";
  endif
  switch (type)
    case "wordpiece"
      tok = wordpiece_defaults ();
    case "bpe"
      tok = bpe_defaults ();
      if (! any (strcmp (tok.eos_token, S.vocab)))
        ## a toy BPE without <|endoftext|>: no special tokens unless given
        tok.unk_token = tok.bos_token = tok.eos_token = "";
      endif
    case "spm"
      tok = spm_defaults ();
      v = S.vocab(:);
      ## defaults for a toy model: the listed order is the merge priority,
      ## <unk> is the unknown piece, <s> and </s> are control pieces,
      ## <0xXX> are byte pieces
      tok.scores = -(0:numel (v) - 1)';
      tok.piece_types = ones (numel (v), 1);
      tok.piece_types(strcmp (v, "<unk>")) = 2;
      tok.piece_types(strcmp (v, "<s>") | strcmp (v, "</s>")) = 3;
      isbyte = ! cellfun ("isempty", regexp (v, '^<0x[0-9A-F]{2}>$', "once"));
      tok.piece_types(isbyte) = 6;
      tok.byte_fallback = nnz (isbyte) == 256;
    otherwise
      error ("cka:input:badOption", "tfm_tokenizer: type must be \"wordpiece\", \"bpe\" or \"spm\"");
  endswitch
  for f = fieldnames (S)'
    if (! isfield (tok, f{1}) || any (strcmp (f{1}, {"special_ids", "source"})))
      error ("cka:input:unknownOption", "tfm_tokenizer: unknown tokenizer field '%s'", f{1});
    endif
    tok.(f{1}) = S.(f{1});
  endfor
  tok.vocab = tok.vocab(:);
  if (isempty (tok.merges))
    tok.merges = cell (0, 2);
  elseif (! (iscellstr (tok.merges) && columns (tok.merges) == 2))
    error ("cka:tokenizer:badMerges", "tfm_tokenizer: merges must be an n x 2 cellstr");
  endif
  if (! iscellstr (tok.special_tokens))
    error ("cka:input:badOption", "tfm_tokenizer: special_tokens must be a cellstr");
  endif
  tok.source = "(struct)";
  tok = finish (tok, struct (), struct (), struct (), "");
endfunction

## Special tokens, their ids, limits and flags from the JSON files.
function tok = finish (tok, cfg, stm, mcfg, dir)
  file = tok.source;
  ## jsondecode and hand-made structs let invalid UTF-8 through (the
  ## readers of vocab.txt and merges.txt check it themselves)
  if (! any (regexp (file, 'vocab\.txt$')))
    __tok_read__ ("check", tok.vocab, [file " (vocabulary)"]);
  endif
  if (! any (regexp (file, '(vocab\.txt|vocab\.json|merges\.txt)$')))
    __tok_read__ ("check", tok.merges, [file " (merges)"]);
  endif
  ## special tokens: tokenizer_config.json, then special_tokens_map.json
  roles = {"unk_token", "cls_token", "sep_token", "pad_token", "mask_token", ...
           "bos_token", "eos_token"};
  for k = 1:numel (roles)
    tok.(roles{k}) = token_string (getf (cfg, roles{k}, tok.(roles{k})));
    tok.(roles{k}) = token_string (getf (stm, roles{k}, tok.(roles{k})));
  endfor
  extra = {};
  for src = {cfg, stm}
    a = getf (src{1}, "additional_special_tokens", {});
    if (iscell (a))
      extra = [extra, cellfun(@token_string, a(:)', "uniformoutput", false)];
    endif
  endfor
  ## added tokens with their ids (tokenizer_config.json >= 4.34)
  atd = getf (cfg, "added_tokens_decoder", struct ());
  if (isstruct (atd) && isscalar (atd))
    keys = fieldnames (atd)';
    contents = cellfun (@(k) token_string (atd.(k)), keys, "uniformoutput", false);
    tok = add_tokens (tok, contents, num2cell (str2double (keys)),
                      fullfile (dir, "tokenizer_config.json"));
    extra = [extra, contents];
  endif
  ## added_tokens.json: {"token": id}
  afile = fullfile (dir, "added_tokens.json");
  at = read_json_if (afile, "config");
  if (isstruct (at) && isscalar (at))
    tok = add_tokens (tok, fieldnames (at)', struct2cell (at)', afile);
    extra = [extra, fieldnames(at)'];
  endif
  if (strcmp (tok.type, "spm"))
    tok.scores = double (tok.scores(:));
    tok.piece_types = double (tok.piece_types(:));
    if (numel (tok.scores) != numel (tok.vocab) || numel (tok.piece_types) != numel (tok.vocab))
      error ("cka:tokenizer:badVocab",
             "tfm_tokenizer: '%s': one score and one piece type per token are needed", file);
    endif
  endif
  ## GPT-2 and Llama have no padding token; padding uses the end token
  ## (the attention mask marks it), as is usual with both
  if (any (strcmp (tok.type, {"bpe", "spm"})) && isempty (tok.pad_token))
    tok.pad_token = tok.eos_token;
  endif
  if (strcmp (tok.type, "bpe") && isfield (cfg, "tokenizer_class")
      && any (strcmp (cfg.tokenizer_class, {"RobertaTokenizer", "RobertaTokenizerFast"})))
    tok.template = "roberta";
    if (isempty (tok.cls_token)) tok.cls_token = tok.bos_token; endif
    if (isempty (tok.sep_token)) tok.sep_token = tok.eos_token; endif
  endif
  tok.special_tokens = [roles_tokens(tok, roles), tok.special_tokens, extra];
  tok.special_tokens = unique_stable (tok.special_tokens(! cellfun (@isempty, tok.special_tokens)));
  [ok, loc] = ismember (tok.special_tokens, tok.vocab);
  if (! all (ok))
    bad = tok.special_tokens(! ok);
    error ("cka:tokenizer:missingToken",
           "tfm_tokenizer: the special token \"%s\" is not in the vocabulary of '%s'",
           bad{1}, file);
  endif
  tok.special_ids = loc(:)' - 1;
  if (! any (strcmp (tok.unk_token, tok.special_tokens)) && ! isempty (tok.unk_token))
    error ("cka:tokenizer:missingToken", "tfm_tokenizer: no unknown token in '%s'", file);
  endif

  ## limits and decoding flags
  mml = getf (cfg, "model_max_length", tok.model_max_length);
  if (! (isnumeric (mml) && isscalar (mml)) || mml >= 1e29)
    mml = Inf;   # HF's "unset" sentinel 1e30
  endif
  if (isinf (mml))
    mml = getf (mcfg, "max_position_embeddings", getf (mcfg, "n_positions", Inf));
  endif
  tok.model_max_length = double (mml);
  vs = getf (mcfg, "vocab_size", Inf);
  if (numel (tok.vocab) > vs)
    error ("cka:tokenizer:vocabSizeMismatch",
           "tfm_tokenizer: the vocabulary of '%s' has %d tokens but config.json says vocab_size %d",
           file, numel (tok.vocab), vs);
  endif
  tok.padding_side = char (getf (cfg, "padding_side", tok.padding_side));
  tok.clean_up_tokenization_spaces = logical (getf (cfg, "clean_up_tokenization_spaces",
                                                    tok.clean_up_tokenization_spaces));
  if (isempty (tok.name))
    tok.name = char (getf (cfg, "name_or_path", base_name (dir)));
  endif
endfunction

function tok = common_fields ()
  tok = struct ("type", "", "name", "", "source", "", "vocab", {{}},
                "merges", {cell(0, 2)}, "lowercase", false, "strip_accents", [],
                "tokenize_chinese_chars", false, "clean_text", false, "nfc", false,
                "max_input_chars_per_word", 100, "continuing_subword_prefix", "",
                "add_prefix_space", false, "unk_token", "", "cls_token", "",
                "sep_token", "", "pad_token", "", "mask_token", "", "bos_token", "",
                "eos_token", "", "special_tokens", {{}}, "special_ids", zeros (1, 0),
                "template", "none", "model_max_length", Inf, "padding_side", "right",
                "clean_up_tokenization_spaces", true);
endfunction

## SentencePiece BPE as the slow LlamaTokenizer (transformers 4.31) uses it
function tok = spm_defaults ()
  tok = common_fields ();
  tok.type = "spm";
  tok.scores = zeros (0, 1);        # piece scores: the merge priority
  tok.piece_types = zeros (0, 1);   # 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
  tok.byte_fallback = false;
  tok.normalizer = "identity";
  tok.add_dummy_prefix = true;
  tok.remove_extra_whitespaces = true;
  tok.escape_whitespaces = true;
  tok.legacy = true;
  tok.add_bos_token = true;
  tok.add_eos_token = false;
  tok.unk_token = "<unk>";
  tok.bos_token = "<s>";
  tok.eos_token = "</s>";
  tok.template = "llama";
  tok.clean_up_tokenization_spaces = false;
endfunction

## A tokenizer.model read by __tok_read__: LlamaTokenizer's special tokens
## (<unk>, <s>, </s>) unless the model lacks them, then the model's own.
function tok = from_sentencepiece (m)
  tok = spm_defaults ();
  tok.vocab = m.pieces;
  tok.scores = m.scores;
  tok.piece_types = m.types;
  tok.byte_fallback = m.byte_fallback;
  tok.normalizer = m.normalizer;
  tok.add_dummy_prefix = m.add_dummy_prefix;
  tok.remove_extra_whitespaces = m.remove_extra_whitespaces;
  tok.escape_whitespaces = m.escape_whitespaces;
  if (! any (strcmp (tok.unk_token, m.pieces)))
    tok.unk_token = m.pieces{find (m.types == 2, 1)};
  endif
  roles = {"bos_token", "eos_token"};
  ids = [m.bos_id, m.eos_id];
  for k = 1:2
    if (! any (strcmp (tok.(roles{k}), m.pieces)))
      if (ids(k) >= 0 && ids(k) < numel (m.pieces))
        tok.(roles{k}) = m.pieces{ids(k) + 1};
      else
        tok.(roles{k}) = "";
      endif
    endif
  endfor
endfunction

function tok = wordpiece_defaults ()
  tok = common_fields ();
  tok.type = "wordpiece";
  tok.lowercase = true;
  tok.tokenize_chinese_chars = true;
  tok.clean_text = true;
  tok.nfc = true;
  tok.continuing_subword_prefix = "##";
  tok.unk_token = "[UNK]";
  tok.cls_token = "[CLS]";
  tok.sep_token = "[SEP]";
  tok.pad_token = "[PAD]";
  tok.mask_token = "[MASK]";
  tok.template = "bert";
endfunction

function tok = bpe_defaults ()
  tok = common_fields ();
  tok.type = "bpe";
  tok.pre_tokenizer = "gpt2";   # "gpt2", "qwen2" or "llama3" (pattern of the pre-tokenizer)
  tok.ignore_merges = false;    # a pre-token that is a vocabulary entry stays whole
  tok.added_plain = {};         # added tokens that are not special (kept by SkipSpecialTokens)
  tok.unk_token = "<|endoftext|>";
  tok.bos_token = "<|endoftext|>";
  tok.eos_token = "<|endoftext|>";
endfunction

function tok = from_tokenizer_json (j, file)
  if (! (isstruct (j) && isfield (j, "model") && isstruct (j.model)
         && isfield (j.model, "type") && isfield (j.model, "vocab")))
    error ("cka:tokenizer:badJson", "tfm_tokenizer: '%s' has no model with a type and a vocab", file);
  endif
  m = j.model;
  switch (m.type)
    case "WordPiece"
      tok = wordpiece_defaults ();
      tok.vocab = vocab_from_struct (m.vocab, file);
      tok.unk_token = char (getf (m, "unk_token", "[UNK]"));
      tok.continuing_subword_prefix = char (getf (m, "continuing_subword_prefix", "##"));
      tok.max_input_chars_per_word = double (getf (m, "max_input_chars_per_word", 100));
      tok.nfc = false;   # the Rust BertNormalizer does not normalise to NFC
      nz = getf (j, "normalizer", []);
      if (isempty (nz))
        tok.lowercase = false;
        tok.strip_accents = false;
        tok.tokenize_chinese_chars = false;
        tok.clean_text = false;
      elseif (isstruct (nz) && strcmp (getf (nz, "type", ""), "BertNormalizer"))
        tok.lowercase = logical (getf (nz, "lowercase", true));
        tok.strip_accents = flag_or_empty (getf (nz, "strip_accents", []));
        tok.tokenize_chinese_chars = logical (getf (nz, "handle_chinese_chars", true));
        tok.clean_text = logical (getf (nz, "clean_text", true));
      else
        error ("cka:tokenizer:unsupported",
               "tfm_tokenizer: '%s': only a BertNormalizer is supported with WordPiece", file);
      endif
    case "BPE"
      if (logical (getf (m, "byte_fallback", false)))
        tok = json_added_tokens (from_spm_json (j, file), j, file);   # Llama-2 / Mistral
        ## added tokens beyond the vocabulary are control pieces
        nv = numel (tok.vocab);
        tok.scores(end+1:nv, 1) = 0;
        tok.piece_types(end+1:nv, 1) = 3;
        return;
      endif
      tok = bpe_defaults ();
      [tok.pre_tokenizer, tok.add_prefix_space] = byte_level_pretok (getf (j, "pre_tokenizer", []),
                                                                     file);
      tok.nfc = json_nfc (getf (j, "normalizer", []), file);
      dec = getf (j, "decoder", []);
      if (! (isempty (dec) || (isstruct (dec) && strcmp (getf (dec, "type", ""), "ByteLevel"))))
        error ("cka:tokenizer:unsupported",
               "tfm_tokenizer: '%s': a byte-level BPE needs the ByteLevel decoder (found %s)",
               file, char (getf (dec, "type", "?")));
      endif
      if (! isempty (getf (m, "continuing_subword_prefix", []))
          || ! isempty (getf (m, "end_of_word_suffix", [])))
        error ("cka:tokenizer:unsupported",
               "tfm_tokenizer: '%s': BPE with subword prefixes/suffixes is not supported", file);
      endif
      tok.ignore_merges = logical (getf (m, "ignore_merges", false));
      tok.vocab = vocab_from_struct (m.vocab, file);
      tok.merges = merges_from_json (getf (m, "merges", {}), file);
      unk = getf (m, "unk_token", []);
      if (ischar (unk) && ! isempty (unk))
        tok.unk_token = unk;
      endif
    otherwise
      error ("cka:tokenizer:unsupported",
             "tfm_tokenizer: '%s': model type \"%s\" is not supported (WordPiece or BPE)",
             file, char (m.type));
  endswitch
  tok = json_added_tokens (tok, j, file);
  if (strcmp (tok.type, "bpe") && ! any (strcmp (tok.eos_token, tok.vocab)))
    ## not GPT-2's <|endoftext|> (Llama-3): the special tokens come from
    ## tokenizer_config.json and special_tokens_map.json only
    tok.unk_token = tok.bos_token = tok.eos_token = "";
  endif
  if (strcmp (tok.type, "bpe"))
    tok = json_template (tok, j, file);
  endif
endfunction

## A TemplateProcessing post-processor (Llama-3: <|begin_of_text|> $A) as
## the "llama" template: at most one special token before the sequence
## (add_bos_token, bos_token) and one after it (add_eos_token, eos_token).
## Other post-processors (ByteLevel, RobertaProcessing) add nothing here.
function tok = json_template (tok, j, file)
  steps = json_steps (getf (j, "post_processor", []), "processors", file);
  for k = 1:numel (steps)
    if (! strcmp (getf (steps{k}, "type", ""), "TemplateProcessing"))
      continue;
    endif
    single = getf (steps{k}, "single", {});
    if (isstruct (single))
      single = num2cell (single);
    endif
    before = after = {};
    nseq = 0;
    ok = iscell (single);
    for i = 1:cka_ifelse (ok, numel (single), 0)
      it = single{i};
      if (isstruct (it) && isfield (it, "Sequence"))
        nseq++;
      elseif (isstruct (it) && isfield (it, "SpecialToken") && ischar (getf (it.SpecialToken, "id", [])))
        if (nseq == 0)
          before{end+1} = it.SpecialToken.id;
        else
          after{end+1} = it.SpecialToken.id;
        endif
      else
        ok = false;
      endif
    endfor
    if (! (ok && nseq == 1 && numel (before) <= 1 && numel (after) <= 1))
      error ("cka:tokenizer:unsupported",
             "tfm_tokenizer: '%s': a TemplateProcessing post-processor must be [special] $A [special]",
             file);
    endif
    tok.template = "llama";
    tok.add_bos_token = ! isempty (before);
    tok.add_eos_token = ! isempty (after);
    if (tok.add_bos_token)
      tok.bos_token = before{1};
    endif
    if (tok.add_eos_token)
      tok.eos_token = after{1};
    endif
  endfor
endfunction

## The pre-tokenizer of a byte-level BPE tokenizer.json: ByteLevel with the
## GPT-2 regex (GPT-2, GPT-NeoX/Pythia), or a Sequence of a Split on the
## Qwen2 or Llama-3 pattern (behaviour Isolated) and a ByteLevel without
## regex (Qwen2, Llama-3).  The pattern must be one of these two strings
## exactly: the package runs them with a hand-written scanner (bpe_regex.c),
## not a regex engine, so any other pattern is refused.
function [kind, prefix] = byte_level_pretok (pt, file)
  qwen2 = ['(?i:''s|''t|''re|''ve|''m|''ll|''d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|' ...
           ' ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+'];
  llama3 = strrep (qwen2, '|\p{N}|', '|\p{N}{1,3}|');
  steps = json_steps (pt, "pretokenizers", file);
  types = cellfun (@(s) char (getf (s, "type", "?")), steps, "uniformoutput", false);
  prefix = false;
  if (numel (steps) == 1 && strcmp (types{1}, "ByteLevel")
      && logical (getf (steps{1}, "use_regex", true)))
    kind = "gpt2";
    prefix = logical (getf (steps{1}, "add_prefix_space", false));
    return;
  endif
  if (! (numel (steps) == 2 && strcmp (types{1}, "Split") && strcmp (types{2}, "ByteLevel")))
    error ("cka:tokenizer:unsupported",
           "tfm_tokenizer: '%s': unsupported pre-tokenizer %s (byte-level BPE takes ByteLevel, or Split + ByteLevel with the Qwen2 or Llama-3 pattern)",
           file, cka_ifelse (isempty (types), "(none)", strjoin (types, " + ")));
  endif
  sp = steps{1};
  pat = getf (getf (sp, "pattern", struct ()), "Regex", "");
  if (! ischar (pat))
    pat = "?";
  endif
  if (strcmp (pat, qwen2))
    kind = "qwen2";
  elseif (strcmp (pat, llama3))
    kind = "llama3";
  else
    error ("cka:tokenizer:unsupported",
           "tfm_tokenizer: '%s': unsupported Split pattern \"%s\" (only the Qwen2 and Llama-3 patterns are known)",
           file, pat);
  endif
  bl = steps{2};
  if (! (strcmp (getf (sp, "behavior", ""), "Isolated") && ! logical (getf (sp, "invert", false))
         && ! logical (getf (bl, "use_regex", true))
         && ! logical (getf (bl, "add_prefix_space", false))))
    error ("cka:tokenizer:unsupported",
           "tfm_tokenizer: '%s': the Split pre-tokenizer must be Isolated, not inverted, followed by a ByteLevel without regex or prefix space",
           file);
  endif
endfunction

## The normalizer of a byte-level BPE: none or NFC (alone or in a Sequence).
function nfc = json_nfc (nz, file)
  steps = json_steps (nz, "normalizers", file);
  types = cellfun (@(s) char (getf (s, "type", "?")), steps, "uniformoutput", false);
  if (! all (strcmp (types, "NFC")))
    error ("cka:tokenizer:unsupported",
           "tfm_tokenizer: '%s': unsupported normalizer %s for a byte-level BPE (none or NFC)",
           file, strjoin (types, " + "));
  endif
  nfc = ! isempty (types);
endfunction

## added tokens of a tokenizer.json: split out of the text, id as given
function tok = json_added_tokens (tok, j, file)
  at = getf (j, "added_tokens", []);
  if (isstruct (at))
    at = num2cell (at);
  endif
  if (iscell (at))
    ok = cellfun (@(a) isstruct (a) && isfield (a, "content") && isfield (a, "id"), at);
    at = at(ok);
    contents = cellfun (@(a) a.content, at(:)', "uniformoutput", false);
    tok = add_tokens (tok, contents, cellfun (@(a) a.id, at(:)', "uniformoutput", false), file);
    tok.special_tokens = [tok.special_tokens, contents];
    if (isfield (tok, "added_plain"))
      ## "special": false (Pythia's runs of spaces): split out of the text
      ## like the others, but text when decoding
      plain = cellfun (@(a) isequal (getf (a, "special", true), false), at(:)');
      tok.added_plain = contents(plain);
    endif
  endif
endfunction

## A tokenizer.json of the sentencepiece-style BPE shape (byte_fallback, the
## U+2581 metaspace), as transformers exports Llama-2 and Mistral: read into
## the SentencePiece tokenizer, so it behaves as the slow LlamaTokenizer on
## the tokenizer.model it was converted from.  The converter lists, for each
## piece in the order of its score, the merges that make it; so a piece's
## merge priority is the rank of its first merge, and a piece no merge makes
## is never merged (piece type "unused").
function tok = from_spm_json (j, file)
  m = j.model;
  sp = "\xe2\x96\x81";   # U+2581
  if (! isempty (getf (m, "continuing_subword_prefix", []))
      || ! isempty (getf (m, "end_of_word_suffix", [])))
    error ("cka:tokenizer:unsupported",
           "tfm_tokenizer: '%s': BPE with subword prefixes/suffixes is not supported", file);
  endif
  ## normalizer Prepend("U+2581") + Replace(" ", "U+2581"), or a Metaspace pre-tokenizer
  steps = json_steps (getf (j, "normalizer", []), "normalizers", file);
  steps = [steps, json_steps(getf (j, "pre_tokenizer", []), "pretokenizers", file)];
  prefix = false;  escape = false;
  for k = 1:numel (steps)
    st = steps{k};
    switch (getf (st, "type", ""))
      case "Prepend"
        ok = strcmp (getf (st, "prepend", ""), sp);
        prefix = true;
      case "Replace"
        pat = getf (st, "pattern", struct ());
        ok = strcmp (getf (pat, "String", ""), " ") && strcmp (getf (st, "content", ""), sp);
        escape = true;
      case "Metaspace"
        scheme = getf (st, "prepend_scheme", "");
        if (isempty (scheme))
          scheme = cka_ifelse (logical (getf (st, "add_prefix_space", true)), "always", "never");
        endif
        ok = (strcmp (getf (st, "replacement", sp), sp) && ! logical (getf (st, "split", false))
              && any (strcmp (scheme, {"always", "first", "never"})));
        prefix = ! strcmp (scheme, "never");
        escape = true;
      otherwise
        ok = false;
    endswitch
    if (! ok)
      error ("cka:tokenizer:unsupported",
             "tfm_tokenizer: '%s': a byte-fallback BPE takes only the Prepend/Replace normalizers or a Metaspace pre-tokenizer without split (found %s)",
             file, char (getf (st, "type", "?")));
    endif
  endfor
  if (! escape)
    error ("cka:tokenizer:unsupported",
           "tfm_tokenizer: '%s': a byte-fallback BPE without the U+2581 metaspace is not supported",
           file);
  endif
  tok = spm_defaults ();
  tok.vocab = vocab_from_struct (m.vocab, file);
  n = numel (tok.vocab);
  merges = merges_from_json (getf (m, "merges", {}), file);
  tok.scores = zeros (n, 1);
  tok.piece_types = ones (n, 1);
  made = false (n, 1);
  if (! isempty (merges))
    [found, loc] = ismember (strcat (merges(:, 1), merges(:, 2)), tok.vocab);
    r = find (found);
    ## the first (lowest-ranked) merge of a piece sets its priority
    tok.scores(loc(r(end:-1:1))) = -r(end:-1:1);
    made(loc(r)) = true;
  endif
  single_char = cellfun (@(t) numel (regexp (t, '.', "match")) == 1, tok.vocab);
  tok.piece_types(! made & ! single_char) = 5;
  isbyte = ! cellfun ("isempty", regexp (tok.vocab, '^<0x[0-9A-F]{2}>$', "once"));
  tok.piece_types(isbyte) = 6;
  tok.byte_fallback = true;
  if (nnz (isbyte) != 256)
    error ("cka:tokenizer:badVocab",
           "tfm_tokenizer: '%s': byte_fallback needs the 256 pieces <0x00>..<0xFF>, found %d",
           file, nnz (isbyte));
  endif
  tok.unk_token = char (getf (m, "unk_token", "<unk>"));
  ## the added (special) tokens are control pieces, the unknown token unknown
  at = getf (j, "added_tokens", []);
  if (isstruct (at))
    at = num2cell (at);
  endif
  for k = 1:numel (at)
    a = at{k};
    if (isstruct (a) && isfield (a, "id") && isnumeric (a.id) && isscalar (a.id)
        && a.id >= 0 && a.id < n && a.id == fix (a.id) && logical (getf (a, "special", true)))
      tok.piece_types(a.id + 1) = 3;
    endif
  endfor
  u = find (strcmp (tok.vocab, tok.unk_token), 1);
  if (isempty (u))
    error ("cka:tokenizer:missingToken", "tfm_tokenizer: '%s': no unknown token \"%s\"", file,
           tok.unk_token);
  endif
  tok.piece_types(u) = 2;
  tok.normalizer = "identity";
  tok.add_dummy_prefix = prefix;
  tok.remove_extra_whitespaces = false;
  tok.escape_whitespaces = true;
endfunction

## The steps of a normalizer / pre-tokenizer: [] (none), one, or a Sequence.
function c = json_steps (x, field, file)
  if (isempty (x))
    c = {};
  elseif (isstruct (x) && isscalar (x) && strcmp (getf (x, "type", ""), "Sequence"))
    c = getf (x, field, {});
    if (isstruct (c))
      c = num2cell (c);
    endif
    if (! iscell (c))
      error ("cka:tokenizer:badJson", "tfm_tokenizer: '%s': a Sequence without its %s", file, field);
    endif
    c = c(:)';
  elseif (isstruct (x) && isscalar (x))
    c = {x};
  else
    error ("cka:tokenizer:badJson", "tfm_tokenizer: '%s': a %s is not an object", file, field);
  endif
endfunction

function merges = merges_from_json (mg, file)
  if (isempty (mg))
    merges = cell (0, 2);
  elseif (iscellstr (mg))
    merges = __tok_read__ ("split_merges", mg(:), file);
  elseif (iscell (mg) && all (cellfun (@iscellstr, mg) & cellfun ("numel", mg) == 2))
    if (! all (cellfun ("size", mg, 2) == 1))   # jsondecode gives 2x1 cells
      mg = cellfun (@(p) p(:), mg, "uniformoutput", false);
    endif
    merges = reshape (vertcat (mg{:}), 2, []).';
  elseif (iscell (mg) && size (mg, 2) == 2 && iscellstr (mg))
    merges = mg;
  else
    error ("cka:tokenizer:badMerges",
           "tfm_tokenizer: '%s': model.merges must be a list of \"a b\" strings or [a, b] pairs",
           file);
  endif
endfunction

function vocab = vocab_from_struct (v, file)
  if (! isstruct (v) || ! isscalar (v))
    error ("cka:tokenizer:badVocab", "tfm_tokenizer: '%s': the vocabulary must be a JSON object", file);
  endif
  names = fieldnames (v);
  ids = struct2cell (v);
  if (isempty (names))
    error ("cka:tokenizer:emptyVocab", "tfm_tokenizer: '%s': the vocabulary is empty", file);
  endif
  if (! all (cellfun ("isnumeric", ids) & cellfun ("numel", ids) == 1))
    error ("cka:tokenizer:badVocab", "tfm_tokenizer: '%s': vocabulary ids must be numbers", file);
  endif
  ids = double (cell2mat (ids));
  if (any (ids != fix (ids)) || any (ids < 0))
    error ("cka:tokenizer:badVocab",
           "tfm_tokenizer: '%s': vocabulary ids must be non-negative integers", file);
  endif
  check_id_bound (names, ids, numel (ids), file);
  if (numel (unique (ids)) != numel (ids))
    error ("cka:tokenizer:badVocab", "tfm_tokenizer: '%s': two tokens have the same id", file);
  endif
  vocab = repmat ({""}, max (ids) + 1, 1);
  vocab(ids + 1) = names;
endfunction

## Ids read from a file are bounded by what the file describes before the
## id table (a cell per id) is allocated: the largest id must be below the
## number of tokens plus 1024 plus 1/8.  Real tokenizers are dense (GPT-2's
## vocab.json is 0..50256, BERT's vocab.txt is numbered by line, Qwen2's
## added tokens follow its vocabulary, Llama's reuse vocabulary ids); the
## allowance covers reserved ids a file leaves out, while a 60-byte file
## with id 99999999 can no longer allocate gigabytes.
function check_id_bound (contents, ids, entries, file)
  limit = entries + 1024 + floor (entries / 8);
  [mx, k] = max (ids);
  if (! isempty (mx) && mx >= limit)
    error ("cka:tokenizer:badVocab",
           "tfm_tokenizer: '%s': token \"%s\" has id %d, but the tokenizer has only %d tokens (ids must be below %d)",
           file, contents{k}, mx, entries, limit);
  endif
endfunction

## Added tokens {content} with their ids {id} (from file): ids checked and
## bounded, then each goes to its id (growing the table) or must equal the
## token already there.
function tok = add_tokens (tok, contents, ids, file)
  for k = 1:numel (ids)
    id = ids{k};
    if (! (ischar (contents{k}) && isnumeric (id) && isreal (id) && isscalar (id)
           && id >= 0 && id == fix (id)))
      error ("cka:tokenizer:badJson",
             "tfm_tokenizer: '%s': bad added token %d (a string and an integer id >= 0 expected)",
             file, k);
    endif
  endfor
  ids = double (cell2mat (ids));
  if (isempty (ids))
    return;
  endif
  known = ! cellfun ("isempty", tok.vocab);
  inside = ids < numel (tok.vocab);
  inside(inside) = known(ids(inside) + 1);
  entries = nnz (known) + numel (unique (ids(! inside)));
  check_id_bound (contents, ids, entries, file);
  for k = 1:numel (ids)
    id = ids(k);
    content = contents{k};
    if (id + 1 > numel (tok.vocab))
      tok.vocab(end+1:id+1, 1) = {""};
    endif
    if (isempty (tok.vocab{id+1}))
      tok.vocab{id+1} = content;
    elseif (! strcmp (tok.vocab{id+1}, content))
      error ("cka:tokenizer:badVocab",
             "tfm_tokenizer: added token \"%s\" has id %d, which is \"%s\" in the vocabulary",
             content, id, tok.vocab{id+1});
    endif
  endfor
endfunction

function c = roles_tokens (tok, roles)
  c = cellfun (@(r) tok.(r), roles, "uniformoutput", false);
endfunction

function c = unique_stable (c)
  keep = true (size (c));
  for k = 2:numel (c)
    keep(k) = ! any (strcmp (c{k}, c(1:k-1)));
  endfor
  c = c(keep);
endfunction

function s = token_string (v)
  ## a special token as a string: "x", {"content": "x", ...} or null
  if (ischar (v))
    s = v;
  elseif (isstruct (v) && isfield (v, "content"))
    s = char (v.content);
  else
    s = "";
  endif
endfunction

function v = flag_or_empty (v)
  if (! isempty (v))
    v = logical (v);
  endif
endfunction

function v = getf (s, name, default)
  if (isstruct (s) && isfield (s, name))
    v = s.(name);
  else
    v = default;
  endif
endfunction

function n = base_name (dir)
  [~, n, e] = fileparts (regexprep (dir, '[\\/]+$', ''));
  n = [n e];
endfunction

## Every JSON file goes through cka_read_json: regular files only (a FIFO
## or a device is cka:io:notRegularFile, never a wait), size limits by
## kind, nesting depth and duplicate keys checked before jsondecode.
function j = read_json (file, kind)
  j = cka_read_json (file, "tfm_tokenizer", "cka:tokenizer:badJson", kind);
endfunction

function j = read_json_if (file, kind)
  if (is_file (file))
    j = read_json (file, kind);
  else
    j = struct ();
  endif
endfunction

## Something that is not a folder exists at f (stat does not open it, so a
## FIFO is found here and refused by the reader instead of being skipped).
function tf = is_file (f)
  [st, err] = stat (f);
  tf = err == 0 && ! S_ISDIR (st.mode);
endfunction

## a toy WordPiece tokenizer from a struct
%!test
%! tok = tfm_tokenizer (struct ("vocab", {{"[PAD]"; "[UNK]"; "[CLS]"; "[SEP]"; "[MASK]"; "play"; "##ing"}}));
%! assert (tok.type, "wordpiece");
%! assert (tok.special_tokens, {"[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"});
%! assert (tok.special_ids, [1 2 3 0 4]);
%! [t, ids] = tfm_tokenize (tok, "Playing PLAY");
%! assert (t, {"play", "##ing", "play"});
%! assert (ids, [5 6 5]);
%!test
%! tok = tfm_tokenizer (struct ("vocab", {{"a"; "b"; "ab"; "<|endoftext|>"}}, "merges", {{"a", "b"}}));
%! assert (tok.type, "bpe");
%! assert (tok.pad_token, "<|endoftext|>");
%! assert (tfm_tokenize (tok, "aab"), {"a", "ab"});
%!test
%! ## a toy BPE without <|endoftext|> has no special tokens, no padding
%! tok = tfm_tokenizer (struct ("vocab", {{"a"; "b"; "ab"}}, "merges", {{"a", "b"}}));
%! assert (isempty (tok.special_tokens));
%! assert (tfm_tokenize (tok, "abab"), {"ab", "ab"});
%! assert (tfm_encode (tok, {"ab", "a"}, "Padding", false).input_ids, {2; 0});
%! fail ('tfm_encode (tok, {"ab", "aa"})', "no padding token");
%! fail ('tfm_tokenize (tok, "a c")', "not in the vocabulary");
%!error id=cka:input:badOption tfm_tokenizer (struct ("vocab", {{}}))
%!error id=cka:input:unknownOption tfm_tokenizer (struct ("vocab", {{"[UNK]"}}, "colour", 1))
%!error id=cka:tokenizer:missingToken tfm_tokenizer (struct ("vocab", {{"a"}}))
%!error id=cka:tokenizer:badMerges tfm_tokenizer (struct ("vocab", {{"a"}}, "merges", {{"a"}}))

## a tokenizer.json of either kind, with both spellings of the merges
%!test
%! d = tempname ();  mkdir (d);
%! unwind_protect
%!   j = struct ("version", "1.0", "added_tokens", {{struct("id", 5, "content", "<|endoftext|>")}},
%!               "normalizer", [], "pre_tokenizer", struct ("type", "ByteLevel",
%!               "add_prefix_space", false, "trim_offsets", true, "use_regex", true),
%!               "model", struct ("type", "BPE", "vocab", struct ("a", 0, "b", 1, "ab", 2, "Ġ", 3,
%!               "Ġab", 4), "merges", {{"a b"; "Ġ ab"}}));
%!   fid = fopen (fullfile (d, "tokenizer.json"), "w"); fputs (fid, jsonencode (j)); fclose (fid);
%!   tok = tfm_tokenizer (d);
%!   assert (tok.merges, {"a", "b"; "Ġ", "ab"});
%!   assert (tok.vocab{6}, "<|endoftext|>");
%!   [t, ids] = tfm_tokenize (tok, "ab ab<|endoftext|>");
%!   assert (t, {"ab", "Ġab", "<|endoftext|>"});
%!   assert (ids, [2 4 5]);
%!   j.model.merges = {{"a", "b"}; {"Ġ", "ab"}};
%!   fid = fopen (fullfile (d, "tokenizer.json"), "w"); fputs (fid, jsonencode (j)); fclose (fid);
%!   tok2 = tfm_tokenizer (fullfile (d, "tokenizer.json"));
%!   assert (tok2.merges, tok.merges);
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect

## malformed files
%!function d = scratch_dir (files)
%! d = tempname ();  mkdir (d);
%! for k = 1:2:numel (files)
%!   fid = fopen (fullfile (d, files{k}), "w"); fwrite (fid, files{k+1}); fclose (fid);
%! endfor
%!endfunction
%!function check_error (files, id)
%! d = scratch_dir (files);
%! unwind_protect
%!   try
%!     tfm_tokenizer (d);
%!     error ("no error");
%!   catch e
%!     assert (e.identifier, id);
%!   end_try_catch
%! unwind_protect_cleanup
%!   confirm_recursive_rmdir (false, "local");
%!   rmdir (d, "s");
%! end_unwind_protect
%!endfunction
%!test check_error ({"vocab.json", '{"a": 0}'}, "cka:tokenizer:missingFile");
%!test check_error ({"vocab.json", '{"a": 0, "b": ', "merges.txt", "a b\n"}, "cka:tokenizer:badJson");
%!test check_error ({"vocab.json", '{"a": 0, "b": 1}', "merges.txt", "#version: 0.2\na b c\n"}, "cka:tokenizer:badMerges");
%!test check_error ({"vocab.json", '{"a": 0, "b": 0}', "merges.txt", "a b\n"}, "cka:tokenizer:badVocab");
%!test check_error ({"vocab.json", '{"a": 0, "<|endoftext|>": 1}', "merges.txt", ["a \xff\n"]}, "cka:tokenizer:invalidUtf8");
%!test check_error ({"vocab.txt", "[PAD]\nhello\n"}, "cka:tokenizer:missingToken");
%!test check_error ({"vocab.txt", ["[UNK]\n\xc3\n"]}, "cka:tokenizer:invalidUtf8");
%!test check_error ({"vocab.txt", ""}, "cka:tokenizer:emptyVocab");
%!test check_error ({"tokenizer.json", '{"model": {"type": "Unigram", "vocab": []}}'}, "cka:tokenizer:unsupported");
%!test check_error ({"config.json", "{}"}, "cka:tokenizer:notFound");
%!error id=cka:tokenizer:notFound tfm_tokenizer ("/nonexistent/tokenizer")
%!error id=cka:input:badPath tfm_tokenizer (3)
%!error <Invalid call> tfm_tokenizer ()
%!test check_error ({"vocab.json", ["{\"a\xff\": 0, \"<|endoftext|>\": 1}"], "merges.txt", "\n"}, "cka:tokenizer:invalidUtf8");
%!error id=cka:tokenizer:invalidUtf8 tfm_tokenizer (struct ("vocab", {{"[UNK]"; "\xc3"}}))
