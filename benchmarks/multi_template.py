"""Several enrollment photos per delegate, measured on LFW 1:N (and on the East-Asian faces) from `rollcall eval
embed` output.

Protocol: people with at least 3 images are enrolled from their first two (or, for the one-photo baseline, from the
first only); their images 3.. are the mated probes; the people with one image are the non-mated probes. The same
probes for every variant, so only the enrollment differs:
  single  one template (image 1)
  max     two templates, the best one decides (TemplateFusion.best)
  mean    one template, the normalised mean of the two embeddings (TemplateFusion.mean)
Matching follows `rollcall eval identify` (Sources/Evaluation, Sources/RollCall/Matcher.swift): distance = 1 - cosine,
a probe is accepted only if the runner-up delegate is at least `margin` farther than the best (the pack's margin,
read from its manifest), and FNIR at FPIR x uses the largest threshold that accepts at most floor(x * non-mated)
non-mated probes; `at_identify_threshold` gives FNIR and FPIR at the pack's own identify threshold (the operating
point a site runs, calibrated on one-photo galleries). LFW split: development = the people of LFW's peopleDevTrain.txt, test = everyone else. The
East-Asian set (people = labels.tsv's person_key, images in path order) is too small to split: one "all" block.

Usage: multi_template.py lfw EMBEDDINGS MANIFEST LFW_DIR
       multi_template.py asian EMBEDDINGS MANIFEST        (EMBEDDINGS of a list path<TAB>person_key)
Prints JSON.
"""
import json
import sys

import numpy as np

from make_lfw_1n import read_counts  # LFW's people files: name and image count per line

VARIANTS = ("single", "max", "mean")
FPIRS = (0.003, 0.01)


def read_embeddings(path, person_of):
    """{(person, image number): unit vector} and {person: image count}; `person_of(path, identity)` gives
    (person, image number) of a line, or None for a path numbered later (see asian_people)."""
    vectors, counts = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            image, identity, vector = line.rstrip("\n").split("\t")
            person, index = person_of(image, identity)
            counts[person] = max(counts.get(person, 0), index)
            if vector != "-":  # no face found: such a probe is never accepted, such a photo enrolls nothing
                vectors[(person, index)] = np.array([float(x) for x in vector.split()], dtype=np.float32)
    return vectors, counts


def lfw_image(path, _identity):
    """LFW names its images name/name_000i.jpg."""
    return path.split("/")[-2], int(path.rsplit("_", 1)[1].split(".")[0])


def asian_images(path):
    """person_key → its images in path order, numbered from 1, from an embeddings file's identity column."""
    paths = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            image, identity, _ = line.split("\t", 2)
            paths.setdefault(identity, []).append(image)
    number = {image: (person, i + 1) for person, images in paths.items() for i, image in enumerate(sorted(images))}
    return lambda image, _identity: number[image]


def gallery(variant, enrolled, vectors):
    """Template rows and the person each belongs to."""
    rows, owners = [], []
    for person in enrolled:
        photos = [vectors[k] for k in ((person, 1), (person, 2)) if k in vectors]
        if variant == "single":
            photos = photos[:1] if (person, 1) in vectors else []
        elif variant == "mean" and photos:
            mean = np.sum(photos, axis=0)
            photos = [mean / np.linalg.norm(mean)]
        rows += photos
        owners += [person] * len(photos)
    return np.stack(rows), owners


def evaluate(variant, counts, vectors, margin, identify_threshold):
    enrolled = sorted(p for p, n in counts.items() if n >= 3)
    mated = [(p, i) for p in enrolled for i in range(3, counts[p] + 1)]
    non_mated = [(p, 1) for p, n in sorted(counts.items()) if n == 1]
    rows, owners = gallery(variant, enrolled, vectors)
    people = sorted(set(owners))
    column = {p: i for i, p in enumerate(people)}
    owner_index = np.array([column[o] for o in owners])

    def outcome(key):
        """(best person, its distance if the margin rule accepts it else None), or None without a face."""
        if key not in vectors:
            return None
        distances = 1.0 - rows @ vectors[key]
        per_person = np.full(len(people), np.inf, dtype=np.float32)
        np.minimum.at(per_person, owner_index, distances)
        order = np.argsort(per_person, kind="stable")
        best, runner_up = per_person[order[0]], per_person[order[1]] if len(order) > 1 else np.inf
        return people[order[0]], (float(best) if runner_up - best >= margin else None)

    mated_results = [(key[0], outcome(key)) for key in mated]
    statistics = sorted(r[1] for r in map(outcome, non_mated) if r is not None and r[1] is not None)
    result = {"enrolled_people": len(people), "mated_probes": len(mated), "non_mated_probes": len(non_mated)}
    for fpir in FPIRS:
        allowed = int(fpir * len(non_mated))
        threshold = statistics[allowed] if allowed < len(statistics) else float("inf")
        hits = sum(1 for truth, r in mated_results
                   if r is not None and r[0] == truth and r[1] is not None and r[1] < threshold)
        result[f"fnir_at_fpir_{str(fpir).replace('.', '_')}"] = 1 - hits / len(mated)
    result["rank1"] = sum(1 for truth, r in mated_results if r is not None and r[0] == truth) / len(mated)
    result["at_identify_threshold"] = {
        "fnir": 1 - sum(1 for truth, r in mated_results
                        if r is not None and r[0] == truth and r[1] is not None and r[1] < identify_threshold) / len(mated),
        "fpir": sum(1 for s in statistics if s < identify_threshold) / len(non_mated),
    }
    return result


def main():
    args = sys.argv[1:]
    if not ((len(args) == 4 and args[0] == "lfw") or (len(args) == 3 and args[0] == "asian")):
        sys.exit(__doc__)
    with open(args[2], encoding="utf-8") as f:
        thresholds = json.load(f)["thresholds"]
    margin, identify = float(thresholds["margin"]), float(thresholds["identify"])
    report = {"margin": margin, "identify_threshold": identify}
    if args[0] == "lfw":
        vectors, _ = read_embeddings(args[1], lfw_image)
        counts = read_counts(f"{args[3]}/lfw-names.txt")
        development = set(read_counts(f"{args[3]}/peopleDevTrain.txt"))
        for split, keep in (("dev", lambda p: p in development), ("test", lambda p: p not in development)):
            split_counts = {p: n for p, n in counts.items() if keep(p)}
            report[split] = {v: evaluate(v, split_counts, vectors, margin, identify) for v in VARIANTS}
    else:
        vectors, counts = read_embeddings(args[1], asian_images(args[1]))
        report["all"] = {v: evaluate(v, counts, vectors, margin, identify) for v in VARIANTS}
    json.dump(report, sys.stdout, indent=2, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
