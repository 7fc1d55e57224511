// dlib's face-landmark shape predictor (a cascade of regression trees; Kazemi & Sullivan, "One
// Millisecond Face Alignment with an Ensemble of Regression Trees", CVPR 2014), reading dlib's own
// `.dat` files (e.g. shape_predictor_5_face_landmarks.dat). Written from the algorithm and the file
// format; no dlib code.
//
// The model:
//   initial_shape  mean shape, 2n floats (x0, y0, x1, y1, ...) in face-rectangle units (0..1)
//   forests[k]     cascade stage k: trees, each a complete binary tree of `splits` (idx1, idx2, thresh)
//                  in breadth-first order and splits+1 `leaf_values` (2n floats each)
//   anchor_idx[k]  per feature pixel of stage k: the landmark it hangs off
//   deltas[k]      per feature pixel: its offset from that landmark, in mean-shape units
// Prediction: shape = initial_shape; for each stage, read every feature pixel's grey value at
// image(R(S(delta) + shape[anchor])), where S is the least-squares similarity from initial_shape to
// the current shape (its 2x2 part only) and R maps rectangle units to image pixels ((0,0) -> top-left,
// (1,1) -> bottom-right pixel); then every tree of the stage adds the leaf it reaches (split:
// value[idx1] - value[idx2] > thresh goes to child 2i+1, otherwise 2i+2). Output: R(shape).
//
// Serialization (dlib): integers are a control byte (low 4 bits: byte count, 0x80: negative) plus the
// magnitude little-endian; a float is an integer mantissa m and an integer exponent e, value m * 2^e;
// a std::vector is its size then its items; a matrix is -rows, -cols, then the items row-major.
// File: version (1), initial_shape (10 x 1 for the 5-point model), forests, anchor_idx, deltas.
#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "shim_internal.hpp"

namespace {

struct Split {
    uint32_t idx1, idx2;
    float thresh;
};

struct Tree {
    std::vector<Split> splits;
    std::vector<float> leaves;  // (splits + 1) leaves of `shape_size` floats each
};

struct Stage {
    std::vector<Tree> trees;
    std::vector<uint32_t> anchor;               // per feature pixel
    std::vector<std::array<float, 2>> deltas;   // per feature pixel
};

/// A model file that does not parse; reported as RC_MODEL.
struct FormatError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Reader {
public:
    explicit Reader(const std::vector<unsigned char> &bytes) : data_(bytes) {}

    size_t remaining() const { return data_.size() - pos_; }
    bool at_end() const { return pos_ == data_.size(); }

    int64_t integer(const char *what) {
        unsigned char control = byte(what);
        unsigned n = control & 0x0f;
        bool negative = (control & 0x80) != 0;
        if (n > 8 || (control & 0x70) != 0) throw FormatError(std::string("bad integer encoding in ") + what);
        uint64_t magnitude = 0;
        for (unsigned i = 0; i < n; ++i) magnitude |= uint64_t(byte(what)) << (8 * i);
        if (magnitude > uint64_t(std::numeric_limits<int64_t>::max()))
            throw FormatError(std::string("integer out of range in ") + what);
        return negative ? -int64_t(magnitude) : int64_t(magnitude);
    }

    /// A count that must be non-negative and plausible for the bytes left (every item takes ≥ 1 byte).
    size_t count(const char *what) {
        int64_t v = integer(what);
        if (v < 0 || uint64_t(v) > remaining()) throw FormatError(std::string("implausible count in ") + what);
        return size_t(v);
    }

    float real(const char *what) {
        int64_t mantissa = integer(what);
        int64_t exponent = integer(what);
        // dlib marks infinities and NaN with out-of-range exponents; a model must not contain them.
        if (exponent < -2000 || exponent > 2000) throw FormatError(std::string("non-finite float in ") + what);
        double v = std::ldexp(double(mantissa), int(exponent));
        if (!std::isfinite(v) || std::fabs(v) > double(std::numeric_limits<float>::max()))
            throw FormatError(std::string("float out of range in ") + what);
        return float(v);
    }

    /// A dlib column vector (matrix<float,0,1>); returns its elements.
    std::vector<float> column(const char *what) {
        int64_t rows = integer(what), cols = integer(what);
        if (rows < 0) rows = -rows;  // current format writes negated sizes; older files did not
        if (cols < 0) cols = -cols;
        if (cols != 1 || uint64_t(rows) > remaining()) throw FormatError(std::string("bad matrix shape in ") + what);
        std::vector<float> v(static_cast<size_t>(rows));
        for (auto &x : v) x = real(what);
        return v;
    }

private:
    unsigned char byte(const char *what) {
        if (pos_ >= data_.size()) throw FormatError(std::string("file ends inside ") + what);
        return data_[pos_++];
    }

    const std::vector<unsigned char> &data_;
    size_t pos_ = 0;
};

}  // namespace

struct rc_shape_predictor {
    std::vector<float> initial;  // 2 * parts
    std::vector<Stage> stages;
    size_t parts = 0;
};

namespace {

void parse(const std::vector<unsigned char> &bytes, rc_shape_predictor &sp) {
    Reader r(bytes);
    if (r.integer("version") != 1) throw FormatError("not a dlib shape_predictor file (version is not 1)");
    sp.initial = r.column("initial_shape");
    const size_t shape_size = sp.initial.size();
    if (shape_size < 4 || shape_size % 2 != 0) throw FormatError("initial_shape must hold at least two (x, y) points");
    sp.parts = shape_size / 2;

    const size_t n_stages = r.count("forests");
    if (n_stages == 0) throw FormatError("no cascade stages");
    sp.stages.resize(n_stages);
    for (auto &stage : sp.stages) {
        stage.trees.resize(r.count("forest"));
        for (auto &tree : stage.trees) {
            tree.splits.resize(r.count("splits"));
            for (auto &s : tree.splits) {
                int64_t a = r.integer("split"), b = r.integer("split");
                if (a < 0 || b < 0 || a > int64_t(UINT32_MAX) || b > int64_t(UINT32_MAX))
                    throw FormatError("bad split feature index");
                s.idx1 = uint32_t(a);
                s.idx2 = uint32_t(b);
                s.thresh = r.real("split");
            }
            const size_t n_leaves = r.count("leaf_values");
            if (n_leaves != tree.splits.size() + 1) throw FormatError("tree is not a complete binary tree");
            tree.leaves.reserve(n_leaves * shape_size);
            for (size_t i = 0; i < n_leaves; ++i) {
                std::vector<float> leaf = r.column("leaf_values");
                if (leaf.size() != shape_size) throw FormatError("leaf size differs from the shape size");
                tree.leaves.insert(tree.leaves.end(), leaf.begin(), leaf.end());
            }
        }
    }
    if (r.count("anchor_idx") != n_stages) throw FormatError("anchor_idx does not match the cascade length");
    for (auto &stage : sp.stages) {
        stage.anchor.resize(r.count("anchor_idx"));
        for (auto &a : stage.anchor) {
            int64_t v = r.integer("anchor_idx");
            if (v < 0 || uint64_t(v) >= sp.parts) throw FormatError("anchor index out of range");
            a = uint32_t(v);
        }
    }
    if (r.count("deltas") != n_stages) throw FormatError("deltas do not match the cascade length");
    for (auto &stage : sp.stages) {
        stage.deltas.resize(r.count("deltas"));
        if (stage.deltas.size() != stage.anchor.size()) throw FormatError("deltas and anchor_idx differ in length");
        for (auto &d : stage.deltas) {
            d[0] = r.real("deltas");
            d[1] = r.real("deltas");
        }
        for (const auto &tree : stage.trees)
            for (const auto &s : tree.splits)
                if (s.idx1 >= stage.anchor.size() || s.idx2 >= stage.anchor.size())
                    throw FormatError("split refers to a feature pixel that does not exist");
    }
    if (!r.at_end()) throw FormatError("trailing bytes after the model");
}

/// 2x2 part of the least-squares similarity (scale + rotation, no reflection) taking `from` onto `to`
/// (both 2n floats, x/y interleaved). Row-major {a, -b, b, a}.
std::array<float, 4> similarity_2x2(const std::vector<float> &from, const std::vector<float> &to) {
    const size_t n = from.size() / 2;
    double fx = 0, fy = 0, tx = 0, ty = 0;
    for (size_t i = 0; i < n; ++i) { fx += from[2 * i]; fy += from[2 * i + 1]; tx += to[2 * i]; ty += to[2 * i + 1]; }
    fx /= double(n); fy /= double(n); tx /= double(n); ty /= double(n);
    double num_a = 0, num_b = 0, den = 0;
    for (size_t i = 0; i < n; ++i) {
        double x = from[2 * i] - fx, y = from[2 * i + 1] - fy;
        double u = to[2 * i] - tx, v = to[2 * i + 1] - ty;
        num_a += x * u + y * v;
        num_b += x * v - y * u;
        den += x * x + y * y;
    }
    if (den <= 0) return {1.f, 0.f, 0.f, 1.f};
    const float a = float(num_a / den), b = float(num_b / den);
    return {a, -b, b, a};
}

/// dlib's grey value of a BGR pixel: the plain average (B + G + R) / 3, truncated.
inline float grey_at(const cv::Mat &bgr, long x, long y) {
    if (x < 0 || y < 0 || x >= bgr.cols || y >= bgr.rows) return 0.f;
    const unsigned char *p = bgr.ptr<unsigned char>(int(y)) + 3 * x;
    return float((unsigned(p[0]) + unsigned(p[1]) + unsigned(p[2])) / 3u);
}

/// Nearest integer pixel, halves rounded up (floor(v + 0.5)).
inline long nearest(double v) { return long(std::floor(v + 0.5)); }

}  // namespace

extern "C" {

rc_status rc_shape_predictor_load(const char *dat_path, rc_shape_predictor **out, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!dat_path || !out) return rc::fail(err, RC_INVALID_ARGUMENT, "bad shape predictor arguments");
        *out = nullptr;
        std::ifstream file(dat_path, std::ios::binary);
        if (!file) return rc::fail(err, RC_IO, std::string(dat_path) + ": cannot open file (missing or unreadable)");
        std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        if (file.bad()) return rc::fail(err, RC_IO, std::string(dat_path) + ": read failed");
        auto sp = std::make_unique<rc_shape_predictor>();
        try {
            parse(bytes, *sp);
        } catch (const FormatError &ex) {
            return rc::fail(err, RC_MODEL, std::string(dat_path) + ": not a dlib shape predictor: " + ex.what());
        }
        *out = sp.release();
        return RC_OK;
    });
}

rc_status rc_shape_predictor_predict(const rc_shape_predictor *sp, const rc_image *image, float x, float y,
                                     float width, float height, float *points, int capacity, int *count,
                                     rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!sp || !image || !count || capacity < 0 || (capacity > 0 && !points))
            return rc::fail(err, RC_INVALID_ARGUMENT, "bad shape predictor arguments");
        *count = int(sp->parts);
        if (capacity == 0 && !points) return RC_OK;  // size query
        if (size_t(capacity) < sp->parts) return rc::fail(err, RC_INVALID_ARGUMENT, "points buffer too small");
        if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(width) || !std::isfinite(height) ||
            width <= 1.f || height <= 1.f)
            return rc::fail(err, RC_INVALID_ARGUMENT, "face rectangle must be finite and wider and taller than 1 px");
        const cv::Mat &img = image->mat;
        if (img.empty() || img.type() != CV_8UC3) return rc::fail(err, RC_INVALID_ARGUMENT, "image must be 8-bit BGR");

        // Rectangle units -> image pixels: (0,0) -> (x, y), (1,1) -> (x + width - 1, y + height - 1),
        // the corners of dlib's rectangle(left, top, right, bottom).
        const double left = x, top = y, sx = double(width) - 1.0, sy = double(height) - 1.0;

        std::vector<float> shape = sp->initial;
        std::vector<float> values;
        for (const Stage &stage : sp->stages) {
            const std::array<float, 4> m = similarity_2x2(sp->initial, shape);
            values.resize(stage.anchor.size());
            for (size_t i = 0; i < values.size(); ++i) {
                const auto &d = stage.deltas[i];
                const size_t a = stage.anchor[i];
                const float px = (m[0] * d[0] + m[1] * d[1]) + shape[2 * a];
                const float py = (m[2] * d[0] + m[3] * d[1]) + shape[2 * a + 1];
                values[i] = grey_at(img, nearest(left + sx * double(px)), nearest(top + sy * double(py)));
            }
            for (const Tree &tree : stage.trees) {
                size_t node = 0;
                const size_t n_splits = tree.splits.size();
                while (node < n_splits) {
                    const Split &s = tree.splits[node];
                    node = (values[s.idx1] - values[s.idx2] > s.thresh) ? 2 * node + 1 : 2 * node + 2;
                }
                const float *leaf = tree.leaves.data() + (node - n_splits) * shape.size();
                for (size_t k = 0; k < shape.size(); ++k) shape[k] += leaf[k];
            }
        }
        for (size_t i = 0; i < sp->parts; ++i) {
            points[2 * i] = float(left + sx * double(shape[2 * i]));
            points[2 * i + 1] = float(top + sy * double(shape[2 * i + 1]));
        }
        return RC_OK;
    });
}

void rc_shape_predictor_free(rc_shape_predictor *sp) { delete sp; }

}  // extern "C"
