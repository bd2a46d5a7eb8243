# The summary of bench/compare.sh: per row the medians of its rounds, then the paired ratios the targets are
# stated in.
#
#   awk -v large=TEAMS -f bench/compare-summary.awk NAMES RESULTS
#
# NAMES: the rows' names, one per line, in row order ("egress-guard 3 local", "egress-guard TEAMS public",
# "minimal webhook", ...). RESULTS: one line per row and round: "ROW ROUND REQUESTS/S P50_MS P99_MS ERRORS NON2XX",
# ROW counted from 0 in the order of NAMES.

# the median of a[1..n] (sorted in place: a handful of rounds)
function median(a, n,   i, j, t) {
  for (i = 2; i <= n; i++)
    for (j = i; j > 1 && a[j] < a[j - 1]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

# the figure ("rps", "p50" or "p99") of row i in round r
function figure(what, i, r) {
  return what == "rps" ? rps[i, r] : what == "p50" ? p50[i, r] : p99[i, r]
}

# row i's figure over its rounds: "median (lowest-highest)", numbers printed with format f
function over_rounds(what, i, f,   a, r, lo, hi) {
  for (r = 1; r <= n[i]; r++) {
    a[r] = figure(what, i, r)
    if (r == 1 || a[r] < lo) lo = a[r]
    if (r == 1 || a[r] > hi) hi = a[r]
  }
  return sprintf(f " (" f "-" f ")", median(a, n[i]), lo, hi)
}

# Row a against row b, round by round (the two were measured in the same round, a minute apart at most), and the
# median of those ratios: a slow or disturbed stretch of the run falls on both rows of its round rather than on one
# side of the comparison. Sets ratios[1..nratios] (the rounds' ratios, in round order) and returns their median,
# taken from a copy: median() sorts in place.
function paired(what, a, b,   r, q) {
  for (r = 1; r <= n[a]; r++) {
    ratios[r] = q[r] = figure(what, a, r) / figure(what, b, r)
  }
  nratios = n[a]
  return median(q, n[a])
}

# the rounds' ratios of the last paired() call, as "x, y, z" with format f after multiplying by k
function listed(f, k,   r, s) {
  for (r = 1; r <= nratios; r++) s = s (r > 1 ? ", " : "") sprintf(f, k * ratios[r])
  return s
}

NR == FNR { name[NR - 1] = $0; row[$0] = NR - 1; rows = NR; next }
{ r = ++n[$1]; rps[$1, r] = $3; p50[$1, r] = $4; p99[$1, r] = $5; errors += $6 + $7 }

END {
  for (i = 0; i < rows; i++) {
    printf "%-28s requests/s %s  p50 %s ms  p99 %s ms\n", name[i], over_rounds("rps", i, "%.0f"),
      over_rounds("p50", i, "%.2f"), over_rounds("p99", i, "%.2f")
  }
  sl = row["egress-guard 3 local"]; ll = row["egress-guard " large " local"]
  sp = row["egress-guard 3 public"]; lp = row["egress-guard " large " public"]; m = row["minimal webhook"]
  print "\nratios: the median of the rounds' ratios (each round's from the two rows measured in it)"
  x = paired("rps", ll, sl)
  printf "local review,  %s vs 3 teams: %.0f %% (target >= 80 %%; rounds %s)\n", large, 100 * x, listed("%.0f", 100)
  x = paired("rps", lp, sp)
  printf "public review, %s vs 3 teams: %.0f %% (target >= 80 %%; rounds %s)\n", large, 100 * x, listed("%.0f", 100)
  x = paired("rps", ll, m)
  printf "local review at %s vs the minimal webhook: %.0f %% (target >= 50 %%; rounds %s)\n", large, 100 * x,
    listed("%.0f", 100)
  x = paired("p99", ll, m)
  printf "p99 of the local review at %s vs the minimal webhook: %.1fx (target <= 2x; rounds %s)\n", large, x,
    listed("%.1f", 1)
  x = paired("p99", lp, m)
  printf "p99 of the public review at %s vs the minimal webhook: %.1fx (target <= 2x; rounds %s)\n", large, x,
    listed("%.1f", 1)
  printf "errors and non-2xx answers, all rows and rounds: %d (target 0)\n", errors
}
