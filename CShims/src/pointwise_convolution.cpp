// Pointwise convolutions (1×1, stride 1, ungrouped) for cv::dnn on CPUs with AVX-512.
//
// A 1×1 convolution is a matrix product: out[o][p] = bias[o] + Σ_c W[o][c] · in[c][p] over the plane's pixels p.
// They are most of a MobileFaceNet-style embedder's work (SFace: 550 of 570 MMAC), and OpenCV 4.6 runs them at
// 45–70 GMAC/s per core here; the register-blocked product below runs them at 110–125 GMAC/s on planes of 14×14
// and larger (≈ 80 on 7×7, where a 16-pixel vector is partly empty). The input is packed into panels of 48 pixels
// × 128 input channels that stay in L1; each tile of 8 output channels × 48 pixels lives in 24 registers while the
// input channels are summed, with the weights read in the model's own layout (no copy of them is kept). CPUs
// without AVX-512 keep OpenCV's kernel. Results match OpenCV's to float rounding (ConvolutionKernelTests).
#include <algorithm>
#include <cstring>
#include <vector>

#include "own_convolution.hpp"

#if defined(__x86_64__) && defined(__clang__)
// Everything up to the layer class is AVX-512 code, called only on a CPU that has it (makePointwiseConvolution).
#pragma clang attribute push(__attribute__((target("avx512f,fma"))), apply_to = function)
namespace {

constexpr int tileRows = 8;        // output channels per register tile
constexpr int lanes = 16;          // floats per AVX-512 vector
constexpr int panelVectors = 3;    // vectors per tile row: 48 pixels
constexpr int panelDepth = 128;    // input channels per pass: a 128 × 48 panel is 24 KB, in L1

typedef float Vector __attribute__((vector_size(64)));
typedef float UnalignedVector __attribute__((vector_size(64), aligned(4)));

// Every lane `x`. (`x - 0` folds away for every float, so this is one broadcast; `0 + x` would not, for x = -0.)
__attribute__((always_inline)) inline Vector splat(float x) { return x - Vector{}; }

// The first `n` floats at `p` (n < 16), and the rest zero; and the converse. Through copies, never through the
// accumulators' addresses: an accumulator whose address is taken lives in memory, not in a register.
__attribute__((always_inline)) inline Vector loadPartial(const float *p, int n) {
    float buffer[lanes] = {};
    std::memcpy(buffer, p, sizeof(float) * n);
    Vector v;
    std::memcpy(&v, buffer, sizeof(v));
    return v;
}

__attribute__((always_inline)) inline void storePartial(float *p, Vector v, int n) {
    float buffer[lanes];
    std::memcpy(buffer, &v, sizeof(v));
    std::memcpy(p, buffer, sizeof(float) * n);
}

// One tile: `rows` (≤ 8) output channels × `columns` (≤ vectors × 16) pixels, over `depth` input channels.
// `weights`: 8 rows `weightStride` apart (the model's layout; packing them was measured no faster), `panel`: depth ×
// (vectors × 16) (packed, zero beyond `columns`). The first pass starts from the bias, later ones from the tile.
template <int vectors>
__attribute__((always_inline)) inline void multiplyTile(const float *weights, size_t weightStride, const float *panel,
                                                        int depth, float *out, size_t rowStride, int rows,
                                                        int columns, const float *bias, bool firstPass) {
    Vector acc[tileRows][vectors];
    for (int r = 0; r < tileRows; ++r)
        for (int v = 0; v < vectors; ++v) {
            const int n = std::min(lanes, columns - v * lanes);
            if (firstPass || r >= rows) {
                acc[r][v] = splat(bias[r]);
            } else if (n == lanes) {
                acc[r][v] = *(const UnalignedVector *)(out + r * rowStride + v * lanes);
            } else {
                acc[r][v] = loadPartial(out + r * rowStride + v * lanes, n);
            }
        }
    for (int c = 0; c < depth; ++c) {
        Vector in[vectors];
        for (int v = 0; v < vectors; ++v) in[v] = *(const UnalignedVector *)(panel + (c * vectors + v) * lanes);
        for (int r = 0; r < tileRows; ++r) {
            const Vector w = splat(weights[r * weightStride + c]);
            for (int v = 0; v < vectors; ++v) acc[r][v] += w * in[v];
        }
    }
    for (int r = 0; r < rows; ++r)
        for (int v = 0; v < vectors; ++v) {
            const int n = std::min(lanes, columns - v * lanes);
            if (n == lanes) *(UnalignedVector *)(out + r * rowStride + v * lanes) = acc[r][v];
            else storePartial(out + r * rowStride + v * lanes, acc[r][v], n);
        }
}

// A part of one image's product: the output channels of tiles [firstTile, endTile) at the pixels
// [firstColumn, firstColumn + columns), which are cut into blocks of 48.
struct ProductArgs {
    const float *weights;      // outChannels × channels (the model's layout)
    const float *tailWeights;  // the last tile's rows when it has fewer than 8, zero-padded to 8 × channels
    const float *bias;         // tiles × 8 (zero-padded)
    const float *input;        // channels × pixels (one image)
    float *output;             // outChannels × pixels (one image)
    float *panels;             // the blocks' input panels, packed by packPanels: blocks × channels × 48
    int channels, outChannels, pixels;
    int firstColumn, columns;
    int firstTile, endTile;
    bool tilesOuter;           // each tile over every block (weights read once), or each block through every tile
};

int vectorsFor(int columns) { return (columns + lanes - 1) / lanes; }

// Each block's input pixels, channel by channel, in rows of whole vectors (zero beyond the plane).
void packPanels(const ProductArgs &a) {
    const int blockWidth = panelVectors * lanes;
    for (int first = 0; first < a.columns; first += blockWidth) {
        const int columns = std::min(blockWidth, a.columns - first), width = vectorsFor(columns) * lanes;
        float *panel = a.panels + size_t(first / blockWidth) * a.channels * blockWidth;
        for (int c = 0; c < a.channels; ++c) {
            float *dst = panel + size_t(c) * width;
            std::memcpy(dst, a.input + size_t(c) * a.pixels + a.firstColumn + first, sizeof(float) * columns);
            std::fill(dst + columns, dst + width, 0.f);
        }
    }
}

// One tile of one block, over the input channels [c0, c0 + 128).
void multiplyPass(const ProductArgs &a, int tile, int block, int c0) {
    const int blockWidth = panelVectors * lanes, first = block * blockWidth;
    const int columns = std::min(blockWidth, a.columns - first), vectors = vectorsFor(columns);
    const int row = tile * tileRows, depth = std::min(panelDepth, a.channels - c0);
    const int rows = std::min(tileRows, a.outChannels - row);
    const float *weights = (rows == tileRows ? a.weights + size_t(row) * a.channels : a.tailWeights) + c0;
    const float *panel = a.panels + size_t(block) * a.channels * blockWidth + size_t(c0) * vectors * lanes;
    float *out = a.output + size_t(row) * a.pixels + a.firstColumn + first;
    switch (vectors) {
    case 3: multiplyTile<3>(weights, a.channels, panel, depth, out, a.pixels, rows, columns, a.bias + row, c0 == 0); break;
    case 2: multiplyTile<2>(weights, a.channels, panel, depth, out, a.pixels, rows, columns, a.bias + row, c0 == 0); break;
    default: multiplyTile<1>(weights, a.channels, panel, depth, out, a.pixels, rows, columns, a.bias + row, c0 == 0); break;
    }
}

void multiply(const ProductArgs &a) {
    const int blocks = (a.columns + panelVectors * lanes - 1) / (panelVectors * lanes);
    if (a.tilesOuter) {
        for (int t = a.firstTile; t < a.endTile; ++t)
            for (int b = 0; b < blocks; ++b)
                for (int c0 = 0; c0 < a.channels; c0 += panelDepth) multiplyPass(a, t, b, c0);
    } else {
        for (int b = 0; b < blocks; ++b)
            for (int c0 = 0; c0 < a.channels; c0 += panelDepth)
                for (int t = a.firstTile; t < a.endTile; ++t) multiplyPass(a, t, b, c0);
    }
}
}  // namespace
#pragma clang attribute pop

namespace {

class PointwiseConvolutionLayer : public rc::conv::WrappedConvolution {
public:
    PointwiseConvolutionLayer(const cv::dnn::LayerParams &params,
                              const cv::Ptr<cv::dnn::BaseConvolutionLayer> &reference)
        : WrappedConvolution(params, reference, "PointwiseConv"), channels_(params.blobs[0].size[1]) {
        weightsChanged();
    }

protected:
    // The zero-padded copies: the bias, and the last tile's weights when it has fewer than 8 rows.
    void weightsChanged() override {
        const int tiles = (outChannels_ + tileRows - 1) / tileRows, tailRows = outChannels_ % tileRows;
        paddedBias_.assign(size_t(tiles) * tileRows, 0.f);
        std::copy(bias_.ptr<float>(), bias_.ptr<float>() + outChannels_, paddedBias_.begin());
        tailWeights_.assign(tailRows ? size_t(tileRows) * channels_ : 0, 0.f);
        std::copy(weights_.ptr<float>() + size_t(outChannels_ - tailRows) * channels_,
                  weights_.ptr<float>() + size_t(outChannels_) * channels_, tailWeights_.begin());
    }

    bool runOwn(const cv::Mat &input, cv::Mat &output) override {
        const int N = input.size[0], pixels = input.size[2] * input.size[3];
        if (input.size[1] != channels_ || output.size[1] != outChannels_ ||
            output.size[2] * output.size[3] != pixels)
            return false;
        const int blockWidth = panelVectors * lanes;
        const int blocks = (pixels + blockWidth - 1) / blockWidth;
        const int tiles = (outChannels_ + tileRows - 1) / tileRows;
        // Work items. Planes with more pixels than the layer has outputs (the input outweighs the weights): one
        // item per block of 48 pixels, which runs through every tile while its panel stays in L1, as the weights do
        // (they are small). Otherwise (7×7 planes with 512+ outputs): the weights are the big operand (4 MB for
        // 1024 → 1024), so each item takes every block and runs tile by tile, reading each tile's weights once;
        // two slices of the tiles, so that two threads have work. Fixed by the shape alone: one thread and two run
        // the same items.
        const bool tilesOuter = outChannels_ > blocks * blockWidth;
        const int columnItems = tilesOuter ? 1 : blocks;
        const int tileSlices = tilesOuter ? std::min(tiles, 2) : 1;
        const int tilesPerSlice = (tiles + tileSlices - 1) / tileSlices;
        const float *inData = input.ptr<float>();
        float *outData = output.ptr<float>();
        cv::parallel_for_(cv::Range(0, N * columnItems * tileSlices), [&](const cv::Range &range) {
            thread_local std::vector<float> panels;
            panels.resize(size_t(tilesOuter ? blocks : 1) * channels_ * blockWidth);
            int packedImage = -1, packedColumn = -1;  // what `panels` holds
            for (int item = range.start; item < range.end; ++item) {
                const int n = item / (columnItems * tileSlices), rest = item % (columnItems * tileSlices);
                const int columnItem = rest / tileSlices, slice = rest % tileSlices;
                const int firstColumn = columnItem * blockWidth;
                ProductArgs args{weights_.ptr<float>(), tailWeights_.data(), paddedBias_.data(),
                                 inData + size_t(n) * channels_ * pixels, outData + size_t(n) * outChannels_ * pixels,
                                 panels.data(), channels_, outChannels_, pixels,
                                 firstColumn, tilesOuter ? pixels : std::min(blockWidth, pixels - firstColumn),
                                 slice * tilesPerSlice, std::min(tiles, (slice + 1) * tilesPerSlice), tilesOuter};
                if (args.firstTile >= args.endTile) continue;
                if (n != packedImage || firstColumn != packedColumn) {
                    packPanels(args);
                    packedImage = n;
                    packedColumn = firstColumn;
                }
                multiply(args);
                if (activation_) {
                    const int firstRow = args.firstTile * tileRows;
                    const int endRow = std::min(outChannels_, args.endTile * tileRows);
                    activation_->forwardSlice(args.output + size_t(firstRow) * pixels + args.firstColumn,
                                              args.output + size_t(firstRow) * pixels + args.firstColumn,
                                              args.columns, pixels, firstRow, endRow);
                }
            }
        });
        return true;
    }

private:
    int channels_;
    std::vector<float> tailWeights_, paddedBias_;
};

}  // namespace
#endif

extern "C" int rc_own_pointwise_convolution_supported(void) {
#if defined(__x86_64__) && defined(__clang__)
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
    return 0;
#endif
}

// 2-D 1×1 convolutions, stride 1, no padding, one group, on a CPU with AVX-512.
cv::Ptr<cv::dnn::Layer> rc::conv::makePointwiseConvolution(const cv::dnn::LayerParams &params,
                                                           const cv::Ptr<cv::dnn::BaseConvolutionLayer> &reference) {
#if defined(__x86_64__) && defined(__clang__)
    if (!rc_own_pointwise_convolution_supported()) return nullptr;
    auto all = [](const std::vector<size_t> &values, size_t expected) {
        return std::all_of(values.begin(), values.end(), [&](size_t v) { return v == expected; });
    };
    const bool eligible = params.get<int>("group", 1) == 1 && params.blobs.size() >= 1 &&
                          params.blobs[0].dims == 4 && params.blobs[0].type() == CV_32F &&
                          params.blobs[0].size[2] == 1 && params.blobs[0].size[3] == 1 &&
                          params.blobs[0].size[0] == int(reference->numOutput) &&
                          reference->kernel_size.size() == 2 && reference->padMode.empty() &&
                          reference->dilations.size() == 2 && all(reference->dilations, 1) &&
                          reference->strides.size() == 2 && all(reference->strides, 1) &&
                          reference->pads_begin.size() == 2 && all(reference->pads_begin, 0) &&
                          reference->pads_end.size() == 2 && all(reference->pads_end, 0);
    if (!eligible) return nullptr;
    return cv::makePtr<PointwiseConvolutionLayer>(params, reference);
#else
    (void)params;
    (void)reference;
    return nullptr;
#endif
}
