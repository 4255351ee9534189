#!/bin/bash
# Peak memory (VmHWM, Linux) of a 12-vs-12-layer cka_compare against one
# forward pass, each measured in a fresh octave-cli process:
#   base     the two models created (12-layer BERT and GPT-2)
#   forward  + one BERT forward pass of one batch (no hook)
#   hooks12  + one BERT forward returning the 12 block outputs (what a
#              non-streaming implementation keeps per batch and model)
#   compare  + cka_compare(bert, gpt2) over 4 batches, 12 x 12 block layers
# Sizes: hidden H, seq T, batch B (env), defaults 256 / 128 / 32.
# Not part of the pass/fail suite.  Usage: tests/bench/cka_memory.sh (or CKA_BENCH_ALL=1 make bench, via bench_cka_memory.m)
set -eu
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
BUILDDIR=${BUILDDIR%/src}
H=${H:-256}; T=${T:-128}; B=${B:-32}
run() {
  octave-cli --no-gui --norc --silent --eval "
    addpath ('$BUILDDIR/src', '$SRCDIR/inst');
    H = $H; T = $T; B = $B;
    bert = tfm_create ('bert', 'hidden_size', H, 'num_hidden_layers', 12, ...
                       'num_attention_heads', 4, 'intermediate_size', 4*H, ...
                       'vocab_size', 1000, 'max_position_embeddings', T, 'Seed', 1);
    gpt2 = tfm_create ('gpt2', 'n_embd', H, 'n_layer', 12, 'n_head', 4, ...
                       'vocab_size', 1000, 'n_positions', T, 'Seed', 2);
    ids = mod ((0:4*B-1)' * 37 + (0:T-1) * 11, 1000);
    hwm = @() sscanf (regexp (fileread ('/proc/self/status'), 'VmHWM:\s*(\d+)', 'tokens', 'once'){1}, '%d');
    base = hwm ();
    switch ('$1')
      case 'forward'
        x = tfm_forward (bert, ids(1:B,:));
      case 'hooks12'
        [x, a] = tfm_forward (bert, ids(1:B,:), 'Hooks', tfm_modules (bert, 'blocks'));
      case 'compare'
        tic; R = cka_compare (bert, gpt2, ids, 'BatchSize', B, 'Progress', false); t = toc;
        printf ('# compare: %dx%d matrix, %d batches in %.2f s\n', rows (R.cka), columns (R.cka), R.n_batches, t);
    endswitch
    printf ('%-8s peak %7.1f MB  (%+7.1f MB over the models)\n', '$1', hwm () / 1024, (hwm () - base) / 1024);
  "
}
echo "# 12-layer BERT and GPT-2, hidden $H, batch $B x seq $T"
echo "# one block output: $((B * T * H * 4 / 1024)) KB float32; all 12: $((12 * B * T * H * 4 / 1024)) KB"
for what in base forward hooks12 compare; do run "$what"; done
