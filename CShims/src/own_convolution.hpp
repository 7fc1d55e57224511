// RollCall's convolution kernels for embedding networks (cv::dnn, CPU), where OpenCV 4.6's are slow.
//
// Each kernel lives in a layer that wraps cv::dnn's own convolution: shapes, `finalize`, activation fusion and
// BatchNorm folding are delegated to OpenCV's layer and mirrored here, and `forward` runs RollCall's loop only
// where it is the faster one, OpenCV's otherwise. Results match OpenCV's to float rounding (GroupedConvolution-
// and PointwiseConvolution cases in ConvolutionKernelTests). The factory (own_convolution.cpp) hands the wrappers
// out only while an embedding network is loading (rc::EmbedderLoading): the detector keeps OpenCV's kernels.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/dnn/all_layers.hpp>

#include <vector>

namespace rc::conv {

/// False: every wrapper hands its calls to OpenCV's kernel (rc_set_own_convolution).
bool ownKernelsEnabled();
/// Counts one layer call run on RollCall's kernel, for this thread (rc_own_convolution_runs).
void countOwnRun();

/// The delegation shared by the kernels' layers. A subclass implements `runOwn`.
class WrappedConvolution : public cv::dnn::Layer {
public:
    WrappedConvolution(const cv::dnn::LayerParams &params, const cv::Ptr<cv::dnn::BaseConvolutionLayer> &reference,
                       const char *typeName);

    bool getMemoryShapes(const std::vector<cv::dnn::MatShape> &inputs, const int requiredOutputs,
                         std::vector<cv::dnn::MatShape> &outputs,
                         std::vector<cv::dnn::MatShape> &internals) const override;
    void finalize(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs) override;
    bool setActivation(const cv::Ptr<cv::dnn::ActivationLayer> &layer) override;
    /// A following BatchNorm/Scale is folded into OpenCV's copy of the weights and into ours.
    bool tryFuse(cv::Ptr<cv::dnn::Layer> &top) override;
    void forward(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs,
                 cv::OutputArrayOfArrays internals) override;

protected:
    /// Runs the layer on one 4-D continuous float input into its output (both allocated by cv::dnn); false
    /// hands the call to OpenCV's kernel instead (a shape where OpenCV's is the faster one).
    virtual bool runOwn(const cv::Mat &input, cv::Mat &output) = 0;
    /// Called after a BatchNorm was folded into `weights_` and `bias_`.
    virtual void weightsChanged() {}

    cv::Ptr<cv::dnn::BaseConvolutionLayer> reference_;
    int outChannels_ = 0;
    // 1 × (outChannels × inputs per output), as in the model: the model's own blob (no copy: SFace's 1×1 weights
    // are 12.5 MB) until a BatchNorm is folded in, then a folded copy.
    cv::Mat weights_;
    bool foldedWeights_ = false;
    cv::Mat bias_;     // 1 × outChannels (zeros when the model has none)
    cv::Ptr<cv::dnn::ActivationLayer> activation_;  // fused into this layer, or empty
};

/// RollCall's layer for this convolution, or nothing when it has no kernel for it (grouped_convolution.cpp:
/// 3×3 grouped with ≤ 4 channels per group; pointwise_convolution.cpp: 1×1, stride 1, ungrouped).
cv::Ptr<cv::dnn::Layer> makeGroupedConvolution(const cv::dnn::LayerParams &params,
                                               const cv::Ptr<cv::dnn::BaseConvolutionLayer> &reference);
cv::Ptr<cv::dnn::Layer> makePointwiseConvolution(const cv::dnn::LayerParams &params,
                                                 const cv::Ptr<cv::dnn::BaseConvolutionLayer> &reference);

}  // namespace rc::conv
