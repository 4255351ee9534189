## A model or tokenizer shown without a semicolon is a short summary (issue
## 20 item 2): @struct/display and @struct/disp of the package summarise
## the structs tfm_create, tfm_load and tfm_tokenizer return, and leave
## every other struct to Octave's own display, byte for byte; the model
## stays a plain struct that every function accepts and a user edits.

%!shared m, tok, d
%! m = tfm_create ("bert", "hidden_size", 32, "num_hidden_layers", 2, "num_attention_heads", 2,
%!                 "intermediate_size", 64, "vocab_size", 100, "Seed", 3);
%! d = stories260k_path ();
%! tok = tfm_tokenizer (d);

%!test
%! ## a model: a few lines with the architecture, sizes, parameters, type
%! out = evalc ("m");
%! lines = strsplit (strtrim (out), "\n");
%! assert (numel (lines) <= 12, out);
%! assert (all (cellfun (@numel, lines) <= 100), out);
%! n = sum (cellfun (@numel, m.weights));
%! assert (! isempty (strfind (out, sprintf ("bert model \"%s\"", m.name))), out);
%! digits = regexprep (regexp (out, '([\d,]+) parameters', "tokens", "once"){1}, ",", "");
%! assert (str2double (digits), n);
%! assert (! isempty (strfind (out, "hidden_size 32")), out);
%! assert (! isempty (strfind (out, "single")), out);
%! assert (strncmp (out, "m =", 3), out);
%! ## disp too, and a pretrained model names where it came from
%! L = tfm_load (d);
%! out = evalc ("disp (L)");
%! assert (! isempty (strfind (out, "llama model \"stories260K\": 260,032 parameters")), out);
%! assert (! isempty (strfind (out, "num_key_value_heads 4")), out);
%! assert (! isempty (strfind (out, ["from " L.source])), out);
%! assert (L.source, make_absolute_filename (d));

%!test
%! ## the tokenizer: type, vocabulary size, special tokens, source file
%! out = evalc ("tok");
%! assert (numel (strsplit (strtrim (out), "\n")) <= 8, out);
%! assert (! isempty (strfind (out, "SentencePiece tokenizer \"stories260K\": 512 tokens")), out);
%! assert (! isempty (strfind (out, "tokenizer.model")), out);

%!test
%! ## the struct is unchanged: a struct, its weights read and edited, and
%! ## every function accepts it; fdisp shows every field in full
%! assert (isstruct (m));
%! ids = [1 5 7 9; 2 4 6 8];
%! h0 = tfm_forward (m, ids);
%! e = m;
%! k = find (strcmp (e.names, "embeddings.word_embeddings.weight"));
%! e.weights{k}(:) = 0;
%! h1 = tfm_forward (e, ids);
%! assert (max (abs (h1(:) - h0(:))) > 1e-3);
%! out = evalc ("fdisp (stdout, m)");
%! assert (! isempty (strfind (out, "encoder.layer.1.output.LayerNorm.bias")));
%! assert (numel (strsplit (out, "\n")) > 100);

%!test
%! ## every other struct: exactly Octave's own output, as a fresh Octave
%! ## without the package prints it
%! s = struct ("a", [1 2 3], "b", "text");
%! u = struct ("a", {1, 2});
%! n.x.y.z = 1;
%! n.x.w = {struct("q", 2)};
%! e = struct ();
%! p = struct ("arch", "bert", "weights", 1);   # only in part like a model
%! f = [tempname() ".bin"];
%! save ("-binary", f, "s", "u", "n", "e", "p");
%! unwind_protect
%!   octave = fullfile (OCTAVE_HOME (), "bin", "octave-cli");
%!   code = "load (getenv ('CKA_F')); s, u, n, e, p, disp (s), disp (n), x = disp (u)";
%!   [st, theirs] = system (sprintf ("CKA_F='%s' '%s' --no-gui --norc --silent --eval \"%s\"",
%!                                   f, octave, code));
%!   assert (st, 0);
%!   setenv ("CKA_F", f);
%!   mine = evalc (code);
%!   assert (mine, theirs);
%! unwind_protect_cleanup
%!   delete (f);
%! end_unwind_protect
