#!/usr/bin/env python3
"""Writes the door section of BENCHMARKS.md from benchmarks/.cache/entrance/ (benchmarks/entrance.sh runs it).

  entrance_report.py --cache DIR [--write BENCHMARKS.md]

Without --write the section is printed; with it, the text between the entrance markers of the file is replaced
(the markers are added at the end when missing), so benchmarks/report.py's sections are left as they are.
"""
import argparse
import json
import os
import re
import statistics

BEGIN, END = "<!-- entrance:begin -->", "<!-- entrance:end -->"


def load(cache, name):
    path = os.path.join(cache, name + ".json")
    return json.load(open(path)) if os.path.exists(path) and os.path.getsize(path) > 0 else None


def pct(a, b):
    return "%.0f %%" % (100.0 * a / b) if b else "-"


def secs(v):
    return "-" if v is None else "%.2f s" % v


def live_cells(r):
    l = r["live"]
    return "%d of %d (%s)" % (l["checked_in"], l["enrolled_walkers"], pct(l["checked_in"], l["enrolled_walkers"]))


def row(label, r):
    l = r["live"]
    below = r.get("live_missed_still_recognised") or []
    stills = r.get("stills") or {}
    return "| %s | %d of %d | %s | %s | %d | %s | %d | %d | %s / %s | %.1f |" % (
        label, r["enrollment"]["enrolled"], r["enrollment"]["photos"],
        "%d (%d wrong)" % (stills.get("recognised", 0), stills.get("wrong", 0)) if stills else "-",
        live_cells(r), l["wrong_check_ins"], "-" if l["identity_switches"] is None else str(l["identity_switches"]),
        len(below), l.get("missed_with_usher_candidate") or 0,
        secs(l["time_to_check_in"]["median"]), secs(l["time_to_check_in"]["p95"]), l["frames_per_second"])


HEADER = ("| entrance | enrolled | stills recognise | live: checked in | wrong check-ins | identity switches | "
          "still-recognised, missed live | missed, offered to the usher | time to check-in median / p95 | frames/s |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def best(cache, who, pack, kind, key, rounds):
    values = []
    for i in range(1, rounds + 1):
        r = load(cache, "speed-%s-%s-%s-%d" % (who, pack, kind, i))
        if r and key in r:
            values.append(r[key])
    return max(values) if values else None


def section(cache):
    out = [BEGIN, "", "## The roll call at the door", ""]
    out.append("Measured by `benchmarks/entrance.sh` (cached under `benchmarks/.cache/entrance/`): `rollcall eval entrance` builds an "
               "entrance from photos — each walker's photo (another photo than the delegate's enrollment portrait) cut around "
               "the face, walking towards the camera from 45 to 100 px (the box's longer side), three lanes, 1280×720, 25 fps, "
               "every frame through a JPEG round trip at quality 80 — and runs every frame through the live pipeline as "
               "`rollcall watch` does. **spaced**: 20 empty frames between two people in a lane; **queue**: the next person "
               "steps into the place the last one left, in the very next frame, a little farther away; **crowd**: arrivals at "
               "random, overlapping within a lane. *Stills*: the same walking photos through `rollcall identify`'s path "
               "(full resolution, test-time flip). The enrollment is `rollcall enroll`'s, gates and guards on. "
               "East-Asian sets from `../shared/faces/asian` split by person (development / held-out), built by "
               "`benchmarks/make_entrance.py`; every choice below was made on the development split or LFW's development "
               "people.")
    machine = os.path.join(cache, "machine.txt")
    if os.path.exists(machine):
        runs = [l.strip() for l in open(machine) if l.strip()]
        out.append("")
        out.append("Runs that filled this cache started: " + "; ".join(runs) + ". Frames/s here are of one gate on a loaded "
                   "machine: compare them within a run, not with the table at the top.")
    out.append("")
    dev = {c: load(cache, "asian-dev-sface-" + c) for c in ("spaced", "queue", "crowd")}
    if any(dev.values()):
        out += ["### East-Asian development entrance, default pack (`sface`), one portrait per delegate", "", HEADER]
        for c, r in dev.items():
            if r: out.append(row(c, r))
        for c in ("spaced", "queue"):
            r = load(cache, "asian-dev-sface-%s-calibrated" % c)
            cal = load(cache, "calibrate-asian-dev")
            if r and cal:
                out.append(row("%s, at the calibrated threshold %.4f" % (c, cal["proposed"]["threshold"]), r))
        for c in ("spaced", "queue"):
            r = load(cache, "asian-test-sface-" + c)
            if r: out.append(row("held-out split, %s" % c, r))
        r = load(cache, "lfw-dev-sface-queue")
        if r: out.append(row("LFW (peopleDevTrain), queue", r))
        out.append("")
        for c in ("spaced", "queue"):
            r = dev.get(c)
            if r and r.get("live_missed_still_recognised"):
                out.append("Missed live though a still recognises them (%s): %s." % (c, ", ".join(r["live_missed_still_recognised"])))
        out.append("")
    base = {c: (load(cache, "watch-base-asian-dev-" + c), load(cache, "watch-new-asian-dev-" + c)) for c in ("spaced", "queue", "crowd")}
    if any(b for b, _ in base.values()):
        out += ["### Before and after, the same entrances as videos read by `rollcall watch`", "",
                "The entrances written as MJPG videos (`eval entrance --write-video`, one more JPEG round trip) and read by "
                "`rollcall watch` of the commit before this work (its enrollment gates, K-of-track votes, 320 px detection) "
                "and of this one, each enrolling the roster itself:", "",
                "| entrance | before: enrolled | before: right / wrong check-ins | before: frames/s | after: enrolled | after: right / wrong | after: frames/s |",
                "|---|---|---:|---:|---|---:|---:|"]
        for c, (b, n) in base.items():
            if b and n:
                out.append("| %s | %s | %d / %d | %.1f | %s | %d / %d | %.1f |" % (
                    c, b["enrollment"], b["right"], len(b["wrong"]), b["frames_per_second"], n["enrollment"], n["right"], len(n["wrong"]),
                    n["frames_per_second"]))
        out.append("")
    rules = [(n, load(cache, "rules-" + n)) for n in ("asian-dev-sface-spaced", "asian-dev-sface-queue", "asian-dev-sface-crowd", "lfw-dev-sface-queue")]
    if any(r for _, r in rules):
        out += ["### Deciding on the track: fused best views against K-of-track, on the same embeddings", "",
                "`benchmarks/track_rules.py` replays the embeddings each run took (`eval entrance --evidence`) through both rules "
                "with the pack's threshold and margin: the pipeline's (a track's 5 best views by quality, averaged, judged once 3 "
                "are in) and the rule before (3 single frames accepted as one delegate, more than all others together).", "",
                "| entrance | tracks | enrolled walkers | fused: checked in / wrong (strangers) | K-of-track: checked in / wrong (strangers) | stranger tracks |",
                "|---|---:|---:|---:|---:|---:|"]
        for n, r in rules:
            if not r: continue
            f, k = r["fused_best_views"], r["k_of_track"]
            out.append("| %s | %d | %d | %d / %d (%d) | %d / %d (%d) | %d |" % (
                n, r["tracks"], r["enrolled_walkers"], f["checked_in"], f["wrong_check_ins"], f["stranger_tracks_checked_in"],
                k["checked_in"], k["wrong_check_ins"], k["stranger_tracks_checked_in"], f["stranger_tracks"]))
        out.append("")
    packs = []
    for pack in ("sface", "sface-dlib", "w600k-mbf"):
        for enrollment, suffix in (("one portrait", "" if pack != "sface" else None), ("two photos", "-two"), ("desk", "-desk")):
            name = "asian-dev-%s-queue%s" % (pack, suffix if suffix is not None else "")
            if pack == "sface" and enrollment == "one portrait": name = "asian-dev-sface-queue"
            r = load(cache, name)
            if r: packs.append(row("%s, %s" % (pack, enrollment), r))
    if packs:
        out += ["### Packs and enrollments (East-Asian development entrance, queue)", "",
                "*Two photos*: a second portrait where the person has a third photo (92 of 475 delegates). *Desk*: each "
                "delegate enrolled by `rollcall enroll --camera`'s capture from a clip of their portrait held before a camera "
                "(`DeskClip`: 3 s, 640×480, face 150 px, swaying, turning ±4°, changing light, JPEG): the best distinct views, "
                "so templates come from the same kind of camera as the gate's.", "", HEADER] + packs + [""]
    ham = [(p, load(cache, "hamilton-" + p)) for p in ("sface", "sface-dlib", "w600k-mbf", "sface-320", "sface-norefine")]
    if any(r for _, r in ham):
        out += ["### The Hamilton clip", "",
                "`../shared/faces/video/…/short_hamilton_clip.mp4` (640×360, 275 frames). Enrolled: Lin-Manuel Miranda and "
                "Barack Obama (seated in the audience at the end, ≈ 65 px), Alex Lacamoire (at the piano, only in near "
                "profile), and three people not in it.", "",
                "| run | checked in | missed | wrong | frames/s |", "|---|---|---|---|---:|"]
        for p, r in ham:
            if not r: continue
            l = r["live"]
            label = {"sface-320": "sface, detection at 320 px wide (before)", "sface-norefine": "sface, landmarks from the scaled-down frame"}.get(p, p)
            out.append("| %s | %d of %d | %s | %s | %.1f |" % (label, l["checked_in"], l["enrolled_walkers"], ", ".join(l["missed_ids"]) or "-",
                                                            ", ".join(l["wrong_ids"]) or "-", l["frames_per_second"]))
        out.append("")
    abl = [(label, load(cache, name)) for label, name in (("defaults (detection from minimum_face_size, landmarks refined)", "asian-dev-sface-queue"),
                                                          ("detection at 320 px wide", "asian-dev-sface-queue-320"),
                                                          ("landmarks from the scaled-down frame", "asian-dev-sface-queue-norefine"))]
    if all(r for _, r in abl):
        out += ["### Detection size and landmarks (East-Asian development entrance, queue, sface)", "", HEADER]
        out += [row(label, r) for label, r in abl] + [""]
    enr = [(label, load(cache, name)) for label, name in (("LFW development people", "enrollment-lfw-dev"), ("East-Asian faces", "enrollment-asian"))]
    if any(r for _, r in enr):
        out += ["### Enrollment photos: misses against face size and yaw", "",
                "`rollcall eval enrollment`: each gallery photo shrunk until its face is N px and enrolled at that size; separately "
                "the photos as they are grouped by yaw ratio; all against the same probes at the pack's identify threshold "
                "(sface). The gates are set from these (QualityGate): refused where misses more than double, warned where "
                "they grow by a quarter.", ""]
        for label, r in enr:
            if not r: continue
            full = r["sizes"][0]["fnir"]
            out.append("%s (%d gallery photos, %d mated / %d non-mated probes), FNIR by face size:" % (
                label, r["gallery_photos"], r["mated_probes"], r["non_mated_probes"]))
            out.append("")
            out.append("| face px | " + " | ".join("as is" if s["face_px"] is None else str(s["face_px"]) for s in r["sizes"]) + " |")
            out.append("|---|" + "---:|" * len(r["sizes"]))
            out.append("| FNIR | " + " | ".join("%.1f %%" % (100 * s["fnir"]) for s in r["sizes"]) + " |")
            out.append("| × as is | " + " | ".join("%.2f" % (s["fnir"] / full if full else 0) for s in r["sizes"]) + " |")
            out.append("")
            out.append("By yaw ratio: " + "; ".join("%s: %.1f %% (%d photos)" % (y["yaw_ratio"], 100 * y["fnir"], y["gallery_photos"]) for y in r["yaw"]) + ".")
            out.append("")
    cal = []
    for label, name in (("LFW development 1:N", "identify-lfw1n-dev"), ("LFW 1:N", "identify-lfw1n"), ("East-Asian 1:N", "identify-asian1n")):
        for pack in ("sface", "w600k-mbf"):
            r = load(cache, "%s-%s" % (name, pack))
            if r and r.get("at_pack_threshold"):
                measured = r["at_pack_threshold"]["fpir"]; predicted = r["predicted_fpir_at_pack_threshold"]
                cal.append("| %s | %s | %d | %d | %.3f %% (%d) | %.3f %% | %.2f |" % (
                    label, pack, r["gallery_size"], r["non_mated_probes"], 100 * measured, round(measured * r["non_mated_probes"]),
                    100 * predicted, predicted / measured if measured else float("inf")))
    if cal:
        out += ["### Calibration without labels", "",
                "`rollcall calibrate` predicts, from the enrolled gallery alone, the share of strangers falsely accepted at a "
                "threshold (the gallery's own delegate-to-delegate distances, a probit fit to their lower tail). Against FPIR "
                "measured with non-mated probes at the pack's identify threshold (`rollcall eval identify`, which prints both):", "",
                "| protocol | pack | gallery | non-mated probes | measured FPIR (count) | predicted | predicted ÷ measured |",
                "|---|---|---:|---:|---:|---:|---:|"] + cal + [""]
        for name in ("calibrate-asian-dev", "calibrate-asian-test"):
            r = load(cache, name)
            if r:
                out.append("`rollcall calibrate` on the %s roster (%d delegates): %.2f false check-ins per 1,000 strangers at %.4f; "
                           "proposed %.4f for %.0f per 1,000." % (name.split("-", 1)[1], r["delegates"], r["current"]["false_check_ins_per_1000_strangers"],
                                                                 r["current"]["threshold"], r["proposed"]["threshold"], r["target_per_1000"]))
        out.append("")
    rounds_path = os.path.join(cache, "speed_rounds.txt")
    if os.path.exists(rounds_path):
        n = int(open(rounds_path).read().strip())
        out += ["### Speed, before and after (same machine, same run, best of %d interleaved rounds)" % n, "",
                "| pack | LFW images/s before → after | 4-face 640×480 frames/s (both cores) before → after | entrance frames/s (queue, one gate) |",
                "|---|---:|---:|---:|"]
        for pack in ("sface", "sface-dlib", "w600k-mbf"):
            lb, la = best(cache, "base", pack, "lfw", "images_per_second", n), best(cache, "new", pack, "lfw", "images_per_second", n)
            fb, fa = (best(cache, "base", pack, "bench", "frames_4faces_per_second_all_cores", n),
                      best(cache, "new", pack, "bench", "frames_4faces_per_second_all_cores", n))
            e = load(cache, "asian-dev-%s-queue" % pack)
            if None not in (lb, la, fb, fa):
                out.append("| %s | %.1f → %.1f (%+.0f %%) | %.1f → %.1f (%+.0f %%) | %s |" % (
                    pack, lb, la, 100 * (la / lb - 1), fb, fa, 100 * (fa / fb - 1), "%.1f" % e["live"]["frames_per_second"] if e else "-"))
        out += ["", "*Before*: `BASE_BIN` (a release build of the commit before the door work); *after*: `BENCH_BIN`. The 4-face "
                "frame is `rollcall bench`'s, detected as the live pipeline does at its defaults: before at a fixed 320 px "
                "width, after at the width `minimum_face_size` (36 px) needs for the detector's 20 px, 384 px for a 640-wide "
                "frame (44 % more pixels): that is the measured cost of seeing the smallest face the gate must see "
                "(`detection_width: 320` in the serve configuration buys it back, at the accuracy shown above for 320 px). "
                "Rounds spread by ±15 % on this shared machine, so differences under that are not established."]
        out.append("")
    out.append(END)
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--write")
    a = ap.parse_args()
    text = section(a.cache)
    if not a.write:
        print(text)
        return
    doc = open(a.write).read()
    if BEGIN in doc and END in doc:
        doc = doc[:doc.index(BEGIN)] + text.rstrip("\n") + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    open(a.write, "w").write(doc)


if __name__ == "__main__":
    main()
