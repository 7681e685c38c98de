#!/usr/bin/env python3
"""NER speed and F1, side by side in one run, on the same sentences and the same weights.

    scripts/bench-ner [--threads 2] [--reuters 1000] [--sweep 400] [--articles 100]
                      [--skip-dev] [--baseline BINARY:MODEL_DIR]

CoNLL-2003 dev (3,250 sentences), each of:
  transformers pipeline  `pipeline("token-classification")` on the sentences as text, at the
                         best batch size of a sweep over the first --sweep sentences
  raw torch              the same model, length-sorted batches of 32 word-split sentences,
                         one forward each under no_grad (what a careful Python script does)
  newsgraph torch / onnx / onnx-int8   `newsgraph eval-ner --backend B` (tokenise, window,
                         batch, tag, score)
with sentences/s, wordpieces/s (the model's wordpieces, [CLS]/[SEP] excluded) and dev F1.
Then the workload users run, article-sized documents: the first 2,000 dev sentences as
--articles text files of 2,000/--articles sentences each (a paragraph a sentence), and as one
document, each through `newsgraph run` (the default backend, NER stage time from run.json),
beside the pipeline on the same 2,000 sentences at its best batch size; with --baseline, the
same two corpora through another build too (say the previous commit's binary and model).
Then `newsgraph run` end to end on the first --reuters stories of
../shared/corpora/reuters-21578 with each newsgraph backend: wall time, NER time, sentences,
peak RSS (from /usr/bin/time -v). Prints a Markdown table and writes work/bench-ner.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

LABELS = None


def read_conll(path: Path):
    sents, words, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split()
        if not cols:
            if words:
                sents.append((words, tags))
            words, tags = [], []
        elif cols[0] != "-DOCSTART-":
            words.append(cols[0])
            tags.append(cols[-1])
    if words:
        sents.append((words, tags))
    return sents


def spans(tags):
    out, start, typ = set(), None, None
    for i, t in enumerate(tags + ["O"]):
        if t == "O" or t.startswith("B-") or (t.startswith("I-") and t[2:] != typ):
            if start is not None:
                out.add((start, i, typ))
            start, typ = (i, t[2:]) if t != "O" else (None, None)
    return out


def f1(gold, pred):
    tp = npred = ngold = 0
    for g, p in zip(gold, pred):
        gs, ps = spans(g), spans(p)
        tp += len(gs & ps)
        npred += len(ps)
        ngold += len(gs)
    prec, rec = tp / max(npred, 1), tp / max(ngold, 1)
    return 2 * prec * rec / max(prec + rec, 1e-9)


def newsgraph_run(exe: Path, corpus: Path, out_dir: Path, args: list[str], timed: bool = False):
    """`newsgraph run CORPUS --out OUT_DIR ARGS` (under /usr/bin/time -v when `timed`): its
    run.json and stderr; exits on a failed run."""
    cmd = (["/usr/bin/time", "-v"] if timed else []) + [str(exe), "run", str(corpus), "--out", str(out_dir)] + args
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 2):
        sys.exit(f"bench-ner: run failed:\n{p.stderr[-2000:]}")
    return json.loads((out_dir / "run.json").read_text()), p.stderr


def speedup(rate: float, base) -> str:
    """`rate` against the pipeline's row `base` (none: empty)."""
    return f"{rate / base['sentences_per_s']:.1f}x" if base else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reuters", type=int, default=1000)
    ap.add_argument("--sweep", type=int, default=400)
    ap.add_argument("--model", default=str(ROOT / "models/ner-distilbert-cased"))
    ap.add_argument("--skip-python", action="store_true")
    ap.add_argument("--skip-dev", action="store_true", help="no CoNLL dev rows (articles and Reuters only)")
    ap.add_argument("--articles", type=int, default=100, help="documents of the article-sized corpus (0: none)")
    ap.add_argument("--baseline", help="BINARY:MODEL_DIR, another build run on the article-sized corpora too")
    args = ap.parse_args()

    import torch
    from transformers import BertTokenizerFast, pipeline
    from export_onnx import load

    torch.set_num_threads(args.threads)
    model_dir = Path(args.model)
    dev_path = ROOT / "../shared/data/conll2003/dev.txt"
    dev = read_conll(dev_path)
    gold = [t for _, t in dev]
    model = load(model_dir)
    # A model with a syntax head: the Python rows run its NER part (the same weights); newsgraph
    # runs both heads in its one pass.
    model = getattr(model, "ner", model)
    labels = [model.config.id2label[i] for i in range(len(model.config.id2label))]
    tok = BertTokenizerFast(vocab_file=str(model_dir / "vocab.txt"), do_lower_case=False, strip_accents=False,
                            model_input_names=["input_ids", "attention_mask"])
    enc = [tok(w, is_split_into_words=True) for w, _ in dev]
    pieces = sum(len(e["input_ids"]) - 2 for e in enc)
    rows = []

    def row(name, seconds, f, note=""):
        rows.append({"system": name, "seconds": round(seconds, 2), "sentences_per_s": round(len(dev) / seconds, 1),
                     "wordpieces_per_s": round(pieces / seconds), "dev_f1": None if f is None else round(f, 4),
                     "note": note})
        print(f"bench-ner: {name}: {len(dev) / seconds:.1f} sentences/s, F1 {f}", file=sys.stderr)

    texts = [" ".join(w) for w, _ in dev]
    pipe = best = None
    if not args.skip_python:
        # transformers pipeline at its best batch size.
        pipe = pipeline("token-classification", model=model, tokenizer=tok, device=-1)
        sweep = {}
        for bs in (1, 8, 16, 32, 64):
            t = time.perf_counter()
            pipe(texts[: args.sweep], batch_size=bs)
            sweep[bs] = args.sweep / (time.perf_counter() - t)
        best = max(sweep, key=sweep.get)
    if not args.skip_python and not args.skip_dev:
        t = time.perf_counter()
        pipe(texts, batch_size=best)
        row(f"transformers pipeline (batch {best})", time.perf_counter() - t, None,
            "sweep " + ", ".join(f"{b}: {s:.0f}/s" for b, s in sweep.items()))

        # Raw length-sorted torch forward.
        order = sorted(range(len(dev)), key=lambda i: len(enc[i]["input_ids"]))
        preds = [None] * len(dev)
        t = time.perf_counter()
        with torch.no_grad():
            for b in range(0, len(order), 32):
                ids = order[b:b + 32]
                n = max(len(enc[i]["input_ids"]) for i in ids)
                inp = torch.zeros((len(ids), n), dtype=torch.long)
                mask = torch.zeros((len(ids), n), dtype=torch.long)
                for r, i in enumerate(ids):
                    x = enc[i]["input_ids"]
                    inp[r, :len(x)] = torch.tensor(x)
                    mask[r, :len(x)] = 1
                best_ids = model(input_ids=inp, attention_mask=mask).logits.argmax(-1)
                for r, i in enumerate(ids):
                    wid, seen, out = enc[i].word_ids(), set(), []
                    for p, w in enumerate(wid):
                        if w is not None and w not in seen:
                            seen.add(w)
                            out.append(labels[int(best_ids[r, p])])
                    preds[i] = out
        row("raw torch, length-sorted batches of 32", time.perf_counter() - t, f1(gold, preds))

    binary = ROOT / "target/release/newsgraph"
    articles = []
    if args.articles:
        # The workload users run: many article-sized documents, against the same sentences as
        # one document, and the pipeline on those sentences.
        n = 2000
        tmp = Path(tempfile.mkdtemp())
        many, one = tmp / f"articles-{args.articles}", tmp / "articles-1"
        many.mkdir()
        one.mkdir()
        per = n // args.articles
        for d in range(args.articles):
            (many / f"doc{d:04d}.txt").write_text("\n\n".join(texts[d * per:(d + 1) * per]) + "\n", encoding="utf-8")
        (one / "all.txt").write_text("\n\n".join(texts[:per * args.articles]) + "\n", encoding="utf-8")
        if pipe is not None:
            t = time.perf_counter()
            pipe(texts[:per * args.articles], batch_size=best)
            secs = time.perf_counter() - t
            articles.append({"system": f"transformers pipeline (batch {best})", "corpus": "the same sentences",
                             "ner_s": round(secs, 2), "sentences_per_s": round(per * args.articles / secs, 1)})
        builds = [("newsgraph", binary, Path(args.model))]
        if args.baseline:
            b, m = args.baseline.split(":", 1)
            builds.append(("baseline", Path(b), Path(m)))
        for name, exe, mdir in builds:
            for corpus, label in ((many, f"{args.articles} documents of {per} sentences"), (one, "1 document")):
                run, _ = newsgraph_run(exe, corpus, tmp / f"out-{name}-{corpus.name}",
                                       ["--threads", str(args.threads), "--model", str(mdir)])
                ner = run["timings_seconds"].get("ner", 0.0)
                # Per CoNLL sentence (newsgraph's splitter cuts a few of them in two).
                articles.append({"system": f"{name} run ({run['model'].get('backend', '')})", "corpus": label,
                                 "ner_s": ner, "sentences_per_s": round(per * args.articles / max(ner, 1e-9), 1),
                                 "split_sentences": run["counts"]["sentences"]})
                print(f"bench-ner: articles {articles[-1]}", file=sys.stderr)
    del pipe, model

    for backend in (() if args.skip_dev else ("torch", "onnx", "onnx-int8")):
        out = subprocess.run([str(binary), "eval-ner", str(dev_path), "--json", "--backend", backend,
                              "--threads", str(args.threads), "--model", str(model_dir)],
                             capture_output=True, text=True, check=True)
        v = json.loads(out.stdout)
        row(f"newsgraph {backend}", v["sentences"] / v["sentences_per_second"], v["f1"])

    # End to end on Reuters.
    runs = []
    if args.reuters:
        src = ROOT / "../shared/corpora/reuters-21578/reuters-all.jsonl"
        tmp = Path(tempfile.mkdtemp())
        corpus = tmp / f"reuters-{args.reuters}.jsonl"
        with open(src, encoding="utf-8") as fin, open(corpus, "w", encoding="utf-8") as fout:
            for i, line in enumerate(fin):
                if i >= args.reuters:
                    break
                fout.write(line)
        for backend in ("torch", "onnx", "onnx-int8"):
            run, stderr = newsgraph_run(binary, corpus, tmp / f"out-{backend}",
                                        ["--backend", backend, "--threads", str(args.threads), "--model",
                                         str(model_dir)], timed=True)
            rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr).group(1))
            wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", stderr).group(1)
            secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
            sents = run["counts"]["sentences"]
            ner = run["timings_seconds"].get("ner", 0.0)
            runs.append({"backend": backend, "documents": run["counts"]["documents"], "sentences": sents,
                         "wall_s": round(secs, 1), "ner_s": ner, "ner_sentences_per_s": round(sents / max(ner, 1e-9), 1),
                         "peak_rss_mb": round(rss / 1024)})
            print(f"bench-ner: reuters {backend}: {runs[-1]}", file=sys.stderr)

    cpu = ""
    try:
        cpu = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")][0]
        flags = [l for l in open("/proc/cpuinfo") if l.startswith("flags")][0]
        cpu += " (" + ", ".join(f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")
                                if f" {f}" in flags) + ")"
    except (OSError, IndexError):
        pass
    result = {"cpu": cpu, "threads": args.threads, "dev_sentences": len(dev), "dev_wordpieces": pieces,
              "conll_dev": rows, "articles": articles, "reuters": runs, "python": platform.python_version(), "torch": torch.__version__}
    (ROOT / "work").mkdir(exist_ok=True)
    (ROOT / "work/bench-ner.json").write_text(json.dumps(result, indent=2) + "\n")
    base = next((r for r in rows if r["system"].startswith("transformers")), None)
    print(f"\nCPU: {cpu}; {args.threads} threads; CoNLL-2003 dev: {len(dev)} sentences, {pieces} wordpieces\n")
    print("| system | sentences/s | wordpieces/s | vs pipeline | dev F1 |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['system']} | {r['sentences_per_s']} | {r['wordpieces_per_s']} | "
              f"{speedup(r['sentences_per_s'], base)} | "
              f"{r['dev_f1'] if r['dev_f1'] is not None else 'same weights as raw torch'} |")
    if articles:
        pbase = next((a for a in articles if a["system"].startswith("transformers")), None)
        print(f"\nArticle-sized documents: the first 2,000 CoNLL dev sentences (sentences/s per CoNLL sentence, NER stage):\n")
        print("| system | corpus | NER s | sentences/s | vs pipeline |")
        print("|---|---|---|---|---|")
        for a in articles:
            print(f"| {a['system']} | {a['corpus']} | {a['ner_s']} | {a['sentences_per_s']} | "
                  f"{speedup(a['sentences_per_s'], pbase)} |")
    if runs:
        print(f"\n`newsgraph run` on the first {args.reuters} Reuters stories:\n")
        print("| backend | documents | sentences | wall s | NER s | NER sentences/s | peak RSS MB |")
        print("|---|---|---|---|---|---|---|")
        for r in runs:
            print(f"| {r['backend']} | {r['documents']} | {r['sentences']} | {r['wall_s']} | {r['ner_s']} | "
                  f"{r['ner_sentences_per_s']} | {r['peak_rss_mb']} |")


if __name__ == "__main__":
    main()
