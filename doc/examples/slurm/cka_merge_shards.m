## The merge step after the job array of cka_shards.sbatch: every
## shard-*-of-<N>.mat of CKA_OUT merged into cka-result.mat (the
## cka_compare result of the whole run) and cka-heatmap.png.  cka_merge
## refuses a missing shard, a shard given twice or a shard of another run,
## naming it.  N is CKA_SHARDS (or SLURM_ARRAY_TASK_COUNT).

if (! exist ("cka_merge"))
  pkg load cka
endif
out = getenv ("CKA_OUT");
N = getenv ("CKA_SHARDS");
if (isempty (N))
  N = getenv ("SLURM_ARRAY_TASK_COUNT");
endif
if (isempty (out) || isempty (N))
  error ("cka_merge_shards: set CKA_OUT and CKA_SHARDS");
endif
N = str2double (N);
files = glob (fullfile (out, sprintf ("shard-*-of-%03d.mat", N)));
printf ("merging %d shard files of %s\n", numel (files), out);
R = cka_merge (files);
cka_save (R, fullfile (out, "cka-result.mat"));
plot_cka_heatmap (R, "File", fullfile (out, "cka-heatmap.png"), "Visible", "off");
printf ("CKA of %d samples in %d batches (%d shards) -> %s\n", R.n_samples, R.n_batches, N,
        fullfile (out, "cka-result.mat"));
