// libFuzzer harness: the shim's image decode (rc_image_decode_bytes) with the pixel budget the engine uses.
// Every input must come back as RC_OK with an image within the budget, or as a clean error code: never a crash,
// a hang, or an allocation beyond the budget (libFuzzer's -malloc_limit_mb catches that).
#include <cstdint>
#include <cstdlib>

#include "rollcall_shim.h"

// The engine's default budget (Image.maxPixels: 50 megapixels, ~150 MB of BGR).
static const int64_t kMaxPixels = 50'000'000;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rc_image *image = nullptr;
    rc_error err{};
    rc_status status = rc_image_decode_bytes(data, size, kMaxPixels, &image, &err);
    if (status == RC_OK) {
        if (!image) abort();
        int64_t w = rc_image_width(image), h = rc_image_height(image);
        if (w <= 0 || h <= 0 || w * h > kMaxPixels) abort();
        rc_image_free(image);
    } else if (image != nullptr || err.code != status || err.message[0] == 0) {
        abort();  // a failure must leave no image and say why
    }
    return 0;
}
