// The factory that gives embedding networks RollCall's convolution kernels, the layer wrapper they share, the
// process-wide switch, and a test entry that compares one layer against OpenCV's. See own_convolution.hpp.
#include "own_convolution.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>

#include "shim_internal.hpp"

namespace {

// Set while an embedding network is being loaded on this thread (cv::dnn creates the layers during the import).
thread_local bool loadingEmbedder = false;

// Off: every convolution runs OpenCV's kernel (for comparisons; see rc_set_own_convolution).
std::atomic<bool> useOwnKernels{true};
// Layer calls run on RollCall's kernels by this thread: lets the tests see whether their own calls used them (per
// thread, so that tests running alongside do not count).
thread_local unsigned long long ownKernelRuns = 0;

// Embedding networks get RollCall's layer where it has a kernel for the convolution. The detector keeps OpenCV's:
// YuNet has few layers they would take and gains nothing, and its landmarks place the 8-bit chips, so even a
// rounding-level change would move chip pixels by one level.
cv::Ptr<cv::dnn::Layer> createConvolution(cv::dnn::LayerParams &params) {
    cv::Ptr<cv::dnn::BaseConvolutionLayer> reference = cv::dnn::ConvolutionLayer::create(params);
    if (!loadingEmbedder) return reference;
    if (auto layer = rc::conv::makeGroupedConvolution(params, reference)) return layer;
    if (auto layer = rc::conv::makePointwiseConvolution(params, reference)) return layer;
    return reference;
}

}  // namespace

namespace rc {

EmbedderLoading::EmbedderLoading() {
    static std::once_flag once;
    std::call_once(once, [] { cv::dnn::LayerFactory::registerLayer("Convolution", createConvolution); });
    loadingEmbedder = true;
}

EmbedderLoading::~EmbedderLoading() { loadingEmbedder = false; }

namespace conv {

bool ownKernelsEnabled() { return useOwnKernels.load(std::memory_order_relaxed); }

void countOwnRun() { ownKernelRuns += 1; }

WrappedConvolution::WrappedConvolution(const cv::dnn::LayerParams &params,
                                       const cv::Ptr<cv::dnn::BaseConvolutionLayer> &reference, const char *typeName)
    : Layer(params), reference_(reference) {
    type = typeName;  // never "Convolution": cv::dnn casts layers of that type to its own class
    outChannels_ = reference->numOutput;
    weights_ = params.blobs[0].reshape(1, 1);
    bias_ = cv::Mat::zeros(1, outChannels_, CV_32F);
    if (params.blobs.size() > 1) params.blobs[1].reshape(1, 1).copyTo(bias_);
}

bool WrappedConvolution::getMemoryShapes(const std::vector<cv::dnn::MatShape> &inputs, const int requiredOutputs,
                                         std::vector<cv::dnn::MatShape> &outputs,
                                         std::vector<cv::dnn::MatShape> &internals) const {
    return reference_->getMemoryShapes(inputs, requiredOutputs, outputs, internals);
}

void WrappedConvolution::finalize(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs) {
    reference_->finalize(inputs, outputs);
}

bool WrappedConvolution::setActivation(const cv::Ptr<cv::dnn::ActivationLayer> &layer) {
    if (!reference_->setActivation(layer)) return false;
    activation_ = layer;
    return true;
}

bool WrappedConvolution::tryFuse(cv::Ptr<cv::dnn::Layer> &top) {
    if (!reference_->tryFuse(top)) return false;
    cv::Mat scale, shift;
    top->getScaleShift(scale, shift);
    if (!foldedWeights_) {  // the model's blob is shared with OpenCV's layer: fold into a copy
        weights_ = weights_.clone();
        foldedWeights_ = true;
    }
    const int perChannel = int(weights_.total()) / outChannels_;
    float *w = weights_.ptr<float>(), *b = bias_.ptr<float>();
    for (int o = 0; o < outChannels_; ++o) {
        const float s = scale.empty() ? 1.f : scale.ptr<float>()[scale.total() == 1 ? 0 : o];
        const float t = shift.empty() ? 0.f : shift.ptr<float>()[shift.total() == 1 ? 0 : o];
        for (int i = 0; i < perChannel; ++i) w[o * perChannel + i] *= s;
        b[o] = b[o] * s + t;
    }
    weightsChanged();
    return true;
}

void WrappedConvolution::forward(cv::InputArrayOfArrays inputsArr, cv::OutputArrayOfArrays outputsArr,
                                 cv::OutputArrayOfArrays internalsArr) {
    if (ownKernelsEnabled()) {
        std::vector<cv::Mat> inputs, outputs;
        inputsArr.getMatVector(inputs);
        outputsArr.getMatVector(outputs);
        const cv::Mat &input = inputs[0];
        cv::Mat &output = outputs[0];
        const bool plain = input.dims == 4 && output.dims == 4 && input.type() == CV_32F &&
                           output.type() == CV_32F && input.isContinuous() && output.isContinuous();
        if (plain && runOwn(input, output)) {
            countOwnRun();
            return;
        }
    }
    reference_->forward(inputsArr, outputsArr, internalsArr);
}

}  // namespace conv
}  // namespace rc

extern "C" void rc_set_own_convolution(int enabled) { useOwnKernels.store(enabled != 0); }

extern "C" unsigned long long rc_own_convolution_runs(void) { return ownKernelRuns; }

extern "C" rc_status rc_compare_convolution(const rc_convolution_case *c, double *difference,
                                            unsigned long long *own_runs, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!c || !difference || !own_runs || (c->kernel != 1 && c->kernel != 3) || c->batch < 1 ||
            c->channels < 1 || c->groups < 1 || c->out_channels < 1 || c->height < 1 || c->width < 1 ||
            c->channels % c->groups != 0 || c->out_channels % c->groups != 0)
            return rc::fail(err, RC_INVALID_ARGUMENT, "bad convolution case");
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
        conv.set("kernel_h", c->kernel);
        conv.set("kernel_w", c->kernel);
        conv.set("stride_h", c->stride);
        conv.set("stride_w", c->stride);
        conv.set("pad_t", c->pad_top);
        conv.set("pad_l", c->pad_left);
        conv.set("pad_b", c->pad_bottom);
        conv.set("pad_r", c->pad_right);
        conv.set("num_output", out);
        conv.set("group", c->groups);
        conv.set("bias_term", c->bias != 0);
        conv.blobs.push_back(random({out, c->channels / c->groups, c->kernel, c->kernel}, -1, 1));
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
        const bool ownBefore = useOwnKernels.load();
        useOwnKernels.store(true);
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
        useOwnKernels.store(false);
        delegated = run(wrapped);
        const cv::Mat reference = run(plain);
        useOwnKernels.store(ownBefore);
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
