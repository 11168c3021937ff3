# One R `paths`-style bootstrap replicate with BART on the design of keytech's bench/paths.ts:
# 435 counties x 22 years (9,570 rows), staggered A = Treat x Post, 3 ordered mediators, x1, x2 + year dummies.
# paths(): K + 1 = 4 outcome models y ~ a + x [+ m1 [+ m2 [+ m3]]] fitted with wbart (200 trees, nskip 100,
# ndpost 1000), each predicting at a = 0 and a = 1 for every row (2n test rows), plus the hybrid estimator's
# propensity a ~ x by pbart (50 trees). A cluster-bootstrap replicate resamples the 435 counties with replacement.
# Usage: Rscript bart-replicate.R [PKG]   (PKG = BART or BART3, the development version of BART)
args <- commandArgs(trailingOnly = TRUE)
pkg <- if (length(args) >= 1) args[1] else "BART3"
suppressPackageStartupMessages(library(pkg, character.only = TRUE))
cat(sprintf("R %s, %s %s\n", getRversion(), pkg, packageVersion(pkg)))
set.seed(2025)
units <- 435; years <- 22; n <- units * years
u <- rep(seq_len(units), each = years); t <- rep(0:(years - 1), units); yr <- 2000 + t
alpha <- rnorm(units)[u]
cohort <- c(2013, 2014, 2017, 0)[findInterval(u - 1, c(0, 60, 120, 160))]
a <- as.numeric(cohort > 0 & yr >= cohort)
x1 <- alpha + rnorm(n); x2 <- 0.05 * t + rnorm(n)
m1 <- 0.2 * a + 0.3 * x1 + rnorm(n)
m2 <- 0.3 * a + 0.4 * m1 + 0.2 * x2 + rnorm(n)
m3 <- 0.2 * a + 0.3 * m2 + 0.1 * m1 + rnorm(n)
y <- 0.25 * a + 4 * m1 + 2 * m2 + 1.5 * m3 + alpha + 0.1 * t + 2 * rnorm(n)
yd <- model.matrix(~ factor(yr))[, -1]          # 21 year indicators
X <- cbind(x1 = x1, x2 = x2, yd)

# the replicate's resample of counties
set.seed(7)
pick <- sample(units, units, replace = TRUE)
rows <- unlist(lapply(pick, function(k) which(u == k)))
cat(sprintf("replicate: %d rows, %d distinct counties\n", length(rows), length(unique(pick))))

t_all <- proc.time()
fit_model <- function(k) {
  M <- list(NULL, cbind(m1), cbind(m1, m2), cbind(m1, m2, m3))[[k + 1]]
  Z <- cbind(a = a, X, M)[rows, , drop = FALSE]
  Z0 <- Z; Z0[, "a"] <- 0; Z1 <- Z; Z1[, "a"] <- 1
  t0 <- proc.time()
  f <- wbart(Z, y[rows], x.test = rbind(Z0, Z1), ntree = 200L, nskip = 100L, ndpost = 1000L, printevery = 100000L)
  dt <- proc.time() - t0
  cat(sprintf("  wbart model %d (p = %d, n = %d, %d test rows): wall %.1f s, cpu %.1f s\n", k, ncol(Z), nrow(Z),
              2 * nrow(Z), dt[["elapsed"]], dt[["user.self"]] + dt[["sys.self"]]))
  invisible(mean(f$yhat.test.mean[seq_len(nrow(Z)) + nrow(Z)] - f$yhat.test.mean[seq_len(nrow(Z))]))
}
eff <- sapply(0:3, fit_model)
t0 <- proc.time()
p <- pbart(X[rows, ], a[rows], ntree = 50L, nskip = 100L, ndpost = 1000L, printevery = 100000L)
dt <- proc.time() - t0
cat(sprintf("  pbart propensity (50 trees, p = %d): wall %.1f s, cpu %.1f s\n", ncol(X), dt[["elapsed"]],
            dt[["user.self"]] + dt[["sys.self"]]))
tot <- proc.time() - t_all
cat(sprintf("one replicate: wall %.1f s, cpu %.1f s; mean a-effects by model: %s\n", tot[["elapsed"]],
            tot[["user.self"]] + tot[["sys.self"]], paste(sprintf("%.3f", eff), collapse = " ")))
