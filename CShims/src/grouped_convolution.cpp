// Grouped 3×3 convolutions (depthwise, and groups of 2–4 channels) for cv::dnn on the CPU.
//
// OpenCV 4.6's own kernel for these is fast on wide planes but 3–8× slower on output rows narrower than 16
// pixels and on groups of more than one channel, which is most of a MobileFaceNet-style embedder (w600k_mbf:
// 14×14 and 7×7 planes, a 2-channel-group layer at 56×56). This layer wraps OpenCV's convolution, keeps its
// shapes and fusions, and runs its own loop only where that loop is the faster one; results match to float
// rounding (ConvolutionKernelTests). The wrapper's delegation is shared with the pointwise kernel
// (own_convolution.hpp).
#include <algorithm>
#include <cstring>
#include <vector>

#include "own_convolution.hpp"

namespace {

struct GroupArgs {
    const float *padded;   // cpg input planes, zero-padded to PH × PW
    const float *weights;  // opg × cpg × 3 × 3
    const float *bias;     // opg
    float *out;            // opg output planes of OH × OW
    float *acc;            // scratch: max(2048, PW) + PW floats
    int cpg, opg, PH, PW, OH, OW, stride;
};

// One group: padded input planes → output planes. At stride 1 each tap is one multiply-add over a block of
// whole padded rows (the two right-most outputs of each row are discarded), a long contiguous loop that the
// compiler vectorises whatever the plane's width; blocks of 2,048 floats keep the accumulator in L1.
__attribute__((always_inline)) inline void convolveGroup(const GroupArgs &a) {
    const int PH = a.PH, PW = a.PW, OH = a.OH, OW = a.OW, cpg = a.cpg;
    for (int o = 0; o < a.opg; ++o) {
        const float *w = a.weights + size_t(o) * cpg * 9;
        const float bias = a.bias[o];
        float *dst = a.out + size_t(o) * OH * OW;
        if (a.stride == 1) {
            float *acc = a.acc;
            const int rowsPerBlock = std::max(1, 2048 / PW);
            for (int y0 = 0; y0 < OH; y0 += rowsPerBlock) {
                const int rows = std::min(rowsPerBlock, OH - y0);
                const int n = rows * PW;
                for (int i = 0; i < n; ++i) acc[i] = bias;
                for (int c = 0; c < cpg; ++c) {
                    const float *plane = a.padded + size_t(c) * PH * PW + size_t(y0) * PW;
                    for (int tap = 0; tap < 9; ++tap) {
                        const float k = w[c * 9 + tap];
                        const float *s = plane + (tap / 3) * PW + tap % 3;
                        for (int i = 0; i < n; ++i) acc[i] += k * s[i];
                    }
                }
                for (int y = 0; y < rows; ++y) std::memcpy(dst + (y0 + y) * OW, acc + y * PW, sizeof(float) * OW);
            }
        } else {  // stride 2: row by row, every other input pixel
            for (int y = 0; y < OH; ++y) {
                float *row = dst + y * OW;
                for (int x = 0; x < OW; ++x) row[x] = bias;
                for (int c = 0; c < cpg; ++c) {
                    const float *plane = a.padded + size_t(c) * PH * PW;
                    for (int tap = 0; tap < 9; ++tap) {
                        const float k = w[c * 9 + tap];
                        const float *s = plane + (y * 2 + tap / 3) * PW + tap % 3;
                        for (int x = 0; x < OW; ++x) row[x] += k * s[2 * x];
                    }
                }
            }
        }
    }
}

// The same loop compiled for three instruction sets; the build targets baseline x86-64, so the wide ones are
// picked at run time.
void convolveGroupGeneric(const GroupArgs &a) { convolveGroup(a); }
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2,fma"))) void convolveGroupAVX2(const GroupArgs &a) { convolveGroup(a); }
__attribute__((target("avx512f,fma"))) void convolveGroupAVX512(const GroupArgs &a) { convolveGroup(a); }
#endif

using GroupKernel = void (*)(const GroupArgs &);

GroupKernel pickKernel() {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (__builtin_cpu_supports("avx512f")) return convolveGroupAVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return convolveGroupAVX2;
#endif
    return convolveGroupGeneric;
}

// RollCall's loop for the grouped 3×3 convolutions where it beats OpenCV's.
class GroupedConv3x3Layer : public rc::conv::WrappedConvolution {
public:
    GroupedConv3x3Layer(const cv::dnn::LayerParams &params, const cv::Ptr<cv::dnn::BaseConvolutionLayer> &reference,
                        int groups)
        : WrappedConvolution(params, reference, "GroupedConv3x3"), groups_(groups), kernel_(pickKernel()) {
        stride_ = int(reference->strides[0]);
        padTop_ = int(reference->pads_begin[0]);
        padLeft_ = int(reference->pads_begin[1]);
        padBottom_ = int(reference->pads_end[0]);
        padRight_ = int(reference->pads_end[1]);
    }

protected:
    bool runOwn(const cv::Mat &input, cv::Mat &output) override {
        const int C = input.size[1], OW = output.size[3], cpg = C / groups_;
        // Measured on OpenCV 4.6 (w600k_mbf, YuNet): its depthwise kernel is fast on rows of ≥ 16 outputs at
        // stride 1 and ≥ 8 at stride 2, and 3–8× slower on narrower rows and with 2+ channels per group.
        const bool oursIsFaster = cpg > 1 || (stride_ == 1 ? OW < 16 : OW < 8);
        if (!oursIsFaster) return false;
        const int N = input.size[0], H = input.size[2], W = input.size[3], OH = output.size[2];
        const int opg = outChannels_ / groups_;
        const int PH = std::max(H + padTop_ + padBottom_, (OH - 1) * stride_ + 3);
        const int PW = std::max(W + padLeft_ + padRight_, (OW - 1) * stride_ + 3);
        const float *inData = input.ptr<float>();
        float *outData = output.ptr<float>();
        const float *weights = weights_.ptr<float>(), *bias = bias_.ptr<float>();
        cv::parallel_for_(cv::Range(0, N * groups_), [&](const cv::Range &range) {
            // + 16: the stride-1 sweep reads up to 2 floats past the last padded row (into discarded columns).
            std::vector<float> padded(size_t(cpg) * PH * PW + 16, 0.f), acc(size_t(2048 + PW) + 16);
            for (int t = range.start; t < range.end; ++t) {
                const int n = t / groups_, g = t % groups_;
                for (int c = 0; c < cpg; ++c) {
                    const float *src = inData + ((size_t(n) * C + g * cpg + c) * H) * W;
                    float *dst = padded.data() + size_t(c) * PH * PW;
                    for (int y = 0; y < H; ++y)
                        std::memcpy(dst + (y + padTop_) * PW + padLeft_, src + size_t(y) * W, sizeof(float) * W);
                }
                GroupArgs args{padded.data(), weights + size_t(g) * opg * cpg * 9, bias + g * opg,
                               outData + (size_t(n) * outChannels_ + g * opg) * OH * OW, acc.data(),
                               cpg, opg, PH, PW, OH, OW, stride_};
                kernel_(args);
                if (activation_)
                    activation_->forwardSlice(args.out, args.out, OH * OW, size_t(OH) * OW, g * opg, g * opg + opg);
            }
        });
        return true;
    }

private:
    int groups_, stride_ = 1, padTop_ = 0, padLeft_ = 0, padBottom_ = 0, padRight_ = 0;
    GroupKernel kernel_;
};

}  // namespace

// 2-D 3×3 grouped convolutions with at most 4 input channels per group.
cv::Ptr<cv::dnn::Layer> rc::conv::makeGroupedConvolution(const cv::dnn::LayerParams &params,
                                                         const cv::Ptr<cv::dnn::BaseConvolutionLayer> &reference) {
    const int groups = params.get<int>("group", 1);
    const bool eligible = groups > 1 && params.blobs.size() >= 1 && params.blobs[0].dims == 4 &&
                          params.blobs[0].type() == CV_32F && params.blobs[0].size[1] <= 4 &&
                          params.blobs[0].size[2] == 3 && params.blobs[0].size[3] == 3 &&
                          reference->numOutput % groups == 0 && reference->kernel_size.size() == 2 &&
                          reference->padMode.empty() && reference->dilations.size() == 2 &&
                          reference->dilations[0] == 1 && reference->dilations[1] == 1 &&
                          reference->strides.size() == 2 && reference->strides[0] == reference->strides[1] &&
                          reference->strides[0] <= 2 && reference->pads_begin.size() == 2 &&
                          reference->pads_end.size() == 2 && reference->pads_begin[0] <= 2 &&
                          reference->pads_begin[1] <= 2 && reference->pads_end[0] <= 2 && reference->pads_end[1] <= 2;
    if (!eligible) return nullptr;
    return cv::makePtr<GroupedConv3x3Layer>(params, reference, groups);
}
