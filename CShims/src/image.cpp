// Image decoding with a pixel budget checked from the header, before OpenCV allocates anything.
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <climits>
#include <fstream>
#include <sys/stat.h>
#include <malloc.h>
#include <vector>

#include "shim_internal.hpp"

namespace {

uint32_t be16(const uint8_t *p) { return (uint32_t(p[0]) << 8) | p[1]; }
uint32_t be32(const uint8_t *p) { return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3]; }
uint32_t le16(const uint8_t *p) { return uint32_t(p[0]) | (uint32_t(p[1]) << 8); }
uint32_t le24(const uint8_t *p) { return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16); }
int32_t le32(const uint8_t *p) { return int32_t(uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24)); }

struct HeaderInfo {
    bool known = false;      // a format whose header we read
    bool truncated = false;  // the header says the data stops early
    int64_t width = 0, height = 0;
    const char *format = "unknown";
};

/// Reads the dimensions from the headers of the common formats. JPEG: walks the markers to the
/// frame header, and also checks that an end-of-image marker follows the last scan (libjpeg
/// otherwise "decodes" a truncated file into a grey-filled image with only a warning).
HeaderInfo sniff(const uint8_t *d, size_t n) {
    HeaderInfo h;
    if (n >= 24 && std::memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0 && std::memcmp(d + 12, "IHDR", 4) == 0) {
        h.known = true; h.format = "PNG";
        h.width = be32(d + 16); h.height = be32(d + 20);
        return h;
    }
    if (n >= 4 && d[0] == 0xFF && d[1] == 0xD8) {
        h.known = true; h.format = "JPEG";
        size_t i = 2;
        size_t last_sos = 0;
        while (i + 4 <= n) {
            if (d[i] != 0xFF) { i++; continue; }
            uint8_t m = d[i + 1];
            if (m == 0xFF) { i++; continue; }
            if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { i += 2; continue; }
            if (m == 0xD9) break;
            uint32_t len = be16(d + i + 2);
            bool sof = (m >= 0xC0 && m <= 0xCF) && m != 0xC4 && m != 0xC8 && m != 0xCC;
            if (sof && i + 9 <= n && h.width == 0) {
                h.height = be16(d + i + 5);
                h.width = be16(d + i + 7);
            }
            if (m == 0xDA) { last_sos = i; break; }  // entropy-coded data follows; stop walking
            i += 2 + len;
        }
        if (h.width == 0) { h.truncated = true; return h; }
        // An end-of-image marker must come after the scan starts (FF D9 cannot occur inside
        // entropy-coded data, where every FF is followed by 00 or a restart marker).
        bool eoi = false;
        for (size_t j = n - 1; j > last_sos && j >= 1; --j) {
            if (d[j - 1] == 0xFF && d[j] == 0xD9) { eoi = true; break; }
        }
        h.truncated = !eoi;
        return h;
    }
    if (n >= 26 && d[0] == 'B' && d[1] == 'M') {
        h.known = true; h.format = "BMP";
        if (le32(d + 14) == 12) {  // OS/2 1.x header: 16-bit dimensions at 18 and 20 (OpenCV decodes these too)
            h.width = le16(d + 18); h.height = le16(d + 20);
        } else {
            h.width = std::abs(int64_t(le32(d + 18))); h.height = std::abs(int64_t(le32(d + 22)));
        }
        return h;
    }
    if (n >= 30 && std::memcmp(d, "RIFF", 4) == 0 && std::memcmp(d + 8, "WEBP", 4) == 0) {
        h.known = true; h.format = "WebP";
        if (std::memcmp(d + 12, "VP8X", 4) == 0) { h.width = le24(d + 24) + 1; h.height = le24(d + 27) + 1; }
        else if (std::memcmp(d + 12, "VP8L", 4) == 0) {
            uint32_t b = uint32_t(d[21]) | (uint32_t(d[22]) << 8) | (uint32_t(d[23]) << 16) | (uint32_t(d[24]) << 24);
            h.width = (b & 0x3FFF) + 1; h.height = ((b >> 14) & 0x3FFF) + 1;
        } else if (std::memcmp(d + 12, "VP8 ", 4) == 0) { h.width = le16(d + 26) & 0x3FFF; h.height = le16(d + 28) & 0x3FFF; }
        return h;
    }
    return h;
}

rc_status decode(const uint8_t *data, size_t length, int64_t max_pixels, const char *what, rc_image **out,
                 rc_error *err) {
    if (!out) return rc::fail(err, RC_INVALID_ARGUMENT, "no output pointer");
    *out = nullptr;
    if (length == 0) return rc::fail(err, RC_DECODE, std::string(what) + ": empty file (0 bytes), not an image");
    HeaderInfo h = sniff(data, length);
    // Only formats whose header is read here are decoded. OpenCV would take any of its other formats (TIFF,
    // JPEG 2000, OpenEXR, Radiance HDR, Sun raster, PNM, PFM) and allocate whatever their headers claim before
    // any budget applies (a 32-byte Sun raster, Radiance HDR or PFM header claiming 30000x30000 makes it allocate
    // 2.7 GB); several are decoded through a temporary file in /tmp, which must never hold a delegate's photo.
    if (!h.known) {
        return rc::fail(err, RC_DECODE, std::string(what) + ": not an image in a format RollCall reads (JPEG, PNG, BMP or WebP)");
    }
    {
        // Divided, not multiplied: two 32-bit dimensions overflow int64 (found by fuzzing: UBSan, 0xD8D8D8D8 squared).
        if (h.width > 0 && h.height > 0 && max_pixels > 0 && h.width > max_pixels / h.height) {
            return rc::fail(err, RC_TOO_LARGE,
                            std::string(what) + ": " + h.format + " header claims " + std::to_string(h.width) + "x" +
                                std::to_string(h.height) + " pixels, over the limit of " +
                                std::to_string(max_pixels) + " pixels; refused before decoding");
        }
        if (h.truncated) {
            return rc::fail(err, RC_DECODE, std::string(what) + ": truncated " + h.format + " (data ends before the image does)");
        }
    }
    cv::Mat buf(1, int(length), CV_8UC1, const_cast<uint8_t *>(data));
    cv::Mat img = cv::imdecode(buf, cv::IMREAD_COLOR);
    if (img.empty()) {
        return rc::fail(err, RC_DECODE, std::string(what) + ": corrupt " + std::string(h.format) + " data, cannot be decoded");
    }
    if (max_pixels > 0 && int64_t(img.cols) * img.rows > max_pixels) {
        return rc::fail(err, RC_TOO_LARGE, std::string(what) + ": image has " + std::to_string(img.cols) + "x" +
                                               std::to_string(img.rows) + " pixels, over the limit");
    }
    *out = new rc_image{img};
    return RC_OK;
}

struct QuietOpenCV {
    // libjpeg/libpng warnings about corrupt data would otherwise reach our users' terminals.
    QuietOpenCV() { cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR); }
};
QuietOpenCV quiet_opencv;

}  // namespace

extern "C" {

rc_status rc_image_decode_file(const char *path, int64_t max_pixels, rc_image **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!path || !out) return rc::fail(err, RC_INVALID_ARGUMENT, "no path given");
        // A folder opens as a stream on Linux and reports an absurd size; name it for what it is.
        struct stat info;
        if (stat(path, &info) == 0 && S_ISDIR(info.st_mode))
            return rc::fail(err, RC_IO, std::string(path) + ": is a folder, not an image file");
        std::ifstream file(path, std::ios::binary | std::ios::ate);
        if (!file) return rc::fail(err, RC_IO, std::string(path) + ": cannot open file (missing or unreadable)");
        std::streamoff size = file.tellg();
        if (size < 0) return rc::fail(err, RC_IO, std::string(path) + ": cannot read file");
        // An encoded image over 1 GiB is not a photo; refuse it before reading it into memory.
        if (size > (std::streamoff(1) << 30)) return rc::fail(err, RC_TOO_LARGE, std::string(path) + ": file is over 1 GiB");
        std::vector<uint8_t> bytes(static_cast<size_t>(size));
        file.seekg(0);
        if (size > 0 && !file.read(reinterpret_cast<char *>(bytes.data()), size))
            return rc::fail(err, RC_IO, std::string(path) + ": read failed");
        return decode(bytes.data(), bytes.size(), max_pixels, path, out, err);
    });
}

rc_status rc_image_decode_bytes(const uint8_t *data, size_t length, int64_t max_pixels, rc_image **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!data && length > 0) return rc::fail(err, RC_INVALID_ARGUMENT, "no data");
        return decode(data, length, max_pixels, "image bytes", out, err);
    });
}

rc_status rc_image_from_bgr(const uint8_t *bgr, int width, int height, int stride, rc_image **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!bgr || !out || width <= 0 || height <= 0 || stride < width * 3)
            return rc::fail(err, RC_INVALID_ARGUMENT, "bad pixel buffer");
        cv::Mat view(height, width, CV_8UC3, const_cast<uint8_t *>(bgr), size_t(stride));
        *out = new rc_image{view.clone()};
        return RC_OK;
    });
}

rc_status rc_image_write(const rc_image *image, const char *path, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!image || !path) return rc::fail(err, RC_INVALID_ARGUMENT, "no image or path");
        if (!cv::imwrite(path, image->mat)) return rc::fail(err, RC_IO, std::string(path) + ": cannot write image");
        return RC_OK;
    });
}

rc_status rc_image_resize(const rc_image *image, int width, int height, rc_image **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!image || !out || width <= 0 || height <= 0) return rc::fail(err, RC_INVALID_ARGUMENT, "bad size");
        cv::Mat dst;
        bool shrink = width < image->mat.cols;
        cv::resize(image->mat, dst, cv::Size(width, height), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
        *out = new rc_image{dst};
        return RC_OK;
    });
}

rc_status rc_image_crop(const rc_image *image, int x, int y, int width, int height, rc_image **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!image || !out) return rc::fail(err, RC_INVALID_ARGUMENT, "no image");
        cv::Rect r = cv::Rect(x, y, width, height) & cv::Rect(0, 0, image->mat.cols, image->mat.rows);
        if (r.area() <= 0) return rc::fail(err, RC_INVALID_ARGUMENT, "crop lies outside the image");
        *out = new rc_image{image->mat(r).clone()};
        return RC_OK;
    });
}

rc_status rc_image_flip(const rc_image *image, rc_image **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!image || !out) return rc::fail(err, RC_INVALID_ARGUMENT, "no image");
        cv::Mat dst;
        cv::flip(image->mat, dst, 1);
        *out = new rc_image{dst};
        return RC_OK;
    });
}

rc_status rc_image_rotate(const rc_image *image, int degrees, rc_image **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!image || !out) return rc::fail(err, RC_INVALID_ARGUMENT, "no image");
        int turn;
        switch (degrees) {
            case 90: turn = cv::ROTATE_90_CLOCKWISE; break;
            case 180: turn = cv::ROTATE_180; break;
            case 270: turn = cv::ROTATE_90_COUNTERCLOCKWISE; break;
            default: return rc::fail(err, RC_INVALID_ARGUMENT, "rotation must be 90, 180 or 270 degrees, not " + std::to_string(degrees));
        }
        cv::Mat dst;
        cv::rotate(image->mat, dst, turn);
        *out = new rc_image{dst};
        return RC_OK;
    });
}

int rc_image_width(const rc_image *image) { return image ? image->mat.cols : 0; }
int rc_image_height(const rc_image *image) { return image ? image->mat.rows : 0; }

const uint8_t *rc_image_data(const rc_image *image, int *stride) {
    if (!image) return nullptr;
    if (stride) *stride = int(image->mat.step[0]);
    return image->mat.data;
}

rc_status rc_image_sharpness(const rc_image *image, float x, float y, float width, float height, double *out,
                             rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!image || !out) return rc::fail(err, RC_INVALID_ARGUMENT, "no image");
        cv::Rect r = cv::Rect(int(x), int(y), int(width), int(height)) & cv::Rect(0, 0, image->mat.cols, image->mat.rows);
        if (r.area() <= 0) return rc::fail(err, RC_INVALID_ARGUMENT, "region lies outside the image");
        cv::Mat grey, lap;
        cv::cvtColor(image->mat(r), grey, cv::COLOR_BGR2GRAY);
        // Normalise the face to 112 px wide so the measure does not depend on the face's size.
        double s = 112.0 / std::max(1, r.width);
        cv::resize(grey, grey, cv::Size(), s, s, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
        cv::Laplacian(grey, lap, CV_64F);
        cv::Scalar mean, stddev;
        cv::meanStdDev(lap, mean, stddev);
        *out = stddev[0] * stddev[0];
        return RC_OK;
    });
}

void rc_image_free(rc_image *image) { delete image; }

void rc_set_num_threads(int threads) {
    // Only on a change: with Debian's TBB backend, setting it rebuilds the task arena under any parallel loop
    // running in another thread.
    if (cv::getNumThreads() != threads) cv::setNumThreads(threads);
}

void rc_malloc_daemon_policy(int arenas, size_t mmap_threshold) {
    mallopt(M_ARENA_MAX, arenas);
    // Setting the threshold also turns off glibc's dynamic threshold, which otherwise climbs to 32 MB once a
    // large block has been freed, after which frames and DNN blobs stay in the arenas for good.
    mallopt(M_MMAP_THRESHOLD, int(std::min<size_t>(mmap_threshold, size_t(INT_MAX))));
}

const char *rc_opencv_version(void) { return CV_VERSION; }

}  // extern "C"
