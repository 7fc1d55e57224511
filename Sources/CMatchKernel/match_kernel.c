#include "match_kernel.h"

// One loop, compiled three times: the compiler turns the int8 × int8 → int32 sum into vpmaddwd (AVX2) or
// vpdpwssd (AVX-512 VNNI). The build targets baseline x86-64, so the wide versions are picked at run time.
#define DOT_ROWS_BODY                                                          \
    for (int64_t r = 0; r < count; r++) {                                      \
        const int8_t *row = rows + r * (int64_t)dim;                           \
        int32_t acc = 0;                                                       \
        for (int32_t i = 0; i < dim; i++) acc += (int32_t)row[i] * probe[i];   \
        out[r] = acc;                                                          \
    }

static void dot_rows_generic(const int8_t *rows, int64_t count, int32_t dim, const int8_t *probe, int32_t *out) {
    DOT_ROWS_BODY
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2")))
static void dot_rows_avx2(const int8_t *rows, int64_t count, int32_t dim, const int8_t *probe, int32_t *out) {
    DOT_ROWS_BODY
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
static void dot_rows_avx512vnni(const int8_t *rows, int64_t count, int32_t dim, const int8_t *probe, int32_t *out) {
    DOT_ROWS_BODY
}
#endif

void rc_dot_i8_rows(const int8_t *rows, int64_t count, int32_t dim, const int8_t *probe, int32_t *out) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
        dot_rows_avx512vnni(rows, count, dim, probe, out);
        return;
    }
    if (__builtin_cpu_supports("avx2")) {
        dot_rows_avx2(rows, count, dim, probe, out);
        return;
    }
#endif
    dot_rows_generic(rows, count, dim, probe, out);
}
