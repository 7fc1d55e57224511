// Face detectors: YuNet 2023mar and CenterFace on cv::dnn, decoded here.
//
// OpenCV 4.6 bug: reusing one cv::dnn::Net after its input size changes returns garbage. Each
// detector therefore keeps one Net per input size (a handful at most: the input size depends only on
// the image size, and a camera's frames all have one size).
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <list>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "shim_internal.hpp"

namespace {

struct Candidate {
    cv::Rect2f box;
    float score;
    float landmarks[10];
};

/// Greedy non-maximum suppression; returns candidates best first.
std::vector<Candidate> suppress(const std::vector<Candidate> &all, float score_threshold, float nms_threshold) {
    std::vector<cv::Rect2d> boxes;
    std::vector<float> scores;
    for (const auto &c : all) { boxes.emplace_back(c.box); scores.push_back(c.score); }
    std::vector<int> keep;
    cv::dnn::NMSBoxes(boxes, scores, score_threshold, nms_threshold, keep);
    std::vector<Candidate> out;
    for (int i : keep) out.push_back(all[size_t(i)]);
    std::sort(out.begin(), out.end(), [](const Candidate &a, const Candidate &b) { return a.score > b.score; });
    return out;
}

}  // namespace

struct rc_detector {
    rc_detector_kind kind;
    std::string model_path;
    int max_side;
    float score_threshold, nms_threshold;
    std::list<std::pair<cv::Size, cv::dnn::Net>> nets;  // most recently used first

    cv::dnn::Net &net_for(cv::Size input) {
        for (auto it = nets.begin(); it != nets.end(); ++it) {
            if (it->first == input) {
                nets.splice(nets.begin(), nets, it);
                return nets.front().second;
            }
        }
        cv::dnn::Net net = cv::dnn::readNetFromONNX(model_path);
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        nets.emplace_front(input, net);
        if (nets.size() > 4) nets.pop_back();
        return nets.front().second;
    }

    /// Scales `image` down (never up) so its longer side fits max_side, pads right/bottom to multiples of 32.
    cv::Mat letterbox(const cv::Mat &image, double &scale) const {
        scale = std::min(1.0, double(max_side) / std::max(image.cols, image.rows));
        cv::Mat resized = image;
        if (scale < 1.0) {
            cv::resize(image, resized, cv::Size(std::max(1, int(std::lround(image.cols * scale))),
                                                std::max(1, int(std::lround(image.rows * scale)))),
                       0, 0, cv::INTER_AREA);
            scale = double(resized.cols) / image.cols;
        }
        cv::Mat canvas(rc::align32(resized.rows), rc::align32(resized.cols), CV_8UC3, cv::Scalar::all(0));
        resized.copyTo(canvas(cv::Rect(0, 0, resized.cols, resized.rows)));
        return canvas;
    }

    std::vector<Candidate> run_yunet(const cv::Mat &canvas) {
        cv::dnn::Net &net = net_for(canvas.size());
        net.setInput(cv::dnn::blobFromImage(canvas));  // BGR, 0-255, no scaling
        static const std::vector<cv::String> names = {"cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32",
                                                      "bbox_8", "bbox_16", "bbox_32", "kps_8", "kps_16", "kps_32"};
        std::vector<cv::Mat> outs;
        net.forward(outs, names);
        std::vector<Candidate> found;
        const int strides[3] = {8, 16, 32};
        for (int k = 0; k < 3; ++k) {
            const int s = strides[k];
            const int cols = canvas.cols / s, rows = canvas.rows / s;
            const float *cls = outs[size_t(k)].ptr<float>();
            const float *obj = outs[size_t(k + 3)].ptr<float>();
            const float *bbox = outs[size_t(k + 6)].ptr<float>();
            const float *kps = outs[size_t(k + 9)].ptr<float>();
            if (outs[size_t(k)].total() != size_t(rows * cols)) throw std::runtime_error("YuNet output has an unexpected shape");
            for (int i = 0; i < rows * cols; ++i) {
                // score = sqrt(clip(cls) * clip(obj))
                float c = std::min(1.f, std::max(0.f, cls[i])), o = std::min(1.f, std::max(0.f, obj[i]));
                float score = std::sqrt(c * o);
                if (score < score_threshold) continue;
                int col = i % cols, row = i / cols;
                const float *b = bbox + 4 * i;
                float cx = (col + b[0]) * s, cy = (row + b[1]) * s;
                float w = std::exp(b[2]) * s, h = std::exp(b[3]) * s;
                Candidate cand;
                cand.box = cv::Rect2f(cx - w / 2, cy - h / 2, w, h);
                cand.score = score;
                // Landmarks: right eye, left eye (the person's), nose tip, right and left mouth corners,
                // i.e. image-left first: the order alignCrop expects.
                for (int j = 0; j < 5; ++j) {
                    cand.landmarks[2 * j] = (kps[10 * i + 2 * j] + col) * s;
                    cand.landmarks[2 * j + 1] = (kps[10 * i + 2 * j + 1] + row) * s;
                }
                found.push_back(cand);
            }
        }
        return found;
    }

    std::vector<Candidate> run_centerface(const cv::Mat &canvas) {
        cv::dnn::Net &net = net_for(canvas.size());
        net.setInput(cv::dnn::blobFromImage(canvas, 1.0, canvas.size(), cv::Scalar(), /*swapRB=*/true));
        static const std::vector<cv::String> names = {"537", "538", "539", "540"};
        std::vector<cv::Mat> outs;
        net.forward(outs, names);
        const int rows = canvas.rows / 4, cols = canvas.cols / 4, plane = rows * cols;
        if (outs[0].total() != size_t(plane)) throw std::runtime_error("CenterFace output has an unexpected shape");
        const float *heat = outs[0].ptr<float>();
        const float *scale = outs[1].ptr<float>();
        const float *offset = outs[2].ptr<float>();
        const float *lms = outs[3].ptr<float>();
        std::vector<Candidate> found;
        for (int i = 0; i < plane; ++i) {
            if (heat[i] < score_threshold) continue;
            int r = i / cols, c = i % cols;
            float sh = std::exp(scale[i]) * 4, sw = std::exp(scale[plane + i]) * 4;
            float cy = (r + offset[i] + 0.5f) * 4, cx = (c + offset[plane + i] + 0.5f) * 4;
            float x1 = std::max(0.f, cx - sw / 2), y1 = std::max(0.f, cy - sh / 2);
            Candidate cand;
            cand.box = cv::Rect2f(x1, y1, std::min(sw, canvas.cols - x1), std::min(sh, canvas.rows - y1));
            cand.score = heat[i];
            // Landmarks come as (y, x) pairs relative to the box, image-left eye first.
            for (int j = 0; j < 5; ++j) {
                cand.landmarks[2 * j] = lms[(2 * j + 1) * plane + i] * sw + x1;
                cand.landmarks[2 * j + 1] = lms[(2 * j) * plane + i] * sh + y1;
            }
            found.push_back(cand);
        }
        return found;
    }

    std::vector<Candidate> detect_once(const cv::Mat &image) {
        double scale = 1.0;
        cv::Mat canvas = letterbox(image, scale);
        std::vector<Candidate> raw = kind == RC_DETECTOR_YUNET ? run_yunet(canvas) : run_centerface(canvas);
        std::vector<Candidate> kept = suppress(raw, score_threshold, nms_threshold);
        for (auto &c : kept) {
            c.box = cv::Rect2f(float(c.box.x / scale), float(c.box.y / scale), float(c.box.width / scale),
                               float(c.box.height / scale));
            for (float &v : c.landmarks) v = float(v / scale);
        }
        return kept;
    }

    std::vector<Candidate> detect(const cv::Mat &image, bool padded_retry) {
        std::vector<Candidate> faces = detect_once(image);
        if (!faces.empty() || !padded_retry) return faces;
        // Nothing found: the face may fill the whole frame (a tight crop), larger than the detector's
        // anchors. Look again with a border of a quarter of the image on every side.
        int px = image.cols / 4, py = image.rows / 4;
        cv::Mat padded;
        cv::copyMakeBorder(image, padded, py, py, px, px, cv::BORDER_CONSTANT, cv::Scalar::all(0));
        faces = detect_once(padded);
        for (auto &c : faces) {
            c.box.x -= px; c.box.y -= py;
            for (int j = 0; j < 5; ++j) { c.landmarks[2 * j] -= px; c.landmarks[2 * j + 1] -= py; }
        }
        return faces;
    }
};

extern "C" {

rc_status rc_detector_create(rc_detector_kind kind, const char *model_path, int max_side, float score_threshold,
                             float nms_threshold, rc_detector **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!model_path || !out) return rc::fail(err, RC_INVALID_ARGUMENT, "no model path");
        if (kind != RC_DETECTOR_YUNET && kind != RC_DETECTOR_CENTERFACE)
            return rc::fail(err, RC_INVALID_ARGUMENT, "unknown detector kind");
        if (max_side < 32) return rc::fail(err, RC_INVALID_ARGUMENT, "max_side must be at least 32");
        auto det = std::make_unique<rc_detector>();
        det->kind = kind;
        det->model_path = model_path;
        det->max_side = max_side;
        det->score_threshold = score_threshold;
        det->nms_threshold = nms_threshold;
        try {
            det->net_for(cv::Size(rc::align32(std::min(max_side, 320)), rc::align32(std::min(max_side, 320))));
        } catch (const cv::Exception &ex) {
            return rc::fail(err, RC_MODEL, std::string(model_path) + ": cannot load detector model: " + ex.what());
        }
        *out = det.release();
        return RC_OK;
    });
}

rc_status rc_detector_detect(rc_detector *detector, const rc_image *image, int flags, rc_face *faces, int capacity,
                             int *count, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!detector || !image || !count || (capacity > 0 && !faces))
            return rc::fail(err, RC_INVALID_ARGUMENT, "bad detector arguments");
        std::vector<Candidate> found = detector->detect(image->mat, (flags & RC_DETECT_NO_PADDED_RETRY) == 0);
        *count = int(found.size());
        for (int i = 0; i < std::min(capacity, int(found.size())); ++i) {
            const Candidate &c = found[size_t(i)];
            faces[i].x = c.box.x; faces[i].y = c.box.y; faces[i].width = c.box.width; faces[i].height = c.box.height;
            faces[i].score = c.score;
            std::copy(c.landmarks, c.landmarks + 10, faces[i].landmarks);
        }
        return RC_OK;
    });
}

void rc_detector_free(rc_detector *detector) { delete detector; }

}  // extern "C"
