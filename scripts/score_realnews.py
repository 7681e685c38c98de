#!/usr/bin/env python3
"""Score a newsgraph run's entity mentions against the hand-labelled real-news set.

    score_realnews.py OUT_DIR [--labels data/eval/realnews-ner.tsv] [--json]

OUT_DIR is the output of `newsgraph run ../shared/corpora/multioutlet-dev`; its mentions.jsonl
is compared with the labels inside the labelled regions: exact span (code points into the
file) and type. Prints precision, recall and F1, overall and per type.
"""
import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

TYPES = {"Person": "PER", "Location": "LOC", "Organization": "ORG", "Misc": "MISC"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--labels", type=Path, default=Path(__file__).resolve().parent.parent / "data/eval/realnews-ner.tsv")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    regions, gold = {}, set()
    with open(args.labels, encoding="utf-8") as fh:
        for row in csv.reader((l for l in fh if not l.startswith("#")), delimiter="\t"):
            path, typ, start, end = row[0], row[1], int(row[2]), int(row[3])
            if typ == "region":
                regions.setdefault(path, []).append((start, end))
            else:
                gold.add((path, start, end, typ))
    pred = set()
    for line in open(args.out_dir / "mentions.jsonl", encoding="utf-8"):
        m = json.loads(line)
        for a, b in regions.get(m["doc_id"], []):
            if a <= m["start"] and m["end"] <= b:
                pred.add((m["doc_id"], m["start"], m["end"], TYPES[m["type"]]))
    missing = [p for p in regions if not any(m[0] == p for m in pred)]
    if missing:
        sys.exit(f"score_realnews: no mentions for {missing}: is {args.out_dir} a run on multioutlet-dev?")

    def prf(g, p):
        tp = len(g & p)
        prec, rec = tp / max(len(p), 1), tp / max(len(g), 1)
        return {"precision": round(prec, 4), "recall": round(rec, 4),
                "f1": round(2 * prec * rec / max(prec + rec, 1e-9), 4), "support": len(g)}

    res = prf(gold, pred)
    res["per_type"] = {t: prf({x for x in gold if x[3] == t}, {x for x in pred if x[3] == t})
                       for t in ("PER", "LOC", "ORG", "MISC")}
    res["errors"] = {"missed": sorted(gold - pred), "spurious": sorted(pred - gold)}
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(f"{len(gold)} labelled entities in {sum(len(v) for v in regions.values())} regions")
    for t, s in res["per_type"].items():
        print(f"{t:<6} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} ({s['support']})")
    print(f"overall P {res['precision']:.3f} R {res['recall']:.3f} F1 {res['f1']:.3f}")


if __name__ == "__main__":
    main()
