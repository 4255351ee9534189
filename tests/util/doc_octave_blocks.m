## -*- texinfo -*-
## @deftypefn {} {[@var{blocks}, @var{lines}] =} doc_octave_blocks (@var{file})
## The ```octave fenced code blocks of a Markdown file and the line of each
## block's first line (the guide's and the README's tests run them).
## @end deftypefn
function [blocks, lines] = doc_octave_blocks (file)
  ## The ```octave fenced blocks of a Markdown file and their first lines.
  txt = strsplit (fileread (file), "\n", "CollapseDelimiters", false);
  blocks = {};  lines = [];  cur = {};  inblock = false;  fence = "";
  for k = 1:numel (txt)
    t = regexprep (txt{k}, '\r$', "");
    if (! isempty (fence))
      if (regexp (t, '^\s*```\s*$', "once"))
        if (inblock)
          blocks{end+1} = strjoin (cur, "\n");
        endif
        fence = "";  inblock = false;  cur = {};
      elseif (inblock)
        cur{end+1} = t;
      endif
    else
      tok = regexp (t, '^\s*```\s*([\w+-]*)\s*$', "tokens", "once");
      if (! isempty (tok))
        fence = "```";
        inblock = strcmp (tok{1}, "octave");
        if (inblock)
          lines(end+1) = k + 1;
        endif
      endif
    endif
  endfor
  if (! isempty (fence))
    error ("doc_octave_blocks: unterminated code fence in %s", file);
  endif
endfunction
