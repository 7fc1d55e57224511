"""Builds the East-Asian verification protocol from shared/faces/asian/labels.tsv, the way LFW's View 2
is built: 10 people-disjoint folds, each with the same number of genuine and impostor pairs, written in
fold order (fold 1's genuine pairs, then its impostor pairs, then fold 2, ...), so that
`rollcall eval pairs --format tsv` and its 10 consecutive folds reproduce the folds exactly.

- People are `person_key`s (the K-pop/part-1 duplicates are already merged there).
- Genuine pairs: only people with >= 3 images. All their image pairs, at most CAP per person (a random
  subset above that), so that the 15 K-pop idols with 10-43 images do not make up most genuine pairs.
- People with >= 3 images are dealt to folds greedily (largest pair count first, to the fold with the
  fewest pairs), so the folds are balanced; everyone else (1-2 images) is dealt round-robin after a
  shuffle and serves only as an impostor.
- Each fold gets G genuine pairs (G = the smallest fold's count, a random subset in the other folds) and
  G impostor pairs: two images drawn uniformly from the fold's images, of different people, no repeats.
- Fixed seed: the same labels.tsv always gives the same file.
- Fold 1 is the development fold (for choosing changes, fusion statistics); folds 2-10 are the test folds.

Usage: make_asian_pairs.py LABELS.tsv OUT.tsv [--seed 5] [--cap 30]
Paths in OUT.tsv are relative to the folder of LABELS.tsv (pass it as --root). Prints a JSON summary.
"""
import argparse
import itertools
import json
import random
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("labels")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--cap", type=int, default=30, help="genuine pairs per person at most")
    ap.add_argument("--folds", type=int, default=10)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    images = defaultdict(list)
    subset = {}
    with open(args.labels, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = {name: i for i, name in enumerate(header)}
        for line in f:
            x = line.rstrip("\n").split("\t")
            if len(x) < len(header):
                continue
            images[x[col["person_key"]]].append(x[col["path"]])
            subset[x[col["path"]]] = x[col["subset"]]
    for k in images:
        images[k].sort()

    genuine_people = sorted(k for k in images if len(images[k]) >= 3)
    others = sorted(k for k in images if len(images[k]) < 3)
    pairs_of = {}
    for k in genuine_people:
        all_pairs = list(itertools.combinations(images[k], 2))
        pairs_of[k] = sorted(rng.sample(all_pairs, args.cap)) if len(all_pairs) > args.cap else all_pairs

    n = args.folds
    fold_people = [[] for _ in range(n)]
    fold_genuine = [[] for _ in range(n)]
    for k in sorted(genuine_people, key=lambda k: (-len(pairs_of[k]), k)):
        i = min(range(n), key=lambda i: (len(fold_genuine[i]), i))
        fold_people[i].append(k)
        fold_genuine[i].extend(pairs_of[k])
    shuffled = others[:]
    rng.shuffle(shuffled)
    for j, k in enumerate(shuffled):
        fold_people[j % n].append(k)

    g = min(len(x) for x in fold_genuine)
    lines = []
    summary = {"seed": args.seed, "cap": args.cap, "folds": n, "pairs_per_fold": 2 * g, "genuine_per_fold": g,
               "people_with_3_or_more": len(genuine_people), "other_people": len(others),
               "images": sum(len(v) for v in images.values()), "kpop_share_genuine": 0, "kpop_share_impostor_images": 0}
    kpop_gen = kpop_imp = 0
    for i in range(n):
        gen = sorted(rng.sample(fold_genuine[i], g))
        owner = {p: k for k in fold_people[i] for p in images[k]}
        pool = sorted(owner)
        imp = set()
        while len(imp) < g:
            a, b = rng.choice(pool), rng.choice(pool)
            if owner[a] == owner[b]:
                continue
            key = tuple(sorted((a, b)))
            if key in imp:
                continue
            imp.add(key)
        imp = sorted(imp)
        rng.shuffle(imp)
        for a, b in gen:
            lines.append(f"{a}\t{b}\t1")
            kpop_gen += "Kpop" in subset[a]
        for a, b in imp:
            lines.append(f"{a}\t{b}\t0")
            kpop_imp += ("Kpop" in subset[a]) + ("Kpop" in subset[b])
    summary["kpop_share_genuine"] = round(kpop_gen / (n * g), 3)
    summary["kpop_share_impostor_images"] = round(kpop_imp / (2 * n * g), 3)
    summary["pairs"] = len(lines)
    summary["distinct_images"] = len({p for line in lines for p in line.split("\t")[:2]})
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
