"""Builds LFW 1:N identification lists for `rollcall eval identify`.

Protocol (as in the roll-call issue): gallery = the first image of every person with at least two
images; mated probes = their other images; non-mated probes = every image of people with exactly one
image. `--people FILE` restricts it to the people listed in an LFW people file (e.g. peopleDevTrain.txt,
for calibration on the development split); the default is everyone in lfw-names.txt.

Usage: make_lfw_1n.py LFW_DIR OUT_PREFIX [--people FILE]
Writes OUT_PREFIX.gallery.tsv and OUT_PREFIX.probes.tsv (paths relative to LFW_DIR/lfw-deepfunneled).
"""
import argparse
import os


def read_counts(path):
    counts = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) == 2 and not fields[0].isdigit():
                counts[fields[0]] = int(fields[1])
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lfw_dir")
    ap.add_argument("out_prefix")
    ap.add_argument("--people", help="restrict to the people in this LFW people file")
    args = ap.parse_args()
    counts = read_counts(os.path.join(args.lfw_dir, "lfw-names.txt"))
    if args.people:
        keep = set(read_counts(args.people))
        counts = {k: v for k, v in counts.items() if k in keep}
    def path(name, i):
        return f"{name}/{name}_{i:04d}.jpg"
    with open(args.out_prefix + ".gallery.tsv", "w") as g, open(args.out_prefix + ".probes.tsv", "w") as p:
        for name in sorted(counts):
            n = counts[name]
            if n >= 2:
                g.write(f"{path(name, 1)}\t{name}\n")
                for i in range(2, n + 1):
                    p.write(f"{path(name, i)}\t{name}\n")
            else:
                p.write(f"{path(name, 1)}\t-\n")


if __name__ == "__main__":
    main()
