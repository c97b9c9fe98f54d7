/* peak.c - the FMA peak of one core, for tools/bench/bench.py.
 *
 * Times independent chains of fused multiply-adds on the widest vectors
 * the compiler targets (-march=native: AVX-512 where there is some, else
 * AVX2 or SSE) and prints the GFLOP/s, the best of several trials. Twelve
 * accumulators cover the FMA latency on two pipes. With AVX512-VNNI it
 * times vpdpbusd chains the same way (4 multiply-adds of bytes per 32-bit
 * lane) and prints their GOP/s too, else 0. */
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

/* The best of 5 trials of 12 independent chains of `iterations` steps
 * c = STEP(c, a, b) on vectors of TYPE (accumulators from ZERO, totalled by
 * ADD_ and reduced into `sink` by SUM_), in giga-operations per second of
 * OPS per step. */
#define TIME_CHAINS(best, sink, TYPE, ZERO, A, B, STEP, ADD_, SUM_, OPS)       \
  do {                                                                         \
    const long iterations = 20000000;                                          \
    for (int trial = 0; trial < 5; ++trial) {                                  \
      TYPE a = A, b = B;                                                       \
      /* Independent accumulators (the loops unroll; they stay in            \
       * registers). */                                                      \
      TYPE c[12];                                                              \
      for (int i = 0; i < 12; ++i)                                             \
        c[i] = ZERO;                                                           \
      double start = now();                                                    \
      for (long n = 0; n < iterations; ++n) {                                  \
        _Pragma("GCC unroll 12") for (int i = 0; i < 12; ++i) c[i] =           \
            STEP(c[i], a, b);                                                  \
      }                                                                        \
      double seconds = now() - start;                                          \
      TYPE total = c[0];                                                       \
      for (int i = 1; i < 12; ++i)                                             \
        total = ADD_(total, c[i]);                                             \
      sink += SUM_(total);                                                     \
      double rate = (OPS) * 12.0 * iterations / seconds / 1e9;                 \
      if (rate > best)                                                         \
        best = rate;                                                           \
    }                                                                          \
  } while (0)

int main(void) {
  double best = 0;
  float sink = 0;
  TIME_CHAINS(best, sink, vec, SET1(0), SET1(0.999f), SET1(1e-7f), FMA, ADD,
              SUM, 2.0 * LANES);
  double int8 = 0;
  int int8Sink = 0;
#if defined(__AVX512VNNI__)
  /* 64 byte pairs per vpdpbusd, 2 operations each. */
  TIME_CHAINS(int8, int8Sink, __m512i, _mm512_set1_epi32(0),
              _mm512_set1_epi8(1), _mm512_set1_epi8(-1), _mm512_dpbusd_epi32,
              _mm512_add_epi32, _mm512_reduce_add_epi32, 2.0 * 64);
#endif
  printf("%.1f %d %g %.1f %d\n", best, LANES, sink, int8, int8Sink);
  return 0;
}
