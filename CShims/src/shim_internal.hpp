// Internal helpers shared by the shim's translation units. Never included from Swift.
#pragma once

#include <opencv2/core.hpp>

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "rollcall_shim.h"

struct rc_image {
    cv::Mat mat;  // 8-bit BGR, continuous or not
};

namespace rc {

/// Fills `err` (when given) and returns `code`: the one way a failure leaves the shim.
inline rc_status fail(rc_error *err, rc_status code, const std::string &message) {
    if (err) {
        err->code = code;
        std::snprintf(err->message, sizeof(err->message), "%s", message.c_str());
    }
    return code;
}

/// Runs `body` and turns any C++ exception into an error code, so none crosses the C boundary.
template <typename Body>
rc_status guarded(rc_error *err, Body &&body) {
    try {
        return body();
    } catch (const cv::Exception &ex) {
        return fail(err, RC_OPENCV, std::string("OpenCV: ") + ex.what());
    } catch (const std::bad_alloc &) {
        return fail(err, RC_OPENCV, "out of memory");
    } catch (const std::exception &ex) {
        return fail(err, RC_UNKNOWN, ex.what());
    } catch (...) {
        return fail(err, RC_UNKNOWN, "unexpected C++ exception");
    }
}

inline int align32(int v) { return (v + 31) / 32 * 32; }

/// While alive, nets loaded on this thread get RollCall's convolution kernels (own_convolution.hpp).
/// The embedder loads its network inside one; the detector does not.
struct EmbedderLoading {
    EmbedderLoading();
    ~EmbedderLoading();
    EmbedderLoading(const EmbedderLoading &) = delete;
    EmbedderLoading &operator=(const EmbedderLoading &) = delete;
};

}  // namespace rc
