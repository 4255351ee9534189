## One task of a Slurm job array: shard k of N of a cka_compare run, saved
## as shard-<k>-of-<N>.mat for cka_merge_shards.m (see README.md here and
## section 9 of the guide).  Run by cka_shards.sbatch; settings come from
## the environment:
##   SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT
##                 which shard (set by Slurm: --array=1-8 gives 8 shards)
##   CKA_MODEL1    model folder (config.json, *.safetensors, tokenizer files)
##   CKA_MODEL2    second model folder; unset or empty: CKA_MODEL1 with itself
##   CKA_DATA      text file, one sentence per line
##   CKA_OUT       output folder (shared by all tasks)
##   CKA_BATCH     sentences per batch (default 32)
##   CKA_MAXLEN    tokens per sentence at most (default 128)
##   CKA_POOLING   mean, first, last or flatten (default mean)
## A task that is requeued (preempted, node failure) resumes from its
## checkpoint; a task whose shard file exists has nothing to do.

if (! exist ("cka_compare"))
  pkg load cka
endif

function v = setting (name, default)
  v = getenv (name);
  if (isempty (v))
    if (nargin < 2)
      error ("cka_shard_task: set the environment variable %s", name);
    endif
    v = default;
  endif
endfunction

first = str2double (setting ("SLURM_ARRAY_TASK_MIN", "1"));
k = str2double (setting ("SLURM_ARRAY_TASK_ID")) - first + 1;
N = str2double (setting ("SLURM_ARRAY_TASK_COUNT"));
out = setting ("CKA_OUT");
done_file = fullfile (out, sprintf ("shard-%03d-of-%03d.mat", k, N));
ckpt = fullfile (out, sprintf ("shard-%03d-of-%03d.checkpoint.mat", k, N));
if (exist (done_file, "file"))
  printf ("shard %d of %d: %s exists, nothing to do\n", k, N, done_file);
  return;
endif

dir1 = setting ("CKA_MODEL1");
model1 = tfm_load (dir1);
model1.tokenizer = tfm_tokenizer (dir1);
model2 = [];
dir2 = setting ("CKA_MODEL2", "");
if (! isempty (dir2))
  model2 = tfm_load (dir2);
  model2.tokenizer = tfm_tokenizer (dir2);
endif
texts = strtrim (strsplit (fileread (setting ("CKA_DATA")), "\n"));
texts = texts(! cellfun (@isempty, texts));

resume = "";
if (exist (ckpt, "file"))
  resume = ckpt;                        # a requeued task continues
endif
R = cka_compare (model1, model2, texts, "Shard", [k N],
                 "BatchSize", str2double (setting ("CKA_BATCH", "32")),
                 "MaxLength", str2double (setting ("CKA_MAXLEN", "128")),
                 "Pooling", setting ("CKA_POOLING", "mean"),
                 "Checkpoint", ckpt, "Resume", resume);
cka_save (R, done_file);                # atomic: a file here is a whole shard
delete (ckpt);
printf ("shard %d of %d: %d batches, %d samples -> %s\n", k, N, R.n_batches, R.n_samples,
        done_file);
