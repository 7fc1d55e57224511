// Video in and out through OpenCV's videoio (FFmpeg and V4L2 backends on Debian).
#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>

#include "shim_internal.hpp"

struct rc_capture {
    cv::VideoCapture cap;
    // How to turn a decoded frame upright (a cv::RotateFlags value), or -1: phone videos are stored sideways with a
    // rotation in their metadata.
    int upright = -1;
};

// The turn that shows a frame stored with metadata rotation `degrees` upright, as players (ffmpeg, browsers) show
// it. OpenCV 4.6's own CAP_PROP_ORIENTATION_AUTO turns 90° and 270° the wrong way (frames come out upside down;
// 180° is right), so RollCall switches it off and turns frames itself.
static int uprightTurn(double degrees) {
    switch (((int(std::lround(degrees)) % 360) + 360) % 360) {
        case 90: return cv::ROTATE_90_COUNTERCLOCKWISE;
        case 180: return cv::ROTATE_180;
        case 270: return cv::ROTATE_90_CLOCKWISE;
        default: return -1;
    }
}

struct rc_video_writer {
    cv::VideoWriter writer;
    cv::Size size;
};

extern "C" {

rc_status rc_capture_open(const char *source, rc_capture **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!source || !out) return rc::fail(err, RC_INVALID_ARGUMENT, "no source");
        auto c = std::make_unique<rc_capture>();
        std::string s(source);
        bool index = !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isdigit(ch); });
        bool ok = index ? c->cap.open(std::stoi(s)) : c->cap.open(s);
        if (!ok || !c->cap.isOpened()) return rc::fail(err, RC_IO, s + ": cannot open video source");
        // Only the FFmpeg backend knows orientation metadata; elsewhere `set` fails and the frames are used as read.
        if (c->cap.set(cv::CAP_PROP_ORIENTATION_AUTO, 0)) c->upright = uprightTurn(c->cap.get(cv::CAP_PROP_ORIENTATION_META));
        *out = c.release();
        return RC_OK;
    });
}

rc_status rc_capture_read(rc_capture *capture, rc_image **frame, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!capture || !frame) return rc::fail(err, RC_INVALID_ARGUMENT, "no capture");
        cv::Mat m;
        if (!capture->cap.read(m) || m.empty()) return rc::fail(err, RC_END_OF_STREAM, "no more frames");
        if (m.type() != CV_8UC3) return rc::fail(err, RC_DECODE, "frame is not 8-bit BGR");
        if (capture->upright >= 0) {
            cv::Mat turned;
            cv::rotate(m, turned, capture->upright);
            m = turned;
        }
        *frame = new rc_image{m};
        return RC_OK;
    });
}

double rc_capture_fps(const rc_capture *capture) {
    if (!capture) return 0;
    double fps = capture->cap.get(cv::CAP_PROP_FPS);
    return fps > 0 && fps < 1000 ? fps : 0;
}

int64_t rc_capture_frame_count(const rc_capture *capture) {
    if (!capture) return -1;
    double n = capture->cap.get(cv::CAP_PROP_FRAME_COUNT);
    return n > 0 ? int64_t(n) : -1;
}

void rc_capture_free(rc_capture *capture) { delete capture; }

rc_status rc_video_writer_open(const char *path, int width, int height, double fps, rc_video_writer **out,
                               rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!path || !out || width <= 0 || height <= 0 || fps <= 0)
            return rc::fail(err, RC_INVALID_ARGUMENT, "bad video writer arguments");
        auto w = std::make_unique<rc_video_writer>();
        w->size = cv::Size(width, height);
        if (!w->writer.open(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, w->size))
            return rc::fail(err, RC_IO, std::string(path) + ": cannot open video for writing");
        *out = w.release();
        return RC_OK;
    });
}

rc_status rc_video_writer_write(rc_video_writer *writer, const rc_image *frame, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!writer || !frame) return rc::fail(err, RC_INVALID_ARGUMENT, "no writer or frame");
        if (frame->mat.size() != writer->size) return rc::fail(err, RC_INVALID_ARGUMENT, "frame size differs from the video's");
        writer->writer.write(frame->mat);
        return RC_OK;
    });
}

void rc_video_writer_free(rc_video_writer *writer) { delete writer; }

}  // extern "C"
