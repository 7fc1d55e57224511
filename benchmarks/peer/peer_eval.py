"""Runs the peer, PyPI face_recognition 1.3.0 (dlib's HOG detector + dlib's ResNet encoder, prebuilt
`dlib-bin`), on the same protocols as `rollcall eval pairs|identify` and `rollcall bench`, and prints the
same metric keys, computed with the same formulas as RollCall's Sources/Evaluation:

- verification: 10-fold accuracy over consecutive folds (threshold = best accuracy on the other 9 folds,
  midpoint between neighbouring distances), population std; TAR at FAR 0.1 % at the largest threshold
  whose FAR <= 0.001 (accept = distance strictly below it);
- identification (NIST FRVT terms): FNIR at FPIR 0.003 / 0.01 at the largest threshold whose FPIR does not
  exceed the target, rank-1 over mated probes.

The peer is run at its default settings: `face_locations(image)` (HOG, 1 upsampling), then
`face_encodings(image, [box])` (5-point landmarks, 1 jitter) on the LARGEST detected face. Its distance
is the Euclidean distance between encodings (what `face_distance` returns). An image without a detected
face is treated as in RollCall: no substitute; every pair using it is a non-match (distance nan), a
probe without a face is never accepted, a gallery image without a face leaves its identity unenrolled.
The peer has no margin rule: a probe's statistic is its distance to the nearest enrolled identity.

Speed: N worker processes (default: one per core), each single-threaded; images/s = images encoded /
wall time of the encoding (model loading excluded, as in RollCall's images_per_second).

Subcommands (see --help of each):
  encode   LIST --root DIR --cache FILE.npz    encode images (incremental cache of encodings)
  pairs    PAIRS --root DIR --cache FILE.npz   verification metrics (+ --scores FILE)
  identify --gallery G --probes P --cache F    1:N metrics
  speed    LIST --root DIR --limit N           images/s with N processes, no cache
  frame    --photos A B C D                    frames/s on the 640x480 4-face frame (same composition as
                                               `rollcall bench`)
"""
import argparse
import json
import math
import multiprocessing as mp
import os
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # one thread per worker process: the cores are used by processes

import numpy as np  # noqa: E402

# ---------------------------------------------------------------------------------------------- metrics


def best_threshold(pairs):
    """VerificationMetrics.bestThreshold: pairs = [(distance or None, same)]."""
    scored = sorted((d, s) for d, s in pairs if d is not None)
    if not scored:
        return 0.0
    impostors_total = sum(1 for _, s in pairs if not s)
    gen = imp = 0
    best_right = impostors_total
    best = scored[0][0] - 1e-4
    for i, (d, s) in enumerate(scored):
        if s:
            gen += 1
        else:
            imp += 1
        if i + 1 < len(scored) and scored[i + 1][0] == d:
            continue
        right = gen + (impostors_total - imp)
        if right > best_right:
            best_right = right
            best = (d + scored[i + 1][0]) / 2 if i + 1 < len(scored) else d + 1e-4
    return best


def accuracy(pairs, t):
    if not pairs:
        return 0.0
    right = sum(1 for d, s in pairs if ((d is not None and d < t) == s))
    return right / len(pairs)


def kfold(pairs, k=10):
    size = len(pairs) // k
    accs, ths = [], []
    for fold in range(k):
        start = fold * size
        end = len(pairs) if fold == k - 1 else start + size
        train = pairs[:start] + pairs[end:]
        t = best_threshold(train)
        ths.append(t)
        accs.append(accuracy(pairs[start:end], t))
    mean = sum(accs) / k
    std = math.sqrt(sum((a - mean) ** 2 for a in accs) / k)
    return mean, std, accs, ths


def tar_at_far(pairs, far=0.001):
    impostors = sorted(d for d, s in pairs if not s and d is not None)
    impostor_count = sum(1 for _, s in pairs if not s)
    genuine = [d for d, s in pairs if s]
    allowed = int(math.floor(far * impostor_count))
    t = impostors[allowed] if allowed < len(impostors) else math.inf
    acc = sum(1 for d in genuine if d is not None and d < t)
    fa = sum(1 for d in impostors if d < t)
    return (acc / len(genuine) if genuine else 0.0), t, (fa / impostor_count if impostor_count else 0.0)


def fnir_at_fpir(probes, fpir):
    """probes = [(mated, rank1_correct, statistic or None)]; IdentificationMetrics.fnir(atFPIR:)."""
    non_mated = [p for p in probes if not p[0]]
    stats = sorted(p[2] for p in non_mated if p[2] is not None)
    allowed = int(math.floor(fpir * len(non_mated)))
    t = stats[allowed] if allowed < len(stats) else math.inf
    mated = [p for p in probes if p[0]]
    hits = sum(1 for p in mated if p[1] and p[2] is not None and p[2] < t)
    fnir = 1 - hits / len(mated) if mated else 0.0
    return fnir, t


def rank1(probes):
    mated = [p for p in probes if p[0]]
    return sum(1 for p in mated if p[1]) / len(mated) if mated else 0.0


# ---------------------------------------------------------------------------------------------- peer


_fr = None


def _init_worker():
    global _fr
    import face_recognition  # noqa: loads dlib's models once per process

    _fr = face_recognition


def largest_face_encoding(image):
    """The peer at its defaults, on the largest face: (encoding or None, number of faces found)."""
    boxes = _fr.face_locations(image)  # HOG, number_of_times_to_upsample=1
    if not boxes:
        return None, 0
    top, right, bottom, left = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
    enc = _fr.face_encodings(image, known_face_locations=[(top, right, bottom, left)])
    return (enc[0] if enc else None), len(boxes)


def _encode_one(path):
    try:
        image = _fr.load_image_file(path)
    except Exception as e:  # unreadable: reported, treated like a missing face
        return path, None, f"unreadable: {e}"
    enc, _ = largest_face_encoding(image)
    return path, enc, None


def encode_paths(paths, procs):
    """Encodes absolute paths with `procs` processes; returns ({path: enc or None}, seconds, errors)."""
    ctx = mp.get_context("fork")
    out, errors = {}, []
    with ctx.Pool(procs, initializer=_init_worker) as pool:
        # Warm-up (model loading) outside the timed part: one trivial task per worker.
        pool.map(_noop, range(procs * 2), chunksize=1)
        t0 = time.perf_counter()
        done = 0
        for path, enc, err in pool.imap_unordered(_encode_one, paths, chunksize=8):
            out[path] = enc
            if err:
                errors.append(err)
            done += 1
            if done % 200 == 0 or done == len(paths):
                rate = done / (time.perf_counter() - t0)
                print(f"\r  peer encoding {done}/{len(paths)} ({rate:.1f} images/s)", end="", file=sys.stderr, flush=True)
        seconds = time.perf_counter() - t0
    print(file=sys.stderr)
    return out, seconds, errors


def _noop(_):
    return None


# ---------------------------------------------------------------------------------------------- cache


def load_cache(path):
    if not path or not os.path.exists(path):
        return {}, {}
    z = np.load(path, allow_pickle=False)
    keys = [str(k) for k in z["paths"]]
    encs = z["encodings"]
    meta = json.loads(str(z["meta"])) if "meta" in z else {}
    return {k: (None if np.isnan(e[0]) else e) for k, e in zip(keys, encs)}, meta


def save_cache(path, cache, meta):
    keys = sorted(cache)
    encs = np.stack([cache[k] if cache[k] is not None else np.full(128, np.nan) for k in keys]) if keys else np.zeros((0, 128))
    tmp = path + ".tmp.npz"
    np.savez(tmp, paths=np.array(keys), encodings=encs, meta=np.array(json.dumps(meta)))
    os.replace(tmp, path)


def ensure_encoded(rel_paths, root, cache_path, procs):
    """Returns ({rel: enc or None}, images/s of what was encoded now or None if all cached)."""
    cache, meta = load_cache(cache_path)
    missing = sorted(set(p for p in rel_paths if p not in cache))
    rate = None
    if missing:
        print(f"  peer: {len(missing)} image(s) to encode ({len(cache)} cached)", file=sys.stderr)
        # Encode in blocks so an interrupted run keeps what it did.
        block = 2000
        total_s, total_n = 0.0, 0
        for i in range(0, len(missing), block):
            chunk = missing[i:i + block]
            got, seconds, errors = encode_paths([os.path.join(root, p) for p in chunk], procs)
            for e in errors:
                print("  " + e, file=sys.stderr)
            for p in chunk:
                cache[p] = got[os.path.join(root, p)]
            total_s += seconds
            total_n += len(chunk)
            meta.setdefault("runs", []).append({"images": len(chunk), "seconds": seconds, "procs": procs})
            if cache_path:
                save_cache(cache_path, cache, meta)
        rate = total_n / total_s
    return {p: cache[p] for p in rel_paths}, rate


def dist(a, b):
    return float(np.linalg.norm(a - b))


# ---------------------------------------------------------------------------------------------- lists


def parse_pairs(path, fmt):
    entries = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if fmt == "lfw":
        for line in lines[1:]:
            x = line.split("\t") if "\t" in line else line.split()
            if len(x) == 3:
                a = f"{x[0]}/{x[0]}_{int(x[1]):04d}.jpg"
                b = f"{x[0]}/{x[0]}_{int(x[2]):04d}.jpg"
                entries.append((a, b, True))
            elif len(x) == 4:
                a = f"{x[0]}/{x[0]}_{int(x[1]):04d}.jpg"
                b = f"{x[2]}/{x[2]}_{int(x[3]):04d}.jpg"
                entries.append((a, b, False))
    else:
        for line in lines:
            if not line.strip():
                continue
            a, b, s = line.split("\t")
            entries.append((a, b, s.strip() == "1"))
    return entries


def parse_labeled(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            p, ident = line.split("\t")
            out.append((p, None if ident == "-" else ident))
    return out


# ---------------------------------------------------------------------------------------------- commands


def cmd_encode(a):
    rel = [p for p, _ in parse_labeled(a.list)] if a.list.endswith(".tsv") and not a.pairs else []
    if a.pairs:
        for x, y, _ in parse_pairs(a.list, a.format):
            rel += [x, y]
    rel = sorted(set(rel))
    _, rate = ensure_encoded(rel, a.root, a.cache, a.procs)
    print(json.dumps({"images": len(rel), "images_per_second": rate}))


def cmd_pairs(a):
    entries = parse_pairs(a.pairs_file, a.format)
    images = sorted(set([e[0] for e in entries] + [e[1] for e in entries]))
    encs, rate = ensure_encoded(images, a.root, a.cache, a.procs)
    pairs = []
    for x, y, s in entries:
        ea, eb = encs[x], encs[y]
        pairs.append((dist(ea, eb) if ea is not None and eb is not None else None, s))
    if a.scores:
        with open(a.scores, "w") as f:
            for d, s in pairs:
                f.write(f"{'nan' if d is None else repr(d)}\t{1 if s else 0}\n")
    mean, std, _, ths = kfold(pairs)
    tar, t_far, _ = tar_at_far(pairs, 0.001)
    report = {
        "system": "face_recognition 1.3.0 (dlib-bin, HOG + ResNet, largest face)",
        "pairs": len(pairs), "accuracy_mean": mean, "accuracy_std": std, "tar_at_far_0_001": tar,
        "threshold": sum(ths) / len(ths), "threshold_at_far_0_001": t_far,
        "no_face": sum(1 for p in images if encs[p] is None),
        "no_face_rule": "no substitute: pairs using an image without a detected face are scored as non-matches",
        "images_per_second": rate, "processes": a.procs,
    }
    print(json.dumps(report, indent=2))


def cmd_identify(a):
    gallery, probes = parse_labeled(a.gallery), parse_labeled(a.probes)
    # As `rollcall eval identify`: a probe of someone the gallery does not hold is non-mated whatever its label.
    enrolled = {ident for _, ident in gallery}
    probes = [(p, ident if ident in enrolled else None) for p, ident in probes]
    encs, _ = ensure_encoded(sorted(set(p for p, _ in gallery + probes)), a.root, a.cache, a.procs)
    ids, rows = [], []
    for p, ident in gallery:
        if encs[p] is not None:
            ids.append(ident)
            rows.append(encs[p])
    g = np.stack(rows)
    uniq = sorted(set(ids))
    index = {k: i for i, k in enumerate(uniq)}
    owner = np.array([index[k] for k in ids])
    results = []
    probe_no_face = 0
    for p, ident in probes:
        mated = ident is not None
        e = encs[p]
        if e is None:
            probe_no_face += 1
            results.append((mated, False, None))
            continue
        d = np.linalg.norm(g - e, axis=1)
        # best (smallest) distance per identity
        per = np.full(len(uniq), np.inf)
        np.minimum.at(per, owner, d)
        best = int(np.argmin(per))
        results.append((mated, mated and uniq[best] == ident, float(per[best])))
    strict, t1 = fnir_at_fpir(results, 0.003)
    loose, t2 = fnir_at_fpir(results, 0.01)
    report = {
        "system": "face_recognition 1.3.0 (dlib-bin, HOG + ResNet, largest face)",
        "fnir_at_fpir_0_003": strict, "fnir_at_fpir_0_01": loose,
        "threshold_at_fpir_0_003": t1, "threshold_at_fpir_0_01": t2,
        "rank1": rank1(results), "gallery_size": len(set(i for _, i in gallery)), "gallery_images": len(gallery),
        "mated_probes": sum(1 for r in results if r[0]), "non_mated_probes": sum(1 for r in results if not r[0]),
        "no_face": {"gallery": len(gallery) - len(rows), "probes": probe_no_face},
        "margin": 0, "normalization": "none",
    }
    print(json.dumps(report, indent=2))


def cmd_speed(a):
    rel = []
    if a.format == "labeled":
        rel = [p for p, _ in parse_labeled(a.list)]
    else:
        for x, y, _ in parse_pairs(a.list, a.format):
            rel += [x, y]
    rel = list(dict.fromkeys(rel))[: a.limit]
    got, seconds, errors = encode_paths([os.path.join(a.root, p) for p in rel], a.procs)
    print(json.dumps({"images": len(rel), "seconds": seconds, "images_per_second": len(rel) / seconds,
                      "processes": a.procs, "no_face": sum(1 for v in got.values() if v is None)}))


def compose_frame(photos, boxes):
    """The `rollcall bench` frame: each photo's face box (x, y, w, h) cropped square at 1.6x its larger
    side (clipped to the image), scaled to 220x220 and pasted at ((i%2)*320+50, (i//2)*240+10) on a
    640x480 grey (96) background."""
    from PIL import Image

    frame = Image.new("RGB", (640, 480), (96, 96, 96))
    for i, (path, (x, y, w, h)) in enumerate(zip(photos, boxes)):
        im = Image.open(path).convert("RGB")
        side = max(w, h) * 1.6
        cx, cy = x + w / 2, y + h / 2
        x0, y0 = int(cx - side / 2), int(cy - side / 2)
        x1, y1 = x0 + int(side), y0 + int(side)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(im.width, x1), min(im.height, y1)
        crop = im.crop((x0, y0, x1, y1))
        method = Image.Resampling.BOX if 220 < crop.width else Image.Resampling.BILINEAR
        frame.paste(crop.resize((220, 220), method), ((i % 2) * 320 + 50, (i // 2) * 240 + 10))
    return frame


def _frame_task(n):
    global _frame
    t0 = time.perf_counter()
    faces = 0
    for _ in range(n):
        boxes = _fr.face_locations(_frame)
        encs = _fr.face_encodings(_frame, known_face_locations=boxes)
        faces = len(encs)
    return time.perf_counter() - t0, faces


_frame = None


def cmd_frame(a):
    global _frame
    boxes = json.loads(a.boxes)
    frame = compose_frame(a.photos, boxes)
    if a.save:
        frame.save(a.save)
    _frame = np.asarray(frame)
    # One process: latency per frame (median of a.repeats).
    _init_worker()
    boxes_found = _fr.face_locations(_frame)
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        bx = _fr.face_locations(_frame)
        _fr.face_encodings(_frame, known_face_locations=bx)
        times.append(time.perf_counter() - t0)
    times.sort()
    latency_ms = times[len(times) // 2] * 1000
    # a.procs processes, each analysing frames back to back: throughput.
    ctx = mp.get_context("fork")
    with ctx.Pool(a.procs, initializer=_init_worker) as pool:
        pool.map(_noop, range(a.procs * 2), chunksize=1)
        t0 = time.perf_counter()
        res = pool.map(_frame_task, [a.repeats] * a.procs, chunksize=1)
        wall = time.perf_counter() - t0
    print(json.dumps({
        "faces_found": len(boxes_found), "frame_4faces_ms_1process": latency_ms,
        "frames_per_second_1process": 1000 / latency_ms,
        "frames_per_second": a.procs * a.repeats / wall, "processes": a.procs,
    }))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    procs = os.cpu_count() or 1

    e = sub.add_parser("encode")
    e.add_argument("list")
    e.add_argument("--pairs", action="store_true", help="the list is a pair list")
    e.add_argument("--format", default="lfw", choices=["lfw", "tsv"])
    e.add_argument("--root", required=True)
    e.add_argument("--cache", required=True)
    e.add_argument("--procs", type=int, default=procs)
    e.set_defaults(fn=cmd_encode)

    p = sub.add_parser("pairs")
    p.add_argument("pairs_file")
    p.add_argument("--root", required=True)
    p.add_argument("--format", default="lfw", choices=["lfw", "tsv"])
    p.add_argument("--cache", help="encodings cache (.npz); reused and extended")
    p.add_argument("--scores")
    p.add_argument("--procs", type=int, default=procs)
    p.set_defaults(fn=cmd_pairs)

    i = sub.add_parser("identify")
    i.add_argument("--gallery", required=True)
    i.add_argument("--probes", required=True)
    i.add_argument("--root", required=True)
    i.add_argument("--cache")
    i.add_argument("--procs", type=int, default=procs)
    i.set_defaults(fn=cmd_identify)

    s = sub.add_parser("speed")
    s.add_argument("list")
    s.add_argument("--root", required=True)
    s.add_argument("--format", default="lfw", choices=["lfw", "tsv", "labeled"])
    s.add_argument("--limit", type=int, default=400)
    s.add_argument("--procs", type=int, default=procs)
    s.set_defaults(fn=cmd_speed)

    f = sub.add_parser("frame")
    f.add_argument("--photos", nargs=4, required=True)
    f.add_argument("--boxes", required=True, help="JSON [[x,y,w,h] x4]: each photo's face box as RollCall detects it")
    f.add_argument("--repeats", type=int, default=10)
    f.add_argument("--procs", type=int, default=procs)
    f.add_argument("--save", help="write the composed frame (PNG)")
    f.set_defaults(fn=cmd_frame)

    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
