## hsic against pytorch-cka's pure functions on plain random matrices
## (tests/fixtures/core/core_cases.mat, see the fixtures README).

%!shared C
%! d = load (fixture_path ("core", "core_cases.mat"));
%! C = {d.case1, d.case2, d.case3, d.case4};

%!test
%! for k = 1:numel (C)
%!   c = C{k};
%!   K = c.gram_linear_X;  L = c.gram_linear_Y;
%!   assert (hsic (K, L, "Unbiased", false), c.hsic_biased_KxKy, -1e-12);
%!   assert (hsic (K, L, "Epsilon", 1e-10), c.hsic_unbiased_KxKy_eps_1e_10, -1e-12);
%!   assert (hsic (K, L, "Epsilon", 1e-6), c.hsic_unbiased_KxKy_eps_1e_6, -1e-12);
%!   assert (hsic (K, K, "Epsilon", 1e-6), c.hsic_unbiased_KxKx_eps_1e_6, -1e-12);
%! endfor

%!test
%! ## CKA assembled from HSIC values as pytorch-cka's cka_from_gram does:
%! ## hsic_xy / (sqrt (hsic_xx * hsic_yy) + eps)
%! for k = 1:numel (C)
%!   c = C{k};
%!   K = c.gram_linear_X;  L = c.gram_linear_Y;
%!   for unb = [true, false]
%!     hxy = hsic (K, L, "Unbiased", unb, "Epsilon", 1e-10);
%!     hxx = hsic (K, K, "Unbiased", unb, "Epsilon", 1e-10);
%!     hyy = hsic (L, L, "Unbiased", unb, "Epsilon", 1e-10);
%!     got = hxy / (sqrt (max (hxx * hyy, 0)) + 1e-10);
%!     if (unb)
%!       assert (got, c.cka_from_gram_unbiased_eps_1e_10, -1e-12);
%!     else
%!       assert (got, c.cka_from_gram_biased_eps_1e_10, -1e-12);
%!     endif
%!   endfor
%! endfor
