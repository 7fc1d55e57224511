#!/usr/bin/env python3
"""Decision rules compared on the same embeddings: the live pipeline's (a track's best views fused, judged once K are
in) against K-of-track (K single frames accepted as one delegate, more than all others together: the rule before),
from `rollcall eval entrance --evidence FILE` (benchmarks/entrance.sh writes them). Prints JSON.

  track_rules.py EVIDENCE.jsonl [--threshold T] [--margin M] [--k K] [--views V]

Both rules see the embeddings the pipeline took (every embed_every-th frame and the unsteady ones) and the pack's
matcher rule (distance 1 − cosine to each delegate's mean template, threshold and margin). Reported per rule:
enrolled walkers checked in, check-ins of the wrong person (a stranger's track, or another delegate's), and the
stranger tracks that were checked in as someone.
"""
import argparse
import collections
import json

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("evidence")
    ap.add_argument("--threshold", type=float, default=0.5054)
    ap.add_argument("--margin", type=float, default=0.02)
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--views", type=int, default=5)
    a = ap.parse_args()
    templates = collections.defaultdict(list)
    tracks = collections.defaultdict(list)
    for line in open(a.evidence):
        r = json.loads(line)
        if r["kind"] == "template":
            templates[r["delegate"]].append(np.array(r["embedding"]))
        elif r["kind"] == "detection" and r["embedding"]:
            tracks[r["track"]].append(r)
    ids = list(templates)
    gallery = np.array([np.mean(v, 0) / np.linalg.norm(np.mean(v, 0)) for v in templates.values()])
    enrolled = set(ids)

    def decide(distances):
        order = np.argsort(distances)
        if distances[order[0]] < a.threshold and distances[order[1]] - distances[order[0]] >= a.margin:
            return ids[order[0]]
        return None

    def fused(rs):
        embeddings, weights = [], []
        for r in rs:
            embeddings.append(np.array(r["embedding"])); weights.append(r["score"] * min(1, r["side"] / 112))
            if len(embeddings) < a.k:
                continue
            best = np.argsort(weights)[::-1][: a.views]
            probe = sum(weights[i] * embeddings[i] for i in best) / sum(weights[i] for i in best)
            who = decide(1 - gallery @ probe)
            if who:
                return who
        return None

    def k_of_track(rs):
        votes = collections.Counter()
        for r in rs:
            who = decide(1 - gallery @ np.array(r["embedding"]))
            if who:
                votes[who] += 1
                if votes[who] >= a.k and votes[who] > sum(votes.values()) - votes[who]:
                    return who
        return None

    walkers = {r["identity"] for rs in tracks.values() for r in rs if r["identity"] in enrolled}
    result = {"tracks": len(tracks), "enrolled_walkers": len(walkers), "threshold": a.threshold, "margin": a.margin, "k": a.k,
              "views": a.views}
    for name, rule in (("fused_best_views", fused), ("k_of_track", k_of_track)):
        checked, wrong, strangers, stranger_tracks = set(), 0, 0, 0
        for rs in tracks.values():
            walker = collections.Counter(r["identity"] for r in rs).most_common(1)[0][0]
            stranger = walker not in enrolled
            stranger_tracks += stranger
            who = rule(rs)
            if who is None:
                continue
            if who == walker:
                checked.add(walker)
            else:
                wrong += 1
                strangers += stranger
        result[name] = {"checked_in": len(checked), "wrong_check_ins": wrong, "stranger_tracks_checked_in": strangers,
                        "stranger_tracks": stranger_tracks}
    print(json.dumps(result, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
