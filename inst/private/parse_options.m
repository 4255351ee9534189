## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn {} {[@var{opts}, @var{given}] =} parse_options (@var{fname}, @var{defaults}, @var{args})
## Parse Name/Value pairs @var{args} (a cell) against the struct @var{defaults}.
##
## Names match case-insensitively and with underscores ignored, so both the
## CamelCase spelling of the docs (@qcode{"MaskUpper"}) and pytorch-cka's
## snake_case (@qcode{"mask_upper"}) are accepted.  Unknown names are errors
## (@code{cka:input:unknownOption}) that list the valid ones.  @var{given} is
## a struct with a logical field per option telling whether the caller set it.
## @end deftypefn

function [opts, given] = parse_options (fname, defaults, args)
  opts = defaults;
  names = fieldnames (defaults);
  keys = lower (strrep (names, "_", ""));
  given = cell2struct (num2cell (false (numel (names), 1)), names, 1);
  if (mod (numel (args), 2) != 0)
    error ("cka:input:badOption",
           "%s: options must be Name, Value pairs (got an odd number of arguments)",
           fname);
  endif
  for k = 1:2:numel (args)
    name = args{k};
    if (! ischar (name) || ! isrow (name))
      error ("cka:input:badOption",
             "%s: option names must be strings (argument %d is a %s)",
             fname, k, class (name));
    endif
    idx = find (strcmp (keys, lower (strrep (name, "_", ""))), 1);
    if (isempty (idx))
      error ("cka:input:unknownOption",
             "%s: unknown option '%s' (valid options: %s)",
             fname, name, strjoin (names', ", "));
    endif
    opts.(names{idx}) = args{k+1};
    given.(names{idx}) = true;
  endfor
endfunction
