// Cutting the embedder's chip: a least-squares similarity transform from the face's five landmarks to
// the embedder's template, then bilinear warping — what cv::FaceRecognizerSF::alignCrop does for SFace
// (ArcFace 112x112 template) and, with `pyramid`, what dlib's extract_image_chip does for its ResNet.
#include <opencv2/imgproc.hpp>

#include <cmath>

#include "shim_internal.hpp"

namespace {

/// Similarity (scale, rotation, translation; no reflection) minimising the squared distance from the
/// mapped `src` points to `dst`. Closed form of Umeyama's method in 2-D. Returns a 2x3 matrix.
cv::Mat similarity(const float src[10], const float dst[10]) {
    double sx = 0, sy = 0, dx = 0, dy = 0;
    for (int i = 0; i < 5; ++i) { sx += src[2 * i]; sy += src[2 * i + 1]; dx += dst[2 * i]; dy += dst[2 * i + 1]; }
    sx /= 5; sy /= 5; dx /= 5; dy /= 5;
    double num_a = 0, num_b = 0, den = 0;
    for (int i = 0; i < 5; ++i) {
        double x = src[2 * i] - sx, y = src[2 * i + 1] - sy;
        double u = dst[2 * i] - dx, v = dst[2 * i + 1] - dy;
        num_a += x * u + y * v;
        num_b += x * v - y * u;
        den += x * x + y * y;
    }
    if (den < 1e-6) return cv::Mat();
    double a = num_a / den, b = num_b / den;
    cv::Mat m = (cv::Mat_<double>(2, 3) << a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy));
    return m;
}

}  // namespace

extern "C" rc_status rc_align(const rc_image *image, const float landmarks[10], const rc_alignment *alignment,
                              rc_image **chip, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!image || !landmarks || !alignment || !chip || alignment->chip_width <= 0 || alignment->chip_height <= 0)
            return rc::fail(err, RC_INVALID_ARGUMENT, "bad alignment arguments");
        for (int i = 0; i < 10; ++i)
            if (!std::isfinite(landmarks[i])) return rc::fail(err, RC_INVALID_ARGUMENT, "landmark is not a finite number");
        cv::Mat m = similarity(landmarks, alignment->template_points);
        if (m.empty()) return rc::fail(err, RC_INVALID_ARGUMENT, "landmarks coincide; cannot align");
        cv::Mat source = image->mat;
        if (alignment->pyramid) {
            // One chip pixel spanning more than two image pixels: halve the image first, as dlib does,
            // so bilinear sampling does not alias.
            double chip_per_image = std::hypot(m.at<double>(0, 0), m.at<double>(1, 0));
            while (chip_per_image > 0 && 1.0 / chip_per_image > 2.0 && source.cols > 2 && source.rows > 2) {
                cv::Mat half;
                cv::pyrDown(source, half);
                source = half;
                m.at<double>(0, 0) *= 2; m.at<double>(0, 1) *= 2;
                m.at<double>(1, 0) *= 2; m.at<double>(1, 1) *= 2;
                chip_per_image *= 2;
            }
        }
        cv::Mat out;
        cv::warpAffine(source, out, m, cv::Size(alignment->chip_width, alignment->chip_height), cv::INTER_LINEAR,
                       cv::BORDER_CONSTANT, cv::Scalar::all(0));
        *chip = new rc_image{out};
        return RC_OK;
    });
}
