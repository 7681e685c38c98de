#!/usr/bin/env python3
"""Write the hand-labelled Reuters headline set as a CoNLL file for `newsgraph eval-ner`.

    reuters_headlines.py [--corpus ../shared/corpora/reuters-21578/reuters-all.jsonl] > headlines.conll

The labels (data/eval/reuters-headlines.tags) hold only story ids and tags; the words come from
the corpus, cut the way they were labelled: ticker symbols such as `<DMISC>` removed, brackets
around a company name dropped, split on spaces, a trailing comma and a possessive `'S` made
words of their own. Each headline is one document (`-DOCSTART-`).
"""
import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def words(title: str) -> list[str]:
    if not title.startswith("<"):
        title = re.sub(r"<[A-Z.]+>", " ", title)
    title = title.replace("<", " ").replace(">", " ")
    out = []
    for w in title.split():
        m = re.match(r"^(.*?)('S)?([,])?$", w)
        out += [t for t in m.groups() if t]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpora/reuters-21578/reuters-all.jsonl")
    ap.add_argument("--tags", type=Path, default=ROOT / "data/eval/reuters-headlines.tags")
    args = ap.parse_args()
    wanted = {}
    for line in args.tags.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            sid, tags = line.split("\t")
            wanted[sid] = tags.split()
    titles = {}
    with open(args.corpus, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["id"] in wanted:
                titles[row["id"]] = row["title"]
    for sid, tags in wanted.items():
        if sid not in titles:
            sys.exit(f"{args.corpus}: story {sid} not found")
        ws = words(titles[sid])
        if len(ws) != len(tags):
            sys.exit(f"{sid}: {len(ws)} words but {len(tags)} tags")
        print("-DOCSTART- O\n")
        print("\n".join(f"{w} {t}" for w, t in zip(ws, tags)) + "\n")


if __name__ == "__main__":
    main()
