## Hostile tokenizer.model files (design.md, "Files, security and bad
## input"): truncated, garbage, crafted protobuf (absurd lengths, invalid
## UTF-8 pieces, duplicates, no unknown piece, a Unigram model), a FIFO.
## Each case runs in a child octave-cli under a SIGKILL timeout
## (tests/util/assert_child_error.m): an error with its identifier, never a
## crash or a hang.

## protobuf wire format, enough to write a ModelProto by hand
%!function b = pb_varint (v)
%! b = uint8 ([]);
%! do
%!   c = mod (v, 128);  v = floor (v / 128);
%!   b(end+1) = c + 128 * (v > 0);
%! until (v == 0)
%!endfunction
%!function b = pb_bytes (field, data)
%! data = uint8 (data);
%! b = [pb_varint(field * 8 + 2), pb_varint(numel (data)), data(:)'];
%!endfunction
%!function b = pb_piece (s, score, type)
%! m = [pb_bytes(1, s), pb_varint(2 * 8 + 5), typecast(single (score), "uint8"), pb_varint(3 * 8), pb_varint(type)];
%! b = pb_bytes (1, m);
%!endfunction
%!function b = pb_model (pieces, types, model_type)
%! b = uint8 ([]);
%! for k = 1:numel (pieces)
%!   b = [b, pb_piece(pieces{k}, -k, types(k))];
%! endfor
%! b = [b, pb_bytes(2, [pb_varint(3 * 8), pb_varint(model_type)]), pb_bytes(3, pb_bytes(1, "identity"))];
%!endfunction
%!function d = model_dir (D, name, bytes, varargin)
%! d = fullfile (D, name);
%! mkdir (d);
%! if (isequal (bytes, -1))
%!   [st, out] = system (sprintf ("mkfifo '%s'", fullfile (d, "tokenizer.model")));
%!   assert (st, 0, out);
%! else
%!   fid = fopen (fullfile (d, "tokenizer.model"), "w");  fwrite (fid, bytes);  fclose (fid);
%! endif
%! for k = 1:2:numel (varargin)
%!   fid = fopen (fullfile (d, varargin{k}), "w");  fwrite (fid, varargin{k+1});  fclose (fid);
%! endfor
%!endfunction
%!function child (D, name, id, T)
%! assert_child_error (sprintf ('tfm_tokenizer ("%s")', fullfile (D, name)), id, "Timeout", T);
%!endfunction

%!shared D, T
%! D = tempname ();  mkdir (D);
%! T = 30;
%! fid = fopen (stories260k_path ("tokenizer.model"));
%! real = fread (fid, Inf, "uint8=>uint8")';  fclose (fid);
%! model_dir (D, "trunc_half", real(1:3000));
%! model_dir (D, "trunc_1", real(1));
%! model_dir (D, "empty", uint8 ([]));
%! model_dir (D, "garbage", uint8 (mod ((1:500) * 37 + 11, 256)));
%! model_dir (D, "huge_len", [uint8(10), pb_varint(2^60)]);
%! sp = "\xe2\x96\x81";
%! good = {"<unk>", "<s>", "</s>", sp, "a", "b", "ab"};
%! types = [2 3 3 1 1 1 1];
%! model_dir (D, "good", pb_model (good, types, 2));
%! model_dir (D, "bad_utf8", pb_model ([good, {"\xc3("}], [types 1], 2));
%! model_dir (D, "duplicate", pb_model ([good, {"ab"}], [types 1], 2));
%! model_dir (D, "no_unk", pb_model (good, [1 types(2:end)], 2));
%! model_dir (D, "unigram", pb_model (good, types, 1));
%! model_dir (D, "bad_type", pb_model (good, [types(1:end-1) 9], 2));
%! model_dir (D, "fifo", -1);
%! N = 100000;
%! model_dir (D, "deep_cfg", pb_model (good, types, 2), "tokenizer_config.json",
%!            [repmat('{"a":', 1, N) '1' repmat('}', 1, N)]);
%! model_dir (D, "missing_bos", pb_model (good, types, 2), "tokenizer_config.json", '{"bos_token": "<bos>"}');

%!test
%! ## the hand-made baseline loads and tokenizes (in the parent)
%! tok = tfm_tokenizer (fullfile (D, "good"));
%! assert (tfm_tokenize (tok, "ab a"), {"\xe2\x96\x81", "ab", "\xe2\x96\x81", "a"});
%!test child (D, "trunc_half", "cka:tokenizer:badModel", T);
%!test child (D, "trunc_1", "cka:tokenizer:badModel", T);
%!test child (D, "empty", "cka:tokenizer:badModel", T);
%!test child (D, "garbage", "cka:tokenizer:badModel", T);
%!test child (D, "huge_len", "cka:tokenizer:badModel", T);
%!test child (D, "bad_utf8", "cka:tokenizer:invalidUtf8", T);
%!test child (D, "duplicate", "cka:tokenizer:badModel", T);
%!test child (D, "no_unk", "cka:tokenizer:missingToken", T);
%!test child (D, "unigram", "cka:tokenizer:unsupported", T);
%!test child (D, "bad_type", "cka:tokenizer:badModel", T);
%!test child (D, "fifo", "cka:io:notRegularFile", T);
%!test child (D, "deep_cfg", "cka:json:tooDeep", T);
%!test child (D, "missing_bos", "cka:tokenizer:missingToken", T);
%!test
%! ## a hand-edited struct is checked too: piece types outside 1..6, scores missing
%! tok = tfm_tokenizer (fullfile (D, "good"));
%! tok.piece_types(5) = 42;
%! fail ("tfm_tokenize (tok, 'a')", "piece type");
%! tok = tfm_tokenizer (fullfile (D, "good"));
%! tok.scores(end) = [];
%! fail ("tfm_tokenize (tok, 'a')", "one score per token");

%!test
%! confirm_recursive_rmdir (false, "local");
%! rmdir (D, "s");
