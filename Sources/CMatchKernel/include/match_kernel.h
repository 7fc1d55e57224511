// Integer dot products for the matcher's coarse pass over int8-quantised templates.
// Plain C so the compiler can vectorise it for the CPU it runs on (AVX2 / AVX-512 VNNI when present).
#ifndef RC_MATCH_KERNEL_H
#define RC_MATCH_KERNEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// out[r] = Σ_i rows[r * dim + i] · probe[i] for r in 0 ..< count. Exact (int32 cannot overflow: |dot| ≤ dim · 127²,
/// and dim is at most 65,536).
void rc_dot_i8_rows(const int8_t *rows, int64_t count, int32_t dim, const int8_t *probe, int32_t *out);

#ifdef __cplusplus
}
#endif

#endif
