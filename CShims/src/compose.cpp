// Synthetic scenes for evaluation: pictures laid onto a background, each scaled, turned and faded in at its edges,
// and the JPEG round trip a camera stream puts every frame through. Real faces, synthetic arrangement.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "shim_internal.hpp"

namespace {

/// Alpha mask of a rounded rectangle (a superellipse, |x|⁴ + |y|⁴ = 1) filling a w×h picture, 1 inside and fading
/// to 0 over `feather` of its half-size at the rim: the corners go, the sides stay (a face cropped tight keeps its chin).
cv::Mat ellipse_mask(int w, int h, float feather) {
    cv::Mat mask(h, w, CV_32F);
    const float f = std::max(1e-3f, std::min(1.f, feather));
    for (int y = 0; y < h; ++y) {
        float *row = mask.ptr<float>(y);
        const float dy = (y + 0.5f - h / 2.f) / (h / 2.f);
        for (int x = 0; x < w; ++x) {
            const float dx = (x + 0.5f - w / 2.f) / (w / 2.f);
            const float r = std::sqrt(std::sqrt(dx * dx * dx * dx + dy * dy * dy * dy));
            row[x] = std::min(1.f, std::max(0.f, (1.f - r) / f));
        }
    }
    return mask;
}

}  // namespace

extern "C" {

rc_status rc_image_compose(const rc_image *background, const rc_layer *layers, int count, rc_image **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!background || !out || count < 0 || (count > 0 && !layers))
            return rc::fail(err, RC_INVALID_ARGUMENT, "bad compose arguments");
        cv::Mat canvas;
        background->mat.convertTo(canvas, CV_32FC3);
        for (int i = 0; i < count; ++i) {
            const rc_layer &layer = layers[i];
            if (!layer.image || !(layer.scale > 0) || !std::isfinite(layer.center_x) || !std::isfinite(layer.center_y))
                return rc::fail(err, RC_INVALID_ARGUMENT, "layer " + std::to_string(i) + ": no picture or a bad placement");
            const cv::Mat &src = layer.image->mat;
            // Picture centre → (center_x, center_y), scaled and turned clockwise by angle_degrees (y points down).
            cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(src.cols / 2.f, src.rows / 2.f), -layer.angle_degrees, layer.scale);
            m.at<double>(0, 2) += layer.center_x - src.cols / 2.f;
            m.at<double>(1, 2) += layer.center_y - src.rows / 2.f;
            // Only the part of the canvas the layer can touch is warped.
            const float half = 0.75f * layer.scale * float(std::max(src.cols, src.rows)) + 2;
            cv::Rect area = cv::Rect(int(std::floor(layer.center_x - half)), int(std::floor(layer.center_y - half)),
                                     int(2 * half) + 1, int(2 * half) + 1) & cv::Rect(0, 0, canvas.cols, canvas.rows);
            if (area.area() <= 0) continue;
            m.at<double>(0, 2) -= area.x;
            m.at<double>(1, 2) -= area.y;
            cv::Mat picture, alpha;
            cv::Mat source = src;
            if (layer.scale < 0.5) {
                // Shrinking a lot: area-average first, as a camera's optics would, instead of aliasing.
                cv::resize(src, source, cv::Size(), layer.scale * 2, layer.scale * 2, cv::INTER_AREA);
                m.at<double>(0, 0) *= double(src.cols) / source.cols; m.at<double>(0, 1) *= double(src.rows) / source.rows;
                m.at<double>(1, 0) *= double(src.cols) / source.cols; m.at<double>(1, 1) *= double(src.rows) / source.rows;
            }
            cv::warpAffine(source, picture, m, area.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
            cv::Mat mask = layer.feather > 0 ? ellipse_mask(source.cols, source.rows, layer.feather)
                                             : cv::Mat(source.rows, source.cols, CV_32F, cv::Scalar(1));
            cv::warpAffine(mask, alpha, m, area.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
            picture.convertTo(picture, CV_32FC3, std::max(0.f, layer.brightness > 0 ? layer.brightness : 1.f));
            if (layer.blur > 0) cv::GaussianBlur(picture, picture, cv::Size(), layer.blur);
            cv::Mat roi = canvas(area);
            for (int y = 0; y < area.height; ++y) {
                cv::Vec3f *c = roi.ptr<cv::Vec3f>(y);
                const cv::Vec3f *p = picture.ptr<cv::Vec3f>(y);
                const float *a = alpha.ptr<float>(y);
                for (int x = 0; x < area.width; ++x) c[x] = c[x] * (1 - a[x]) + p[x] * a[x];
            }
        }
        cv::Mat result;
        canvas.convertTo(result, CV_8UC3);
        *out = new rc_image{result};
        return RC_OK;
    });
}

rc_status rc_image_jpeg_roundtrip(const rc_image *image, int quality, rc_image **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!image || !out || quality < 1 || quality > 100)
            return rc::fail(err, RC_INVALID_ARGUMENT, "quality must lie in 1...100");
        std::vector<uchar> bytes;
        if (!cv::imencode(".jpg", image->mat, bytes, {cv::IMWRITE_JPEG_QUALITY, quality}))
            return rc::fail(err, RC_OPENCV, "cannot encode JPEG");
        cv::Mat decoded = cv::imdecode(bytes, cv::IMREAD_COLOR);
        if (decoded.empty()) return rc::fail(err, RC_DECODE, "cannot decode the JPEG just encoded");
        *out = new rc_image{decoded};
        return RC_OK;
    });
}

}  // extern "C"

extern "C" rc_status rc_image_region(const rc_image *image, float x, float y, float side, int out_side, int replicate,
                                     rc_image **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!image || !out || !(side > 0) || out_side <= 0 || !std::isfinite(x) || !std::isfinite(y))
            return rc::fail(err, RC_INVALID_ARGUMENT, "bad region");
        const cv::Mat &full = image->mat;
        // Only the part of the image under the region (and a pixel around it) is read.
        cv::Rect under = cv::Rect(int(std::floor(x)) - 1, int(std::floor(y)) - 1, int(std::ceil(side)) + 3, int(std::ceil(side)) + 3)
                         & cv::Rect(0, 0, full.cols, full.rows);
        if (under.area() <= 0) under = cv::Rect(std::min(std::max(0, int(x)), full.cols - 1), std::min(std::max(0, int(y)), full.rows - 1), 1, 1);
        cv::Mat source = full(under);
        double s = out_side / double(side);
        double sx = s, sy = s;
        if (s < 0.5) {
            // Shrinking a lot: area-average first (warpAffine alone would alias), then place.
            cv::Mat small;
            cv::resize(source, small, cv::Size(std::max(1, int(std::lround(source.cols * s * 2))), std::max(1, int(std::lround(source.rows * s * 2)))),
                       0, 0, cv::INTER_AREA);
            sx = s * source.cols / small.cols;
            sy = s * source.rows / small.rows;
            source = small;
        }
        cv::Mat m = (cv::Mat_<double>(2, 3) << sx, 0, (under.x - x) * s, 0, sy, (under.y - y) * s);
        cv::Mat result;
        cv::warpAffine(source, result, m, cv::Size(out_side, out_side), cv::INTER_LINEAR,
                       replicate ? cv::BORDER_REPLICATE : cv::BORDER_CONSTANT, cv::Scalar::all(0));
        *out = new rc_image{result};
        return RC_OK;
    });
}

extern "C" rc_status rc_image_encode(const rc_image *image, const char *extension, int quality, uint8_t **out, size_t *length,
                                     rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!image || !extension || !out || !length) return rc::fail(err, RC_INVALID_ARGUMENT, "bad encode arguments");
        std::vector<uchar> bytes;
        std::vector<int> parameters;
        if (quality > 0) parameters = {cv::IMWRITE_JPEG_QUALITY, std::min(100, quality)};
        if (!cv::imencode(extension, image->mat, bytes, parameters))
            return rc::fail(err, RC_OPENCV, std::string("cannot encode as ") + extension);
        *out = static_cast<uint8_t *>(std::malloc(bytes.size()));
        if (!*out) return rc::fail(err, RC_OPENCV, "out of memory");
        std::memcpy(*out, bytes.data(), bytes.size());
        *length = bytes.size();
        return RC_OK;
    });
}

extern "C" void rc_bytes_free(uint8_t *bytes) { std::free(bytes); }
