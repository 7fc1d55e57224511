#!/usr/bin/env python3
"""Builds the lists `rollcall eval entrance` reads: a gallery (one portrait per delegate, or two where a person has
them) and walkers (delegates walking in with *another* of their photos, and people on no roster), from the East-Asian
faces or from LFW.

  make_entrance.py asian|lfw OUT_DIR [--split dev|test|all] [--delegates N] [--walkers N] [--strangers N] [--seed S]

Writes OUT_DIR/gallery.tsv (one portrait each), OUT_DIR/gallery2.tsv (a second portrait for walkers who have a third
photo), OUT_DIR/walkers.tsv; paths are relative to the faces folder given as --root to rollcall.

People are split by a hash of their key, so `dev` and `test` never share a walker: choices are made on dev and
reported on test (LFW: peopleDevTrain / peopleDevTest instead, as the packs' calibration does).
"""
import argparse
import collections
import csv
import hashlib
import os
import random
import sys


def asian_people(faces):
    rows = list(csv.DictReader(open(os.path.join(faces, "asian", "labels.tsv")), delimiter="\t"))
    people = collections.defaultdict(list)
    for r in rows:
        people[r["person_key"]].append("asian/" + r["path"])
    return {k: sorted(v) for k, v in people.items()}


def lfw_people(faces, split):
    root = os.path.join(faces, "lfw")
    def read(name):
        out = {}
        for line in open(os.path.join(root, name)):
            parts = line.split()
            if len(parts) == 2 and not parts[0].isdigit():
                out[parts[0]] = int(parts[1])
        return out
    counts = read("lfw-names.txt")
    if split == "dev":
        counts = {k: v for k, v in counts.items() if k in read("peopleDevTrain.txt")}
    elif split == "test":
        counts = {k: v for k, v in counts.items() if k in read("peopleDevTest.txt")}
    return {k: ["lfw/lfw-deepfunneled/%s/%s_%04d.jpg" % (k, k, i) for i in range(1, n + 1)] for k, n in counts.items()}


def half(key):
    return "dev" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2 == 0 else "test"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("set", choices=["asian", "lfw"])
    p.add_argument("out")
    p.add_argument("--faces", default=os.environ.get("ROLLCALL_SHARED", "../shared") + "/faces")
    p.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    p.add_argument("--delegates", type=int, default=475)
    p.add_argument("--walkers", type=int, default=110)
    p.add_argument("--strangers", type=int, default=70)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    if a.set == "asian":
        people = asian_people(a.faces)
        several = sorted(k for k, v in people.items() if len(v) >= 2 and (a.split == "all" or half(k) == a.split))
    else:
        people = lfw_people(a.faces, a.split)
        several = sorted(k for k, v in people.items() if len(v) >= 2)
    single = sorted(k for k, v in people.items() if len(v) == 1)
    rng.shuffle(several)
    rng.shuffle(single)
    walkers = several[: a.walkers]
    strangers = single[: a.strangers]
    others = single[a.strangers : a.strangers + max(0, a.delegates - len(walkers))]
    if len(walkers) < a.walkers or len(others) < a.delegates - len(walkers):
        print("note: only %d walkers and %d other delegates available" % (len(walkers), len(others)), file=sys.stderr)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "gallery.tsv"), "w") as g, open(os.path.join(a.out, "gallery2.tsv"), "w") as g2:
        for k in walkers + others:
            g.write("%s\t%s\n" % (people[k][0], k))
            g2.write("%s\t%s\n" % (people[k][0], k))
            if len(people[k]) >= 3:
                g2.write("%s\t%s\n" % (people[k][2], k))
    arrivals = [(people[k][1], k) for k in walkers] + [(people[k][0], "-") for k in strangers]
    rng.shuffle(arrivals)
    with open(os.path.join(a.out, "walkers.tsv"), "w") as w:
        for path, k in arrivals:
            w.write("%s\t%s\n" % (path, k))
    print("%s: %d delegates (%d walk in), %d strangers walk in" % (a.out, len(walkers) + len(others), len(walkers), len(strangers)))


if __name__ == "__main__":
    main()
