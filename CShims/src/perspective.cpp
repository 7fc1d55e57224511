// A picture laid onto a background through a homography: a flat photo held up to a camera, tilted, turned and
// brought nearer, as the photo-attack measurement (`rollcall eval photo-attack`) films it. Real pictures, synthetic
// hand.
#include <opencv2/imgproc.hpp>

#include <cmath>

#include "shim_internal.hpp"

extern "C" rc_status rc_image_warp_onto(const rc_image *background, const rc_image *picture, const double *homography,
                                        float brightness, float blur, rc_image **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!background || !picture || !homography || !out) return rc::fail(err, RC_INVALID_ARGUMENT, "bad warp arguments");
        for (int i = 0; i < 9; ++i)
            if (!std::isfinite(homography[i])) return rc::fail(err, RC_INVALID_ARGUMENT, "the homography is not finite");
        // Row-major 3×3, picture pixels → background pixels.
        cv::Mat h(3, 3, CV_64F);
        for (int i = 0; i < 9; ++i) h.at<double>(i / 3, i % 3) = homography[i];
        const cv::Mat &src = picture->mat;
        cv::Mat warped, alpha;
        const cv::Size size(background->mat.cols, background->mat.rows);
        cv::warpPerspective(src, warped, h, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
        // The photo's own edge is sharp (a print or a phone screen), softened by one pixel of antialiasing only.
        cv::Mat ones(src.rows, src.cols, CV_32F, cv::Scalar(1));
        cv::warpPerspective(ones, alpha, h, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
        warped.convertTo(warped, CV_32FC3, brightness > 0 ? brightness : 1.f);
        if (blur > 0) cv::GaussianBlur(warped, warped, cv::Size(), blur);
        cv::Mat canvas;
        background->mat.convertTo(canvas, CV_32FC3);
        for (int y = 0; y < canvas.rows; ++y) {
            cv::Vec3f *c = canvas.ptr<cv::Vec3f>(y);
            const cv::Vec3f *p = warped.ptr<cv::Vec3f>(y);
            const float *a = alpha.ptr<float>(y);
            for (int x = 0; x < canvas.cols; ++x)
                if (a[x] > 0) c[x] = c[x] * (1 - a[x]) + p[x] * a[x];
        }
        cv::Mat result;
        canvas.convertTo(result, CV_8UC3);
        *out = new rc_image{result};
        return RC_OK;
    });
}
