## Malformed safetensors files and model directories: every one must fail
## with its cka:* identifier, before any data is touched, without a crash.
## The bad files are generated here (never committed).

%!function f = bad_file (hdr, data, hlen)
%!  ## header text, data bytes (uint8), optional forced header length
%!  f = tempname ();
%!  if (nargin < 2)
%!    data = uint8 ([]);
%!  endif
%!  if (nargin < 3)
%!    hlen = numel (hdr);
%!  endif
%!  fid = fopen (f, "w");
%!  fwrite (fid, hlen, "uint64", 0, "ieee-le");
%!  fwrite (fid, hdr, "char");
%!  fwrite (fid, data, "uint8");
%!  fclose (fid);
%!endfunction

%!function raw_file (f, bytes)
%!  fid = fopen (f, "w");
%!  fwrite (fid, bytes, "uint8");
%!  fclose (fid);
%!endfunction

%!function check_id (f, id, pat)
%!  try
%!    safetensors_info (f);
%!    unlink (f);
%!    error ("no error for %s", id);
%!  catch err
%!    unlink (f);
%!    assert (err.identifier, id, err.message);
%!    if (nargin > 2)
%!      assert (! isempty (regexp (err.message, pat, "once")), err.message);
%!    endif
%!  end_try_catch
%!endfunction

%!function d = model_copy (name)
%!  d = tempname ();
%!  mkdir (d);
%!  copyfile (fixture_path ("models", name, "*"), d);
%!endfunction

%!function rm_dir (d)
%!  confirm_recursive_rmdir (false, "local");
%!  if (isfolder (d))
%!    rmdir (d, "s");
%!  endif
%!endfunction

## a valid baseline, so the tests below break one thing at a time
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', uint8 (1:8));
%! assert (safetensors_info (f), {"a"});
%! unlink (f);

## sizes and lengths
%!test
%! f = tempname (); raw_file (f, uint8 ([])); check_id (f, "cka:safetensors:truncated", "too small");
%!test
%! f = tempname (); raw_file (f, uint8 ([2 0 0])); check_id (f, "cka:safetensors:truncated");
%!test  # huge header length
%! f = tempname (); raw_file (f, uint8 ([0 0 0 0 0 1 0 0 123 125])); check_id (f, "cka:safetensors:headerTooLarge");
%!test  # 2^64 - 1
%! f = tempname (); raw_file (f, uint8 ([255 255 255 255 255 255 255 255 123 125])); check_id (f, "cka:safetensors:headerTooLarge");
%!test  # just above the 100,000,000 limit
%! f = bad_file ("{}", [], 100000001); check_id (f, "cka:safetensors:headerTooLarge");
%!test  # header length past the end of the file
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [], 500); check_id (f, "cka:safetensors:truncated");
%!test  # data cut short
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', uint8 (1:5));
%! check_id (f, "cka:safetensors:truncated", '"a"');
%!test  # trailing bytes not covered by any tensor
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', uint8 (1:12));
%! check_id (f, "cka:safetensors:badOffsets", "not fully covered");

## header bytes and JSON
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]', uint8 (1:8)); check_id (f, "cka:safetensors:badJson");
%!test
%! f = bad_file ('{"a":1} x', []); check_id (f, "cka:safetensors:badJson");
%!test
%! f = bad_file ('[{"a":1}]', []); check_id (f, "cka:safetensors:badHeader");
%!test  # NUL padding is not JSON whitespace
%! f = bad_file (['{}' char([0 0 0 0 0 0])], []); check_id (f, "cka:safetensors:badHeader", "NUL");
%!test
%! f = bad_file (['{"' char([255 254]) '":1}'], []); check_id (f, "cka:safetensors:badHeader", "UTF-8");
%!test  # leading whitespace and space padding are fine
%! f = bad_file (['  {"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}' blanks(5)], uint8 (1:4));
%! assert (safetensors_info (f), {"a"}); unlink (f);
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2]}}', []); check_id (f, "cka:safetensors:badHeader", "data_offsets");
%!test
%! f = bad_file ('{"a":[1,2]}', []); check_id (f, "cka:safetensors:badHeader", '"a"');
%!test
%! f = bad_file ('{"a":{"dtype":32,"shape":[2],"data_offsets":[0,8]}}', uint8 (1:8)); check_id (f, "cka:safetensors:badHeader");
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}', uint8 (1:8)); check_id (f, "cka:safetensors:badHeader");
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}', uint8 (1:8)); check_id (f, "cka:safetensors:badHeader");
%!test
%! f = bad_file ('{"__metadata__":{"format":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', uint8 (1:8));
%! check_id (f, "cka:safetensors:badHeader", "__metadata__");

## numbers: non-finite (null -> NaN), negative, fractional, > 2^53, overflow
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[null],"data_offsets":[0,8]}}', uint8 (1:8)); check_id (f, "cka:safetensors:badNumber", '"a"');
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,null]}}', uint8 (1:8)); check_id (f, "cka:safetensors:badNumber");
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', uint8 (1:8)); check_id (f, "cka:safetensors:badNumber");
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}', uint8 (1:8)); check_id (f, "cka:safetensors:badNumber");
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,1e300]}}', uint8 (1:8)); check_id (f, "cka:safetensors:badNumber");
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[1e999],"data_offsets":[0,8]}}', uint8 (1:8)); check_id (f, "cka:safetensors:badJson");
%!test  # element count overflows 64 bits
%! f = bad_file ('{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}', uint8 (1:8));
%! check_id (f, "cka:safetensors:sizeMismatch", "overflow");

## dtypes, sizes, offsets, names
%!test
%! f = bad_file ('{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}', uint8 (1:8)); check_id (f, "cka:safetensors:unknownDtype", "F33");
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', uint8 (1:8)); check_id (f, "cka:safetensors:sizeMismatch", '"a"');
%!test  # overlapping
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', uint8 (1:12));
%! check_id (f, "cka:safetensors:badOffsets", "overlaps");
%!test  # aliasing: two names on the same bytes
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', uint8 (1:8));
%! check_id (f, "cka:safetensors:badOffsets");
%!test  # gap
%! f = bad_file ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', uint8 (1:12));
%! check_id (f, "cka:safetensors:badOffsets", "gap");
%!test  # out of range
%! f = bad_file ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4000,4004]}}', uint8 (1:4)); check_id (f, "cka:safetensors:badOffsets");
%!test  # end before begin
%! f = bad_file ('{"a":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}}', uint8 (1:8)); check_id (f, "cka:safetensors:badOffsets");
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', uint8 (1:8));
%! check_id (f, "cka:safetensors:duplicateName", "duplicate");
%!test  # integer tensors are validated but cannot be read as numbers
%! f = bad_file ('{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}', uint8 ([1 0]));
%! assert (safetensors_info (f), {"m"});
%! try
%!   safetensors_read (f, "m"); error ("no error");
%! catch err
%!   assert (err.identifier, "cka:safetensors:unsupportedDtype");
%! end_try_catch
%! unlink (f);

## model directories
%!error id=cka:load:noConfig
%! d = model_copy ("bert");
%! unwind_protect
%!   unlink (fullfile (d, "config.json"));
%!   tfm_load (d);
%! unwind_protect_cleanup
%!   rm_dir (d);
%! end_unwind_protect
%!error id=cka:load:badConfig
%! d = model_copy ("bert");
%! unwind_protect
%!   raw_file (fullfile (d, "config.json"), uint8 ('{"model_type": "bert",'));
%!   tfm_load (d);
%! unwind_protect_cleanup
%!   rm_dir (d);
%! end_unwind_protect
%!error <pytorch_model.bin>
%! d = model_copy ("bert");
%! unwind_protect
%!   movefile (fullfile (d, "model.safetensors"), fullfile (d, "pytorch_model.bin"));
%!   tfm_load (d);
%! unwind_protect_cleanup
%!   rm_dir (d);
%! end_unwind_protect
%!error id=cka:load:noWeights
%! d = model_copy ("bert");
%! unwind_protect
%!   unlink (fullfile (d, "model.safetensors"));
%!   tfm_load (d);
%! unwind_protect_cleanup
%!   rm_dir (d);
%! end_unwind_protect
%!error <encoder.layer.1.output.dense.bias>
%! ## missing tensor: rewrite the file without one parameter
%! d = model_copy ("bert");
%! unwind_protect
%!   f = fullfile (d, "model.safetensors");
%!   [C, n] = safetensors_read (f);
%!   [~, ~, ~] = safetensors_info (f);
%!   keep = ! strcmp (n, "encoder.layer.1.output.dense.bias");
%!   safetensors_write (f, n(keep), C(keep));
%!   tfm_load (d);
%! unwind_protect_cleanup
%!   rm_dir (d);
%! end_unwind_protect
%!test
%! d = model_copy ("bert");
%! unwind_protect
%!   f = fullfile (d, "model.safetensors");
%!   [C, n] = safetensors_read (f);
%!   keep = ! strcmp (n, "encoder.layer.1.output.dense.bias");
%!   safetensors_write (f, n(keep), C(keep));
%!   fail ("tfm_load (d)", "cka:load:missingTensor|lacks 1 tensor");
%!   try
%!     tfm_load (d);
%!   catch err
%!     assert (err.identifier, "cka:load:missingTensor");
%!   end_try_catch
%! unwind_protect_cleanup
%!   rm_dir (d);
%! end_unwind_protect
%!test  # shape / config mismatch
%! d = model_copy ("bert");
%! unwind_protect
%!   c = jsondecode (fileread (fullfile (d, "config.json")));
%!   c.intermediate_size = 48;
%!   raw_file (fullfile (d, "config.json"), uint8 (jsonencode (c)));
%!   try
%!     tfm_load (d); error ("no error");
%!   catch err
%!     assert (err.identifier, "cka:load:shapeMismatch");
%!     assert (! isempty (strfind (err.message, "intermediate.dense.weight")));
%!     assert (! isempty (strfind (err.message, "has shape [64, 32], the config implies [48, 32]")));
%!   end_try_catch
%! unwind_protect_cleanup
%!   rm_dir (d);
%! end_unwind_protect
%!test  # a parameter of an integer dtype
%! d = tempname ();
%! mkdir (d);
%! unwind_protect
%!   copyfile (fixture_path ("models", "distilbert", "config.json"), d);
%!   src = fixture_path ("models", "distilbert", "model.safetensors");
%!   [C, n] = safetensors_read (src);
%!   safetensors_write (fullfile (d, "model.safetensors"), n, C, "Dtype", "f16");
%!   m = tfm_load (d);    # F16 fine
%!   ## now patch one dtype to I16 (same size) in the header
%!   f = fullfile (d, "model.safetensors");
%!   fid = fopen (f, "r"); b = fread (fid, Inf, "uint8=>uint8")'; fclose (fid);
%!   s = char (b);
%!   k = strfind (s, '"ffn.lin1.bias":{"dtype":"F16"');
%!   assert (isempty (k));
%!   k = strfind (s, 'transformer.layer.0.ffn.lin1.bias":{"dtype":"F16"');
%!   b(k + numel ('transformer.layer.0.ffn.lin1.bias":{"dtype":"') + (0:2)) = uint8 ('I16');
%!   raw_file (f, b);
%!   try
%!     tfm_load (d); error ("no error");
%!   catch err
%!     assert (err.identifier, "cka:load:badDtype");
%!   end_try_catch
%! unwind_protect_cleanup
%!   rm_dir (d);
%! end_unwind_protect
%!test  # a corrupt file inside a model directory
%! d = model_copy ("gpt2");
%! unwind_protect
%!   f = fullfile (d, "model.safetensors");
%!   fid = fopen (f, "r"); b = fread (fid, Inf, "uint8=>uint8")'; fclose (fid);
%!   raw_file (f, b(1:end-100));
%!   try
%!     tfm_load (d); error ("no error");
%!   catch err
%!     assert (err.identifier, "cka:safetensors:truncated");
%!     assert (! isempty (strfind (err.message, f)));
%!   end_try_catch
%! unwind_protect_cleanup
%!   rm_dir (d);
%! end_unwind_protect

## sharded indexes
%!test
%! d = model_copy ("bert_sharded");
%! unwind_protect
%!   ix = fullfile (d, "model.safetensors.index.json");
%!   txt = fileread (ix);
%!   raw_file (ix, uint8 (strrep (txt, '"model-00002-of-00002.safetensors"', '"../model-00002-of-00002.safetensors"')));
%!   fail ("tfm_load (d)", "not a plain file name");
%!   raw_file (ix, uint8 (strrep (txt, '"model-00002-of-00002.safetensors"', '"model-00003-of-00003.safetensors"')));
%!   fail ("tfm_load (d)", "does not exist");
%!   ## map a tensor to the wrong shard
%!   j = jsondecode (txt, "makeValidName", false);
%!   k = fieldnames (j.weight_map);
%!   s1 = j.weight_map.(k{1});
%!   other = setdiff (unique (struct2cell (j.weight_map)), {s1});
%!   j.weight_map.(k{1}) = other{1};
%!   raw_file (ix, uint8 (jsonencode (j)));
%!   try
%!     tfm_load (d); error ("no error");
%!   catch err
%!     assert (err.identifier, "cka:load:badIndex");
%!   end_try_catch
%!   raw_file (ix, uint8 ('{"weight_map": 3}'));
%!   fail ("tfm_load (d)", "weight_map");
%! unwind_protect_cleanup
%!   rm_dir (d);
%! end_unwind_protect

## nothing leaks into the next call: many failing calls, then a good one
%!test
%! f = bad_file ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', uint8 (1:12));
%! for k = 1:200
%!   try, safetensors_read (f, "a"); catch, end_try_catch
%! endfor
%! unlink (f);
%! m = tfm_load (fixture_path ("models", "distilbert"));
%! assert (numel (m.weights), 36);

## byte mutations of a real checkpoint's header and prefix: every call
## either succeeds or raises a cka:* error (never a crash or a hang)
%!test
%! src = fixture_path ("models", "distilbert", "model.safetensors");
%! fid = fopen (src, "r"); b0 = fread (fid, Inf, "uint8=>uint8")'; fclose (fid);
%! n = double (typecast (b0(1:8), "uint64"));
%! f = tempname ();
%! rand ("seed", 7);
%! nok = 0; nerr = 0;
%! unwind_protect
%!   for it = 1:150
%!     b = b0;
%!     k = 1 + floor (rand () * (8 + n));      # prefix or header byte
%!     switch (mod (it, 3))
%!       case 0
%!         b(k) = uint8 (floor (rand () * 256));
%!       case 1
%!         b(k) = bitxor (b(k), uint8 (2 ^ floor (rand () * 8)));
%!       case 2
%!         b = b(1:max (0, k - 1));             # truncation
%!     endswitch
%!     fid = fopen (f, "w"); fwrite (fid, b, "uint8"); fclose (fid);
%!     try
%!       C = safetensors_read (f);
%!       nok++;
%!     catch err
%!       assert (strncmp (err.identifier, "cka:", 4), [err.identifier ": " err.message]);
%!       nerr++;
%!     end_try_catch
%!   endfor
%! unwind_protect_cleanup
%!   unlink (f);
%! end_unwind_protect
%! assert (nok + nerr, 150);
%! assert (nerr > 50);
