/* peak.c - the FMA peak of one core, for tools/bench/bench.py.
 *
 * Times independent chains of fused multiply-adds on the widest vectors
 * the compiler targets (-march=native: AVX-512 where there is some, else
 * AVX2 or SSE) and prints the GFLOP/s, the best of several trials. Twelve
 * accumulators cover the FMA latency on two pipes. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define SUM(v) _mm512_reduce_add_ps(v)
#elif defined(__FMA__)
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
static float sum8(__m256 v) {
  float f[8];
  _mm256_storeu_ps(f, v);
  return f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7];
}
#define SUM(v) sum8(v)
#else
#error "peak.c needs FMA (AVX2) or AVX-512"
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  const long iterations = 20000000;
  double best = 0;
  float sink = 0;
  for (int trial = 0; trial < 5; ++trial) {
    vec a = SET1(0.999f), b = SET1(1e-7f);
    /* Named accumulators, so that they stay in registers. */
    vec c0 = SET1(0), c1 = SET1(1), c2 = SET1(2), c3 = SET1(3), c4 = SET1(4),
        c5 = SET1(5), c6 = SET1(6), c7 = SET1(7), c8 = SET1(8), c9 = SET1(9),
        c10 = SET1(10), c11 = SET1(11);
    double start = now();
    for (long n = 0; n < iterations; ++n) {
      c0 = FMA(c0, a, b);
      c1 = FMA(c1, a, b);
      c2 = FMA(c2, a, b);
      c3 = FMA(c3, a, b);
      c4 = FMA(c4, a, b);
      c5 = FMA(c5, a, b);
      c6 = FMA(c6, a, b);
      c7 = FMA(c7, a, b);
      c8 = FMA(c8, a, b);
      c9 = FMA(c9, a, b);
      c10 = FMA(c10, a, b);
      c11 = FMA(c11, a, b);
    }
    double seconds = now() - start;
    vec total =
        ADD(ADD(ADD(ADD(c0, c1), ADD(c2, c3)), ADD(ADD(c4, c5), ADD(c6, c7))),
            ADD(ADD(c8, c9), ADD(c10, c11)));
    sink += SUM(total);
    double gflops = 2.0 * LANES * 12 * iterations / seconds / 1e9;
    if (gflops > best)
      best = gflops;
  }
  printf("%.1f %d %g\n", best, LANES, sink);
  return 0;
}
