// The embedding network on cv::dnn: chips in, raw descriptors out (normalising is the caller's job).
#include <opencv2/dnn.hpp>

#include <cstring>
#include <memory>
#include <vector>

#include "shim_internal.hpp"

struct rc_embedder {
    cv::dnn::Net net;
    rc_embedder_config config;
    int dimension = 0;
};

extern "C" {

rc_status rc_embedder_create(const char *model_path, const rc_embedder_config *config, rc_embedder **out,
                             rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!model_path || !config || !out || config->input_width <= 0 || config->input_height <= 0)
            return rc::fail(err, RC_INVALID_ARGUMENT, "bad embedder arguments");
        auto e = std::make_unique<rc_embedder>();
        e->config = *config;
        rc::EmbedderLoading loading;  // to the end of the probe below: cv::dnn creates layers while importing and setting up
        try {
            e->net = cv::dnn::readNetFromONNX(model_path);
        } catch (const cv::Exception &ex) {
            return rc::fail(err, RC_MODEL, std::string(model_path) + ": cannot load embedding model: " + ex.what());
        }
        e->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        e->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        // Probe once with a grey chip: learns the output size and fails early on a model of the wrong shape.
        cv::Mat grey(config->input_height, config->input_width, CV_8UC3, cv::Scalar::all(128));
        cv::Mat blob = cv::dnn::blobFromImage(grey, config->scale, cv::Size(config->input_width, config->input_height),
                                              cv::Scalar(config->mean[0], config->mean[1], config->mean[2]),
                                              config->swap_rb != 0, false);
        e->net.setInput(blob);
        cv::Mat probe = e->net.forward();
        e->dimension = int(probe.total());
        if (e->dimension <= 0) return rc::fail(err, RC_MODEL, std::string(model_path) + ": model produced no output");
        *out = e.release();
        return RC_OK;
    });
}

int rc_embedder_dimension(const rc_embedder *embedder) { return embedder ? embedder->dimension : 0; }

rc_status rc_embedder_embed(rc_embedder *embedder, const rc_image *const *chips, int count, float *out,
                            int out_capacity, rc_error *err) {
    return rc::guarded(err, [&]() -> rc_status {
        if (!embedder || !chips || !out || count <= 0) return rc::fail(err, RC_INVALID_ARGUMENT, "bad embed arguments");
        if (out_capacity < count * embedder->dimension)
            return rc::fail(err, RC_INVALID_ARGUMENT, "output buffer too small");
        const rc_embedder_config &c = embedder->config;
        for (int i = 0; i < count; ++i)
            if (!chips[i]) return rc::fail(err, RC_INVALID_ARGUMENT, "null chip");
        // One chip per forward pass, never a batch: the net then keeps the input shape it was set up with at
        // creation. Each new batch size makes cv::dnn allocate all its intermediate blobs again, sized for the
        // batch (SFace: ≈ 6.4 MB per chip), and on the CPU a batch is no faster per chip.
        const size_t dimension = size_t(embedder->dimension);
        for (int i = 0; i < count; ++i) {
            cv::Mat blob = cv::dnn::blobFromImage(chips[i]->mat, c.scale, cv::Size(c.input_width, c.input_height),
                                                  cv::Scalar(c.mean[0], c.mean[1], c.mean[2]), c.swap_rb != 0, false);
            embedder->net.setInput(blob);
            cv::Mat result = embedder->net.forward();
            if (result.total() != dimension) return rc::fail(err, RC_MODEL, "embedding output has an unexpected size");
            cv::Mat flat = result.reshape(1, 1);
            std::memcpy(out + size_t(i) * dimension, flat.ptr<float>(), sizeof(float) * dimension);
        }
        return RC_OK;
    });
}

void rc_embedder_free(rc_embedder *embedder) { delete embedder; }

}  // extern "C"
