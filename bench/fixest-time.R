# Time R fixest on keytech's e2e benchmark panel (bench/e2e.ts), in one fresh Rscript process.
# Usage: Rscript fixest-time.R PANEL.csv [twfe|event|both] [THREADS] [FIXEF_TOL]
# Prints versions, thread counts, fread / feols wall seconds (elapsed) and process CPU seconds,
# then the coefficients and clustered SEs with 10 significant digits.
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
what <- if (length(args) >= 2) args[2] else "both"
nth <- if (length(args) >= 3) as.integer(args[3]) else 2L
ftol <- if (length(args) >= 4) as.numeric(args[4]) else 1e-6  # feols fixef.tol (fixest default 1e-6)

t_start <- proc.time()
suppressPackageStartupMessages({
  library(data.table)
  library(fixest)
})
setDTthreads(nth)
setFixest_nthreads(nth)
cat(sprintf("R %s, fixest %s, data.table %s, Rcpp %s; threads: data.table %d, fixest %d\n",
            getRversion(), packageVersion("fixest"), packageVersion("data.table"),
            packageVersion("Rcpp"), getDTthreads(), getFixest_nthreads()))

timed <- function(label, expr) {
  t0 <- proc.time()
  v <- force(expr)
  dt <- proc.time() - t0
  cat(sprintf("%-34s wall %7.2f s  cpu %7.2f s\n", label, dt[["elapsed"]],
              dt[["user.self"]] + dt[["sys.self"]]))
  invisible(v)
}

show_fit <- function(fit) {
  ct <- coeftable(fit)
  for (k in rownames(ct))
    cat(sprintf("  %-12s coef % .15e  se %.15e\n", k, ct[k, 1], ct[k, 2]))
  cat(sprintf("  nobs %d\n", nobs(fit)))
}

d <- timed("fread", fread(path, nThread = nth))
cat(sprintf("  %d rows x %d columns\n", nrow(d), ncol(d)))

if (what %in% c("twfe", "both")) {
  timed("treat_post column", d[, treat_post := as.numeric(cohort > 0 & year >= cohort)])
  fit <- timed("feols TWFE", feols(y ~ treat_post + x1 + x2 + x3 | unit + year, d, cluster = ~unit, fixef.tol = ftol))
  show_fit(fit)
}
if (what %in% c("event", "both")) {
  # keytech did event --window -4:5: endpoints binned, never-treated units rel = -1000 (no dummy), ref -1
  timed("rel column", d[, rel := ifelse(cohort > 0, pmin(pmax(year - cohort, -4L), 5L), -1000L)])
  fit <- timed("feols event study",
               feols(y ~ i(rel, ref = c(-1, -1000)) + x1 + x2 + x3 | unit + year, d, cluster = ~unit, fixef.tol = ftol))
  show_fit(fit)
}
tot <- proc.time() - t_start
cat(sprintf("%-34s wall %7.2f s  cpu %7.2f s (this R session after start-up; children incl. %.2f)\n",
            "in-script total", tot[["elapsed"]], tot[["user.self"]] + tot[["sys.self"]],
            tot[["user.self"]] + tot[["sys.self"]] + tot[["user.child"]] + tot[["sys.child"]]))
