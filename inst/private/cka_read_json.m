## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {} {@var{v} =} cka_read_json (@var{file}, @var{fname})
## @deftypefnx {} {@var{v} =} cka_read_json (@var{file}, @var{fname}, @var{bad_id}, @var{kind})
## Read and decode the JSON file @var{file} safely: the only way the package
## reads a JSON file.
##
## The file is read by @code{__cka_read_text__} (only a regular file, opened
## without waiting, so a FIFO or a device is an error; at most the size
## limit of @var{kind}: @qcode{"config"} 64 MiB (default; config.json,
## sharded indexes, tokenizer_config.json, special_tokens_map.json,
## added_tokens.json), @qcode{"tokenizer"} 512 MiB (vocab.json,
## tokenizer.json), @qcode{"results"} 256 MiB (cka_save files)); its text is
## checked for nesting deeper than 64 levels and for duplicate object keys
## (compared after decoding @code{\u} escapes), and only then decoded with
## @code{jsondecode (txt, "makeValidName", false)}.
##
## Errors: @code{cka:io:notFound}, @code{cka:io:notRegularFile},
## @code{cka:io:tooLarge}, @code{cka:io:changed}, @code{cka:io:read},
## @code{cka:json:tooDeep}, @code{cka:json:duplicateKey} (messages start
## with the public function's name and name the file), and for text that
## @code{jsondecode} refuses, @var{bad_id} (default
## @qcode{"cka:json:invalid"}) with the message
## @qcode{"@var{fname}: @var{file} is not valid JSON: @dots{}"}; with an
## empty @var{bad_id} the @code{jsondecode} error itself is raised.
## @end deftypefn

function v = cka_read_json (file, fname, bad_id = "cka:json:invalid", kind = "config")
  txt = __cka_read_text__ (file, kind, true);
  if (isempty (bad_id))
    v = jsondecode (txt, "makeValidName", false);
    return;
  endif
  try
    v = jsondecode (txt, "makeValidName", false);
  catch err
    error (bad_id, "%s: %s is not valid JSON: %s", fname, file,
           regexprep (err.message, '^jsondecode: ', ''));
  end_try_catch
endfunction
