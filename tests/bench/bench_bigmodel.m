## The 16-bit weights table of `make bench` (issue 21): a Llama-shape model
## with 7B-class layer sizes (hidden 4096, intermediate 11008, 32 heads,
## vocab 32000) in bf16, created on the fly, and the same layers in
## float32: tokens/s, GFLOP/s and share of the sgemm peak measured in this
## run, and peak memory (VmHWM) against the weights; then the peak memory
## of a forward over a bf16 model against the same model in float32.
## Each model lives in a fresh Octave process: a process's high-water mark
## only grows, and /proc/self/clear_refs ("5") resets it after the model is
## built, so the peak is the model plus its forward, not the float32 draws
## that tfm_create rounds one tensor at a time.
## Environment: CKA_BENCH_REPS (default 3), CKA_BENCH_BIG_LAYERS (default 4).

1;

function s = tf (b)
  s = {"MISSED", "met"}{1 + logical (b)};
endfunction

## Run `body` in a fresh process after building model `create` there; it
## prints "RES <numbers>" which are returned.
function v = child (octave, src, inst, create, body)
  hwm = ["hwm = @() sscanf (regexp (fileread ('/proc/self/status'), 'VmHWM:\\s*(\\d+)', " ...
         "'tokens', 'once'){1}, '%d'); "];
  code = sprintf (["addpath ('%s', '%s'); %s h0 = hwm (); m = %s; " ...
                   "wb = sum (cellfun (@(w) numel (w) * (4 - 2 * isa (w, 'uint16')), m.weights)); " ...
                   "fid = fopen ('/proc/self/clear_refs', 'w'); fputs (fid, '5'); fclose (fid); " ...
                   "h1 = hwm (); %s"], src, inst, hwm, create, body);
  [st, out] = system (sprintf ("%s --no-gui --norc --no-history --silent --eval \"%s\"",
                               octave, code));
  tok = regexp (out, 'RES ([-\d. e+]+)', "tokens", "once");
  if (st != 0 || isempty (tok))
    error ("bench_bigmodel: child failed (%d): %s", st, out);
  endif
  v = sscanf (tok{1}, "%f")';
endfunction

[reps, outdir] = bench_setup (3);
layers = str2double (getenv ("CKA_BENCH_BIG_LAYERS"));
if (isnan (layers))
  layers = 4;
endif
octave = getenv ("OCTAVE");
if (isempty (octave))
  octave = "octave-cli";
endif
src = fileparts (file_in_loadpath ("__tfm_forward__.mex"));
inst = fileparts (which ("tfm_forward"));
R = cell (0, 10);
t_all = tic ();

pk = bench_sgemm_rate (2048, 5);
R = bench_add_row (R, "peak", "sgemm 2048 (Octave single*single)", "GFLOP/s", pk, "", "", "");
pk = max (pk);

## ---- 7B-class layers: bf16 and float32 -------------------------------------
B = 1;  T = 512;
shape = sprintf (["'hidden_size', 4096, 'intermediate_size', 11008, 'num_attention_heads', 32, " ...
                  "'num_key_value_heads', 32, 'vocab_size', 32000, 'num_hidden_layers', %d"], layers);
body = sprintf (["ids = mod ((0:%d-1)' * 7919 + (0:%d-1) * 104729, 32000); " ...
                 "tfm_forward (m, ids); t = zeros (1, %d); fl = 0; " ...
                 "for r = 1:%d, __tfm_forward__ ('profile', true); t0 = tic (); x = tfm_forward (m, ids); " ...
                 "t(r) = toc (t0); p = __tfm_forward__ ('profile', false); fl = p(4); clear x; end; " ...
                 "printf ('RES %%d %%d %%d %%.6g ', wb, h0, hwm (), fl); printf ('%%.6g ', t); printf ('\\n');"],
                B, T, reps, reps);
label = sprintf ("Llama 7B-class layers 4096/%d layers/32h/11008", layers);
for dt = {"bfloat16", "single"}
  v = child (octave, src, inst, sprintf ("tfm_create ('llama', %s, 'DType', '%s', 'Seed', 7)",
                                         shape, dt{1}), body);
  [wb, h0, h1, fl] = deal (v(1), v(2), v(3), v(4));
  t = v(5:end);
  name = sprintf ("%s, %s weights, B=%d T=%d", label, dt{1}, B, T);
  R = bench_add_row (R, "big", [name " tokens/s"], "tokens/s", B * T ./ t, "", "", "");
  R = bench_add_row (R, "big", [name " GFLOP/s"], "GFLOP/s", fl ./ t / 1e9, "", "",
               sprintf ("%.1f GFLOP per forward", fl / 1e9));
  R = bench_add_row (R, "big", [name " / sgemm peak"], "ratio", fl ./ t / 1e9 / pk, "", "",
               sprintf ("against %.1f GFLOP/s measured above", pk));
  R = bench_add_row (R, "big", [name " peak RSS / weights"], "ratio", h1 * 1024 / wb, "", "",
               sprintf ("peak %.0f MB (Octave alone %.0f MB), weights %.0f MB", h1 / 1024,
                        h0 / 1024, wb / 2^20));
  times.(dt{1}) = t;
endfor
R = bench_add_row (R, "big", [label " bf16 time / float32 time"], "ratio",
             times.bfloat16 ./ median (times.single), "", "",
             "16-bit weights widened panel by panel inside the products (below 1: the fresh panels multiply faster than float32 weights read in place)");

## ---- peak memory of a forward: bf16 against float32 --------------------------
shape = ["'hidden_size', 2048, 'intermediate_size', 5632, 'num_attention_heads', 16, " ...
         "'num_key_value_heads', 4, 'vocab_size', 32000, 'num_hidden_layers', 8"];
body = ["ids = mod ((0:1)' * 7919 + (0:255) * 104729, 32000); x = tfm_forward (m, ids); clear x; " ...
        "printf ('RES %d %d %d\\n', wb, h0, hwm ());"];
for dt = {"bfloat16", "single"}
  v = child (octave, src, inst, sprintf ("tfm_create ('llama', %s, 'DType', '%s')", shape,
                                         dt{1}), body);
  peak.(dt{1}) = v(3) - v(2);           # above Octave's own footprint
  wmb.(dt{1}) = v(1) / 2^20;
endfor
ratio = peak.bfloat16 / peak.single;
R = bench_add_row (R, "memory", "Llama 2048/8/16h/4kv/5632 forward 2x256: peak bf16 / peak float32", "ratio",
             ratio, "<= 0.55", tf (ratio <= 0.55),
             sprintf ("%.0f MB vs %.0f MB above Octave's own (weights %.0f vs %.0f MB)",
                      peak.bfloat16 / 1024, peak.single / 1024, wmb.bfloat16, wmb.single));

## ---- output -------------------------------------------------------------------
cpu = strtrim (regexprep (regexp (fileread ("/proc/cpuinfo"), 'model name\s*:\s*([^\n]*)', ...
                                  "tokens", "once"){1}, '\s+', ' '));
bench_table (R, sprintf ("# octave-cka 16-bit weights benchmark: %s, %d CPUs; %.0f s", cpu,
                         nproc (), toc (t_all)), fullfile (outdir, "bench_bigmodel.csv"));
