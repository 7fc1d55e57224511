// Grouped 3×3 convolutions (depthwise, and groups of 2–4 channels) for cv::dnn on the CPU.
//
// OpenCV 4.6's own kernel for these is fast on wide planes but 3–8× slower on output rows narrower than 16
// pixels and on groups of more than one channel, which is most of a MobileFaceNet-style embedder (w600k_mbf:
// 14×14 and 7×7 planes, a 2-channel-group layer at 56×56). This layer wraps OpenCV's convolution, keeps its
// shapes and fusions, and runs its own loop only where that loop is the faster one; results match to float
// rounding (GroupedConvolutionTests). Embedding networks only (see createConvolution).
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/dnn/all_layers.hpp>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "shim_internal.hpp"

namespace {
using cv::dnn::MatShape;

// Set while an embedding network is being loaded on this thread (cv::dnn creates the layers during the import).
thread_local bool loadingEmbedder = false;

// Off: every convolution runs OpenCV's kernel (for comparisons; see rc_set_own_grouped_convolution).
std::atomic<bool> useOwnKernel{true};
// Layers run on RollCall's kernel by this thread: lets the tests see whether their own calls used it (per thread,
// so that tests running alongside do not count).
thread_local unsigned long long ownKernelRuns = 0;

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

// Wraps cv::dnn's own convolution: same shapes, same fusions, and its kernel wherever it is the faster one.
class GroupedConv3x3Layer : public cv::dnn::Layer {
public:
    GroupedConv3x3Layer(const cv::dnn::LayerParams &params, const cv::Ptr<cv::dnn::BaseConvolutionLayer> &reference,
                        int groups)
        : Layer(params), reference_(reference), groups_(groups), kernel_(pickKernel()) {
        type = "GroupedConv3x3";  // not "Convolution": cv::dnn casts layers of that type to its own class
        outChannels_ = reference->numOutput;
        stride_ = int(reference->strides[0]);
        padTop_ = int(reference->pads_begin[0]);
        padLeft_ = int(reference->pads_begin[1]);
        padBottom_ = int(reference->pads_end[0]);
        padRight_ = int(reference->pads_end[1]);
        weights_ = params.blobs[0].reshape(1, 1).clone();
        bias_ = cv::Mat::zeros(1, outChannels_, CV_32F);
        if (params.blobs.size() > 1) params.blobs[1].reshape(1, 1).copyTo(bias_);
    }

    bool getMemoryShapes(const std::vector<MatShape> &inputs, const int requiredOutputs,
                         std::vector<MatShape> &outputs, std::vector<MatShape> &internals) const override {
        return reference_->getMemoryShapes(inputs, requiredOutputs, outputs, internals);
    }

    void finalize(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs) override {
        reference_->finalize(inputs, outputs);
    }

    bool setActivation(const cv::Ptr<cv::dnn::ActivationLayer> &layer) override {
        if (!reference_->setActivation(layer)) return false;
        activation_ = layer;
        return true;
    }

    // A following BatchNorm/Scale is folded into both copies of the weights.
    bool tryFuse(cv::Ptr<cv::dnn::Layer> &top) override {
        if (!reference_->tryFuse(top)) return false;
        cv::Mat scale, shift;
        top->getScaleShift(scale, shift);
        const int perChannel = int(weights_.total()) / outChannels_;
        float *w = weights_.ptr<float>(), *b = bias_.ptr<float>();
        for (int o = 0; o < outChannels_; ++o) {
            const float s = scale.empty() ? 1.f : scale.ptr<float>()[scale.total() == 1 ? 0 : o];
            const float t = shift.empty() ? 0.f : shift.ptr<float>()[shift.total() == 1 ? 0 : o];
            for (int i = 0; i < perChannel; ++i) w[o * perChannel + i] *= s;
            b[o] = b[o] * s + t;
        }
        return true;
    }

    void forward(cv::InputArrayOfArrays inputsArr, cv::OutputArrayOfArrays outputsArr,
                 cv::OutputArrayOfArrays internalsArr) override {
        std::vector<cv::Mat> inputs, outputs;
        inputsArr.getMatVector(inputs);
        outputsArr.getMatVector(outputs);
        const cv::Mat &input = inputs[0];
        cv::Mat &output = outputs[0];
        const bool plain = input.dims == 4 && output.dims == 4 && input.type() == CV_32F && input.isContinuous() &&
                           output.isContinuous();
        const int C = input.size[1], OW = plain ? output.size[3] : 0, cpg = C / groups_;
        // Measured on OpenCV 4.6 (w600k_mbf, YuNet): its depthwise kernel is fast on rows of ≥ 16 outputs at
        // stride 1 and ≥ 8 at stride 2, and 3–8× slower on narrower rows and with 2+ channels per group.
        const bool oursIsFaster = cpg > 1 || (stride_ == 1 ? OW < 16 : OW < 8);
        if (!plain || !oursIsFaster || !useOwnKernel.load(std::memory_order_relaxed)) {
            reference_->forward(inputsArr, outputsArr, internalsArr);
            return;
        }
        const int N = input.size[0], H = input.size[2], W = input.size[3], OH = output.size[2];
        const int opg = outChannels_ / groups_;
        ownKernelRuns += 1;
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
    }

private:
    cv::Ptr<cv::dnn::BaseConvolutionLayer> reference_;
    int groups_, outChannels_ = 0, stride_ = 1, padTop_ = 0, padLeft_ = 0, padBottom_ = 0, padRight_ = 0;
    GroupKernel kernel_;
    cv::Mat weights_, bias_;
    cv::Ptr<cv::dnn::ActivationLayer> activation_;
};

// Wraps cv::dnn's convolution for 2-D 3×3 grouped convolutions with at most 4 input channels per group, in
// embedding networks only. The detector keeps OpenCV's kernel: YuNet has few narrow layers and gains nothing, and
// its landmarks place the 8-bit chips, so even a rounding-level change would move chip pixels by one level.
cv::Ptr<cv::dnn::Layer> createConvolution(cv::dnn::LayerParams &params) {
    cv::Ptr<cv::dnn::BaseConvolutionLayer> reference = cv::dnn::ConvolutionLayer::create(params);
    if (!loadingEmbedder) return reference;
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
    if (!eligible) return reference;
    return cv::makePtr<GroupedConv3x3Layer>(params, reference, groups);
}

}  // namespace

namespace rc {

EmbedderLoading::EmbedderLoading() {
    static std::once_flag once;
    std::call_once(once, [] { cv::dnn::LayerFactory::registerLayer("Convolution", createConvolution); });
    loadingEmbedder = true;
}

EmbedderLoading::~EmbedderLoading() { loadingEmbedder = false; }

}  // namespace rc

extern "C" void rc_set_own_grouped_convolution(int enabled) { useOwnKernel.store(enabled != 0); }

extern "C" unsigned long long rc_own_grouped_convolution_runs(void) { return ownKernelRuns; }

extern "C" rc_status rc_compare_grouped_convolution(const rc_grouped_convolution_case *c, double *difference,
                                                    unsigned long long *own_runs, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!c || !difference || !own_runs || c->batch < 1 || c->channels < 1 || c->groups < 1 ||
            c->out_channels < 1 || c->height < 1 || c->width < 1 || c->channels % c->groups != 0 ||
            c->out_channels % c->groups != 0)
            return rc::fail(err, RC_INVALID_ARGUMENT, "bad grouped convolution case");
        cv::RNG rng(c->seed);
        auto random = [&](std::vector<int> shape, float low, float high) {
            cv::Mat m(int(shape.size()), shape.data(), CV_32F);
            rng.fill(m, cv::RNG::UNIFORM, low, high);
            return m;
        };
        const int out = c->out_channels;
        cv::dnn::LayerParams conv;
        conv.name = "conv";
        conv.type = "Convolution";
        conv.set("kernel_h", 3);
        conv.set("kernel_w", 3);
        conv.set("stride_h", c->stride);
        conv.set("stride_w", c->stride);
        conv.set("pad_t", c->pad_top);
        conv.set("pad_l", c->pad_left);
        conv.set("pad_b", c->pad_bottom);
        conv.set("pad_r", c->pad_right);
        conv.set("num_output", out);
        conv.set("group", c->groups);
        conv.set("bias_term", c->bias != 0);
        conv.blobs.push_back(random({out, c->channels / c->groups, 3, 3}, -1, 1));
        if (c->bias) conv.blobs.push_back(random({out}, -1, 1));
        const cv::Mat bnBlobs[4] = {random({out}, -0.5, 0.5), random({out}, 0.5, 2), random({out}, 0.5, 1.5),
                                    random({out}, -0.5, 0.5)};  // mean, variance, scale, shift
        const cv::Mat slopes = random({out}, 0, 0.5);

        auto build = [&]() {
            cv::dnn::Net net;
            net.addLayerToPrev(conv.name, conv.type, conv);
            if (c->batch_norm) {
                cv::dnn::LayerParams bn;
                bn.name = "bn";
                bn.type = "BatchNorm";
                bn.set("has_weight", true);
                bn.set("has_bias", true);
                bn.set("eps", 1e-5);
                bn.blobs = {bnBlobs[0], bnBlobs[1], bnBlobs[2], bnBlobs[3]};
                net.addLayerToPrev(bn.name, bn.type, bn);
            }
            if (c->prelu) {
                cv::dnn::LayerParams prelu;
                prelu.name = "prelu";
                prelu.type = "PReLU";
                prelu.blobs.push_back(slopes);
                net.addLayerToPrev(prelu.name, prelu.type, prelu);
            }
            net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
            net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
            return net;
        };
        const cv::Mat input = random({c->batch, c->channels, c->height, c->width}, -1, 1);
        auto run = [&](cv::dnn::Net &net) {
            net.setInput(input);
            return net.forward().clone();
        };
        const bool ownBefore = useOwnKernel.load();
        useOwnKernel.store(true);
        // The embedder's way (layers created inside the scope, at the first forward), our kernel then OpenCV's
        // through the same wrapper; and a net that never had the wrapper.
        cv::dnn::Net wrapped = build(), plain = build();
        cv::Mat own, delegated;
        {
            rc::EmbedderLoading loading;
            const unsigned long long runsBefore = ownKernelRuns;
            own = run(wrapped);
            *own_runs = ownKernelRuns - runsBefore;
        }
        useOwnKernel.store(false);
        delegated = run(wrapped);
        const cv::Mat reference = run(plain);
        useOwnKernel.store(ownBefore);
        if (own.total() != reference.total() || delegated.total() != reference.total() || reference.total() == 0)
            return rc::fail(err, RC_OPENCV, "the runs gave outputs of different sizes");
        double largest = 0, diff = 0;
        for (size_t i = 0; i < reference.total(); ++i) {
            const float r = reference.ptr<float>()[i];
            largest = std::max(largest, double(std::abs(r)));
            diff = std::max({diff, double(std::abs(own.ptr<float>()[i] - r)), double(std::abs(delegated.ptr<float>()[i] - r))});
        }
        *difference = largest > 0 ? diff / largest : diff;
        return RC_OK;
    });
}
