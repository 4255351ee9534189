#!/bin/bash
# Submit the shards and the merge step.  Edit the paths; run from this folder.
set -euo pipefail
export CKA_MODEL1=$HOME/models/pythia-160m
export CKA_MODEL2=$HOME/models/pythia-410m      # or unset: CKA_MODEL1 with itself
export CKA_DATA=$HOME/data/sentences.txt
export CKA_OUT=$PWD/cka-out
export CKA_SHARDS=8                              # = the size of --array
mkdir -p logs "$CKA_OUT"
array=$(sbatch --parsable --export=ALL --array=1-$CKA_SHARDS cka_shards.sbatch)
sbatch --export=ALL --dependency=afterok:"$array" cka_merge.sbatch
echo "submitted array job $array and its merge step"
