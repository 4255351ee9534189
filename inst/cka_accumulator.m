## Copyright (C) 2026 octave-cka developers
## SPDX-License-Identifier: GPL-3.0-or-later

## -*- texinfo -*-
## @deftypefn  {cka} {@var{S} =} cka_accumulator (@var{layers1})
## @deftypefnx {cka} {@var{S} =} cka_accumulator (@var{layers1}, @var{layers2})
## @deftypefnx {cka} {@var{S} =} cka_accumulator (@dots{}, @var{Name}, @var{Value}, @dots{})
## An empty streaming-CKA accumulator for the layers @var{layers1} of one
## model against the layers @var{layers2} of another (or the same) model.
##
## @var{layers1} and @var{layers2} are cellstrs of layer names, or layer
## counts (the layers are then named @qcode{"1"}, @qcode{"2"}, @dots{}), at
## most 100000 per side (@code{cka:input:badLayers}); sums that would not fit
## in memory are @code{cka:input:tooLarge}.
## Without @var{layers2} (or with @code{[]}) both sides have the layers
## @var{layers1}.
##
## @var{S} is a plain struct that can be saved, loaded, resumed and merged:
##
## @table @code
## @item hsic_xy, hsic_xx, hsic_yy
## Sums over batches of HSIC(K_i, L_j) (@var{L1}x@var{L2}), HSIC(K_i, K_i)
## (@var{L1}x1), HSIC(L_j, L_j) (@var{L2}x1).
## @item n_samples, n_batches, batch_sizes
## What has been accumulated so far.
## @item layers1, layers2, model1_name, model2_name, config
## The layer lists, display names and the @code{cka_config} struct.
## @end table
##
## Feed it mini-batches of features with @code{cka_update}, read the CKA
## matrix with @code{cka_matrix}, combine shards with @code{cka_merge}.
##
## Options: the CKA options of @code{cka_config} (or @code{"Config", cfg}),
## @qcode{"Model1Name"}, @qcode{"Model2Name"} (display names), and the
## options of the estimator, the other measures and the uncertainty, as in
## @code{cka_compare}: @qcode{"Estimator"} (@qcode{"minibatch"} |
## @qcode{"full"}), @qcode{"Measure"}, @qcode{"SVCCAVariance"},
## @qcode{"Bootstrap"}, @qcode{"CILevel"}, @qcode{"Permutations"},
## @qcode{"Seed"}.  They add fields to @var{S}: @code{stats} (the options),
## @code{batch_hsic} (each batch's HSIC values, for the bootstrap),
## @code{perm_hsic_xy} (the permutation sums), @code{fsums} (feature-space
## sums: d1 x d2 doubles per layer pair) and @code{rsa_sums}.
## @code{cka_matrix (S, measure)} reads any measure;
## @code{cka_matrix (S, "stats")} the intervals and p-values.
##
## @example
## @group
## S = cka_accumulator (@{"a", "b"@}, @{"c"@});
## for b = 1:4
##   X = randn (8, 5);
##   S = cka_update (S, @{X, X.^2@}, @{X * randn (5, 3)@});
## endfor
## M = cka_matrix (S)
## @end group
## @end example
## @seealso{cka_update, cka_matrix, cka_merge, cka_compare, cka_config}
## @end deftypefn

function S = cka_accumulator (layers1, varargin)
  if (nargin < 1)
    print_usage ();
  endif
  layers2 = [];
  args = varargin;
  if (! isempty (args) && ! ischar (args{1}))
    layers2 = args{1};
    args = args(2:end);
  endif
  own = cka_stats_options ("defaults");
  own.Model1Name = "model1";
  own.Model2Name = "";
  [opts, given] = parse_options ("cka_accumulator", cka_option_defaults (own), args);
  cfg = cka_resolve_config ("cka_accumulator", opts, given);
  stats = cka_stats_options ("cka_accumulator", opts, cfg);
  layers1 = layer_list (layers1, "layers1");
  if (isempty (layers2))
    layers2 = layers1;
  else
    layers2 = layer_list (layers2, "layers2");
  endif
  cka_check_memory (2 * 8 * numel (layers1) * numel (layers2), "cka:input:tooLarge",
                    sprintf ("cka_accumulator: the sums of %d x %d layer pairs",
                             numel (layers1), numel (layers2)));
  m2 = opts.Model2Name;
  if (isempty (m2))
    m2 = opts.Model1Name;
  endif
  if (! (ischar (opts.Model1Name) && ischar (m2)))
    error ("cka:input:badOption", "cka_accumulator: model names must be strings");
  endif
  S = struct ("kind", "cka_accumulator",
              "layers1", {layers1}, "layers2", {layers2},
              "model1_name", opts.Model1Name, "model2_name", m2,
              "config", cfg,
              "hsic_xy", zeros (numel (layers1), numel (layers2)),
              "hsic_xx", zeros (numel (layers1), 1),
              "hsic_yy", zeros (numel (layers2), 1),
              "n_samples", 0, "n_batches", 0, "batch_sizes", zeros (0, 1));
  S = cka_stats_fields ("init", S, stats);
endfunction

function L = layer_list (L, what)
  max_layers = 1e5;    # far above any model's module count (Llama-70B: ~1300)
  if (isnumeric (L) && isscalar (L) && isreal (L) && L == fix (L) && L >= 1)
    if (L > max_layers)
      error ("cka:input:badLayers",
             "cka_accumulator: %s = %d is more than the %d layers accepted", what, L,
             max_layers);
    endif
    L = ostrsplit (sprintf ("%d\n", 1:L), "\n", true)';
  elseif (ischar (L) && (isrow (L) || isempty (L)))
    L = {L};
  elseif (iscellstr (L) && ! isempty (L))
    if (numel (L) > max_layers)
      error ("cka:input:badLayers",
             "cka_accumulator: %s lists %d layers, more than the %d accepted", what,
             numel (L), max_layers);
    endif
    L = L(:);
  else
    error ("cka:input:badLayers",
           "cka_accumulator: %s must be a non-empty cellstr of layer names or a layer count",
           what);
  endif
endfunction

%!test
%! S = cka_accumulator ({"a", "b"}, {"c"}, "Kernel", "rbf");
%! assert (S.layers1, {"a"; "b"});
%! assert (S.layers2, {"c"});
%! assert (size (S.hsic_xy), [2 1]);
%! assert (S.config.kernel, "rbf");
%! assert (S.n_samples, 0);
%!test
%! S = cka_accumulator (3);
%! assert (S.layers1, {"1"; "2"; "3"});
%! assert (S.layers2, S.layers1);
%! assert (S.model2_name, S.model1_name);
%!test
%! S = cka_accumulator (2, 1, "Config", cka_config ("Unbiased", false), ...
%!                      "Model1Name", "bert", "Model2Name", "gpt2");
%! assert (S.config.unbiased, false);
%! assert ({S.model1_name, S.model2_name}, {"bert", "gpt2"});
%!error <Invalid call> cka_accumulator ()
%!error id=cka:input:badLayers cka_accumulator ({})
%!error id=cka:input:badLayers cka_accumulator (0)
%!error id=cka:input:badLayers cka_accumulator (1e5 + 1, 1)
%!error id=cka:input:badLayers cka_accumulator (Inf)
%!error id=cka:input:badLayers cka_accumulator (2 + 1i)
%!error id=cka:input:tooLarge cka_accumulator (1e5, 1e5)
%!test
%! ## a long layer list is built at once (it took 37 s for 1e5 names)
%! t = tic ();
%! S = cka_accumulator (1e5, 1);
%! assert (toc (t) < 10);
%! assert (S.layers1([1 10 end]), {"1"; "10"; "100000"});
%! assert (size (S.hsic_xy), [1e5 1]);
%!error id=cka:input:unknownOption cka_accumulator (2, "Layers", 3)
