// cref64.c: the float64 twin of ../shared/bench/cref.c (the C yardstick of
// lsce's kernels): the same fused label-smoothing cross-entropy loop, forward
// and forward with the gradient, over an N×C matrix of doubles, written the
// way a careful C programmer would and left to the compiler to vectorise
// (gcc -O3 -march=native -ffast-math uses libmvec's vector exp).
//
//   gcc -O3 -march=native -ffast-math -o cref64 cref64.c -lm
//   ./cref64 4096 32000   # JSON: read_ms, read_gbps, forward_ms, forward_backward_ms (medians of 5)
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// loss of one row with target y and smoothing eps; writes the gradient when g != NULL.
static double row_loss(const double *x, int c, int y, double eps, double *g) {
  double m = -INFINITY;
  for (int k = 0; k < c; k++) m = x[k] > m ? x[k] : m;
  double s = 0, sx = 0;
  for (int k = 0; k < c; k++) {
    s += exp(x[k] - m);
    sx += x[k];
  }
  double lse = m + log(s);
  double loss = (1 - eps) * (lse - x[y]) + eps * (lse - sx / c);
  if (g) {
    double inv = 1 / s, u = eps / c;
    for (int k = 0; k < c; k++) g[k] = exp(x[k] - m) * inv - u;
    g[y] -= 1 - eps;
  }
  return loss;
}

static int by_value(const void *a, const void *b) {
  double d = *(const double *)a - *(const double *)b;
  return (d > 0) - (d < 0);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: cref64 ROWS CLASSES\n");
    return 2;
  }
  int n = atoi(argv[1]), c = atoi(argv[2]);
  size_t total = (size_t)n * (size_t)c;
  double *x = aligned_alloc(64, total * sizeof(double));
  double *g = aligned_alloc(64, total * sizeof(double));
  int *y = malloc((size_t)n * sizeof(int));
  srand(1);  // same data as cref.c: uniform in [-3, 3]
  for (size_t i = 0; i < total; i++) x[i] = ((rand() % 20000) - 10000) / 3333.0;
  for (int i = 0; i < n; i++) y[i] = rand() % c;
  memset(g, 0, total * sizeof(double));
  volatile double keep = 0;
  double med[3];
  for (int mode = 0; mode < 3; mode++) {  // 0: read sweep, 1: forward, 2: forward + gradient
    double t[5];
    for (int r = 0; r < 5; r++) {
      double start = seconds(), acc = 0;
      if (mode == 0) {
        for (size_t i = 0; i < total; i++) acc += x[i];
      } else {
        for (int i = 0; i < n; i++)
          acc += row_loss(x + (size_t)i * c, c, y[i], 0.1, mode == 2 ? g + (size_t)i * c : NULL);
      }
      keep += acc / n;
      t[r] = seconds() - start;
    }
    qsort(t, 5, sizeof t[0], by_value);
    med[mode] = t[2] * 1e3;
  }
  printf("{\"read_ms\": %.3f, \"read_gbps\": %.2f, \"forward_ms\": %.3f, \"forward_backward_ms\": %.3f}\n",
         med[0], (double)total * sizeof(double) / med[0] / 1e6, med[1], med[2]);
  return 0;
}
