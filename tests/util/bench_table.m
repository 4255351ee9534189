## Print a benchmark table and write it as CSV.  R has one row per case:
## {section, case, unit, median, min, max, runs, target, status, note}
## (the rows of bench_perf and bench_bigmodel); title is the line printed
## above it, csvfile the file written.
function bench_table (R, title, csvfile)
  printf ("\n%s\n", title);
  printf ("%-8s %-84s %10s %10s %10s %-9s %-12s %s\n", "section", "case", "median", "min",
          "max", "unit", "target", "");
  for k = 1:rows (R)
    printf ("%-8s %-84s %10.4g %10.4g %10.4g %-9s %-12s %s %s\n", R{k, 1}, R{k, 2}, R{k, 4},
            R{k, 5}, R{k, 6}, R{k, 3}, R{k, 8}, R{k, 9}, R{k, 10});
  endfor
  fid = fopen (csvfile, "w");
  fprintf (fid, "section,case,unit,median,min,max,runs,target,status,note\n");
  for k = 1:rows (R)
    fprintf (fid, "%s,\"%s\",%s,%.6g,%.6g,%.6g,%d,\"%s\",%s,\"%s\"\n", R{k, :});
  endfor
  fclose (fid);
endfunction
