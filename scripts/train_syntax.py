#!/usr/bin/env python3
"""Train newsgraph's syntax head (dependency parse, UPOS, lemma) on UD English EWT, on top of the
shipped NER encoder, and write it into the same model directory.

    train_syntax.py models/ner-distilbert-cased --work work/syntax

Arrangement (the model card says why): the NER encoder is shared and left as it is, so one
encoder pass serves both tasks and NER scores do not move. The syntax head reads a learned mix
of the encoder's six layer outputs (`syntax.mix`, `syntax.gamma`), refines it with one
transformer block of its own (`syntax.block`, initialised from the encoder's last block), and
scores on the first wordpiece of each word:
  - arcs: a biaffine scorer (Dozat and Manning 2017) between a dependent and every candidate
    head; position 0 ([CLS]) is the root. newsgraph decodes a tree (Chu-Liu-Edmonds) in Rust.
  - relation labels: a biaffine scorer of (dependent, head) pairs, one matrix per label
    (`syntax.rel_U`); newsgraph applies it to the head the tree chose.
  - UPOS: a linear layer.
  - lemmas: a linear layer over edit scripts (lower-case or keep, strip N final characters,
    append a suffix) learnt from EWT's word/lemma pairs; scripts seen once map to "keep".

Because the encoder is frozen, its layer outputs are computed once per sentence and cached
(fp16, `--work`/feats-*.pt, about 3 GB in memory for EWT train), and each epoch trains only
the head: 269 s an epoch on 2 idle cores (the shipped head: 6 epochs, model card), where
fine-tuning the whole encoder would cost about 15 minutes an epoch. Checkpoints after every epoch; a killed run
resumes. The best epoch by dev LAS is written into `rust_model.ot` (parameters under
`syntax.`) and its label, UPOS and lemma-script tables into `syntax.json`.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_ner import load_rust_model, save_rust_model  # noqa: E402

EWT = Path("../shared/data/ud-ewt")
MAX_PIECES = 254


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ----------------------------------------------------------------------------- data


def read_conllu(path: Path) -> list[dict]:
    """Sentences of syntactic words (multiword-token lines and empty nodes are skipped)."""
    sents, cur = [], None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                if cur and cur["form"]:
                    sents.append(cur)
                cur = None
                continue
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if not cols[0].isdigit():
                continue
            cur = cur or {"form": [], "lemma": [], "upos": [], "head": [], "rel": []}
            cur["form"].append(cols[1])
            cur["lemma"].append(cols[2])
            cur["upos"].append(cols[3])
            cur["head"].append(int(cols[6]))
            cur["rel"].append(cols[7])
    if cur and cur["form"]:
        sents.append(cur)
    return sents


def edit_script(form: str, lemma: str) -> str:
    """The script that turns `form` into `lemma`: "L" (lower-case first) or "K" (keep case),
    then the number of final characters to strip and the suffix to append: "L|1|" for
    "cats" -> "cat", "K|0|" for "Bush" -> "Bush", "L|3|be" for "was" -> "be"."""
    case = "L" if lemma == lemma.lower() and form != form.lower() else "K"
    src = form.lower() if case == "L" else form
    p = 0
    while p < min(len(src), len(lemma)) and src[p] == lemma[p]:
        p += 1
    return f"{case}|{len(src) - p}|{lemma[p:]}"


def apply_script(form: str, script: str) -> str:
    """Mirror of the Rust `syntax::apply_lemma_script` (the form when the script cannot apply)."""
    case, strip, add = script.split("|", 2)
    src = form.lower() if case == "L" else form
    n = int(strip)
    if n > len(src):
        return form
    return src[: len(src) - n] + add


def encode(tokenizer, words: list[str]):
    enc = tokenizer(words, is_split_into_words=True, add_special_tokens=True)
    first, prev = [], None
    for pos, w in enumerate(enc.word_ids()):
        if w is not None and w != prev:
            first.append(pos)
        prev = w
    return enc["input_ids"], first


# ----------------------------------------------------------------------------- the head


class Block(nn.Module):
    """A DistilBERT transformer block with the same parameter names (attention.{q,k,v,out}_lin,
    sa_layer_norm, ffn.lin1/lin2, output_layer_norm), written out so that the Rust torch
    engine and the ONNX graph compute exactly this."""

    def __init__(self, dim: int, heads: int, hidden: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.attention = nn.Module()
        for n in ("q_lin", "k_lin", "v_lin", "out_lin"):
            self.attention.add_module(n, nn.Linear(dim, dim))
        self.sa_layer_norm = nn.LayerNorm(dim, eps=1e-12)
        self.ffn = nn.Module()
        self.ffn.add_module("lin1", nn.Linear(dim, hidden))
        self.ffn.add_module("lin2", nn.Linear(hidden, dim))
        self.output_layer_norm = nn.LayerNorm(dim, eps=1e-12)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        h, dh = self.heads, d // self.heads
        a = self.attention

        def split(t):
            return t.view(b, n, h, dh).transpose(1, 2)

        q = split(a.q_lin(x)) / math.sqrt(dh)
        k, v = split(a.k_lin(x)), split(a.v_lin(x))
        scores = q @ k.transpose(2, 3)
        scores = scores.masked_fill((mask == 0).view(b, 1, 1, n), torch.finfo(scores.dtype).min)
        ctx = (self.drop(scores.softmax(-1)) @ v).transpose(1, 2).reshape(b, n, d)
        x = self.sa_layer_norm(a.out_lin(ctx) + x)
        f = self.ffn.lin2(F.gelu(self.ffn.lin1(x)))
        return self.output_layer_norm(self.drop(f) + x)


class SyntaxHead(nn.Module):
    def __init__(self, layers: int, dim: int, heads: int, hidden: int, n_rel: int, n_upos: int,
                 n_lemma: int, arc_dim: int = 512, rel_dim: int = 128):
        super().__init__()
        self.mix = nn.Parameter(torch.zeros(layers))
        self.gamma = nn.Parameter(torch.ones(1))
        self.block = Block(dim, heads, hidden, 0.1)
        self.arc_dep = nn.Linear(dim, arc_dim)
        self.arc_head = nn.Linear(dim, arc_dim)
        self.arc_W = nn.Parameter(torch.zeros(arc_dim, arc_dim))
        self.arc_b = nn.Parameter(torch.zeros(arc_dim))
        self.rel_dep = nn.Linear(dim, rel_dim)
        self.rel_head = nn.Linear(dim, rel_dim)
        self.rel_U = nn.Parameter(torch.zeros(n_rel, rel_dim + 1, rel_dim + 1))
        self.upos = nn.Linear(dim, n_upos)
        self.lemma = nn.Linear(dim, n_lemma)
        self.mlp_drop = nn.Dropout(0.33)

    def forward(self, layers: list[torch.Tensor], mask: torch.Tensor):
        """`layers`: the encoder's layer outputs, each [batch, length, dim]. Returns arc scores
        [batch, dependent, head], the relation vectors of dependents and heads [batch, length,
        rel_dim + 1] (with the bias 1 appended), UPOS and lemma-script logits."""
        w = self.mix.softmax(0)
        x = self.gamma * sum(w[i] * h for i, h in enumerate(layers))
        x = self.block(x, mask)
        act = lambda t: F.leaky_relu(t, 0.1)  # noqa: E731
        ad = self.mlp_drop(act(self.arc_dep(x)))
        ah = self.mlp_drop(act(self.arc_head(x)))
        arc = (ad @ self.arc_W) @ ah.transpose(1, 2) + (ah @ self.arc_b).unsqueeze(1)
        one = torch.ones_like(x[..., :1])
        rd = torch.cat([self.mlp_drop(act(self.rel_dep(x))), one], -1)
        rh = torch.cat([self.mlp_drop(act(self.rel_head(x))), one], -1)
        return arc, rd, rh, self.upos(x), self.lemma(x)


# ----------------------------------------------------------------------------- features


def load_encoder(model_dir: Path):
    """The NER model of a newsgraph model directory (eval mode), and every parameter of its
    `rust_model.ot` by name, the syntax head's (`syntax.*`) included."""
    from transformers import AutoConfig, AutoModelForTokenClassification

    cfg = json.loads((model_dir / "config.json").read_text())
    keep = {k: v for k, v in cfg.items() if k not in ("model_type", "newsgraph")}
    config = AutoConfig.for_model(cfg["model_type"], **keep)
    model = AutoModelForTokenClassification.from_config(config)
    # tch writes "a|b|c" for the parameter "a.b.c"; modules written from Python carry dots.
    state = {k.replace("|", "."): v.float()
             for k, v in torch.jit.load(str(model_dir / "rust_model.ot")).named_parameters()}
    ner = {k: v for k, v in state.items() if not k.startswith("syntax.")}
    missing, unexpected = model.load_state_dict(ner, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        sys.exit(f"{model_dir}: missing {missing[:5]}, unexpected {unexpected[:5]}")
    return model.eval(), state


def cache_features(encoder, items, path: Path, batch: int = 64) -> list[torch.Tensor]:
    """Each sentence's six layer outputs, [6, pieces, dim] in fp16; cached in `path`."""
    if path.exists():
        return torch.load(path, weights_only=True)
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    out: list[torch.Tensor | None] = [None] * len(items)
    t0 = time.time()
    with torch.no_grad():
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            n = max(len(items[i][0]) for i in idx)
            ids = torch.zeros(len(idx), n, dtype=torch.long)
            mask = torch.zeros(len(idx), n, dtype=torch.long)
            for r, i in enumerate(idx):
                ids[r, :len(items[i][0])] = torch.tensor(items[i][0])
                mask[r, :len(items[i][0])] = 1
            hs = encoder.distilbert(input_ids=ids, attention_mask=mask,
                                    output_hidden_states=True).hidden_states[1:]
            stack = torch.stack(hs, 1).half()
            for r, i in enumerate(idx):
                out[i] = stack[r, :, :len(items[i][0])].clone()
    log(f"features of {len(items)} sentences in {time.time() - t0:.0f} s -> {path}")
    torch.save(out, path)
    return out


# ----------------------------------------------------------------------------- training


def batches_of(items, size_pieces: int, rng: random.Random | None):
    idx = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    out, cur, longest = [], [], 0
    for i in idx:
        n = len(items[i][0])
        if cur and (len(cur) + 1) * max(longest, n) > size_pieces:
            out.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, n)
    if cur:
        out.append(cur)
    if rng:
        rng.shuffle(out)
    return out


def collate(idx, items, feats, targets):
    n = max(len(items[i][0]) for i in idx)
    b = len(idx)
    layers = feats[idx[0]].shape[0]
    dim = feats[idx[0]].shape[2]
    x = torch.zeros(layers, b, n, dim)
    mask = torch.zeros(b, n, dtype=torch.long)
    heads = torch.full((b, n), -100, dtype=torch.long)
    rels = torch.full((b, n), -100, dtype=torch.long)
    upos = torch.full((b, n), -100, dtype=torch.long)
    lemma = torch.full((b, n), -100, dtype=torch.long)
    cand = torch.zeros(b, n, dtype=torch.bool)
    for r, i in enumerate(idx):
        m = len(items[i][0])
        x[:, r, :m] = feats[i].float()
        mask[r, :m] = 1
        first = items[i][1]
        cand[r, 0] = True
        cand[r, first] = True
        t = targets[i]
        for w, p in enumerate(first):
            heads[r, p] = 0 if t["head"][w] == 0 else first[t["head"][w] - 1]
            rels[r, p] = t["rel"][w]
            upos[r, p] = t["upos"][w]
            lemma[r, p] = t["lemma"][w]
    return list(x.unbind(0)), mask, cand, heads, rels, upos, lemma


def losses(head, batch):
    layers, mask, cand, heads, rels, upos, lemma = batch
    arc, rd, rh, up, lm = head(layers, mask)
    arc = arc.masked_fill(~cand.unsqueeze(1), -1e9)
    l_arc = F.cross_entropy(arc.reshape(-1, arc.shape[-1]), heads.reshape(-1), ignore_index=-100)
    gold = heads.clamp(min=0)
    rh_gold = rh.gather(1, gold.unsqueeze(-1).expand(-1, -1, rh.shape[-1]))
    rel = torch.einsum("bnd,rde,bne->bnr", rd, head.rel_U, rh_gold)
    l_rel = F.cross_entropy(rel.reshape(-1, rel.shape[-1]), rels.reshape(-1), ignore_index=-100)
    l_upos = F.cross_entropy(up.reshape(-1, up.shape[-1]), upos.reshape(-1), ignore_index=-100)
    l_lem = F.cross_entropy(lm.reshape(-1, lm.shape[-1]), lemma.reshape(-1), ignore_index=-100)
    return l_arc + l_rel + 0.5 * l_upos + 0.5 * l_lem, (arc, rel, up, lm)


def evaluate(head, items, feats, targets, tables) -> dict:
    """Greedy heads (the Rust side decodes a tree; `newsgraph eval-parse` is the real score)."""
    head.eval()
    c = Counter()
    with torch.no_grad():
        for idx in batches_of(items, 8000, None):
            batch = collate(idx, items, feats, targets)
            _, _, cand, heads, rels, upos, lemma = batch
            arc, rd, rh, up, lm = head(batch[0], batch[1])
            arc = arc.masked_fill(~cand.unsqueeze(1), -1e9)
            ph = arc.argmax(-1)
            rhp = rh.gather(1, ph.unsqueeze(-1).expand(-1, -1, rh.shape[-1]))
            pr = torch.einsum("bnd,rde,bne->bnr", rd, head.rel_U, rhp).argmax(-1)
            sel = heads != -100
            c["words"] += int(sel.sum())
            ok = (ph == heads) & sel
            c["uas"] += int(ok.sum())
            c["las"] += int((ok & (pr == rels)).sum())
            c["upos"] += int(((up.argmax(-1) == upos) & sel).sum())
            lm_pred = lm.argmax(-1)
            for r, i in enumerate(idx):
                for w, p in enumerate(items[i][1]):
                    form = targets[i]["form"][w]
                    c["lemma"] += apply_script(form, tables["lemma"][int(lm_pred[r, p])]) == targets[i]["lemma_s"][w]
    head.train()
    n = max(c["words"], 1)
    return {k: c[k] / n for k in ("uas", "las", "upos", "lemma")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=1e-4, help="learning rate of the transformer block")
    ap.add_argument("--head-lr", type=float, default=1e-3,
                    help="learning rate of the layer mix and the scorers (new parameters)")
    ap.add_argument("--batch-pieces", type=int, default=800)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--limit", type=int, default=0, help="first N train sentences (smoke test)")
    ap.add_argument("--export-only", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)

    from transformers import BertTokenizerFast

    encoder, state = load_encoder(args.model_dir)
    cfg = encoder.config
    tokenizer = BertTokenizerFast(vocab_file=str(args.model_dir / "vocab.txt"), do_lower_case=False,
                                  strip_accents=False, tokenize_chinese_chars=True)
    data = {s: read_conllu(EWT / f"en_ewt-ud-{s}.conllu") for s in ("train", "dev")}
    if args.limit:
        data = {"train": data["train"][:args.limit], "dev": data["dev"][:max(50, args.limit // 4)]}
    train_raw = data["train"]
    rels = sorted({r for s in train_raw for r in s["rel"]})
    upos = sorted({u for s in train_raw for u in s["upos"]})
    scripts = Counter(edit_script(f, l) for s in train_raw for f, l in zip(s["form"], s["lemma"]))
    keep = "K|0|"
    lemma_tab = [keep] + sorted(k for k, n in scripts.items() if n >= 2 and k != keep)
    tables = {"rel": rels, "upos": upos, "lemma": lemma_tab}
    ri = {r: i for i, r in enumerate(rels)}
    ui = {u: i for i, u in enumerate(upos)}
    li = {s: i for i, s in enumerate(lemma_tab)}

    prepared = {}
    for split, sents in data.items():
        items, targets = [], []
        for s in sents:
            ids, first = encode(tokenizer, s["form"])
            if len(ids) > MAX_PIECES + 2 or len(first) != len(s["form"]):
                continue
            items.append((ids, first))
            targets.append({
                "form": s["form"], "lemma_s": s["lemma"], "head": s["head"],
                "rel": [ri.get(r, ri.get(r.split(":")[0], 0)) for r in s["rel"]],
                "upos": [ui.get(u, 0) for u in s["upos"]],
                "lemma": [li.get(edit_script(f, l), 0) for f, l in zip(s["form"], s["lemma"])],
            })
        tag = f"{split}-{args.limit}" if args.limit else split
        feats = cache_features(encoder, items, args.work / f"feats-{tag}.pt")
        prepared[split] = (items, feats, targets)
        log(f"{split}: {len(items)} of {len(sents)} sentences")
    del encoder

    head = SyntaxHead(cfg.n_layers, cfg.dim, cfg.n_heads, cfg.hidden_dim, len(rels), len(upos),
                      len(lemma_tab))
    last = {k[len("distilbert.transformer.layer.5."):]: v for k, v in state.items()
            if k.startswith(f"distilbert.transformer.layer.{cfg.n_layers - 1}.")}
    head.block.load_state_dict(last)
    nn.init.xavier_uniform_(head.arc_W)

    items, feats, targets = prepared["train"]
    steps_per_epoch = len(batches_of(items, args.batch_pieces, None))
    total = steps_per_epoch * args.epochs
    block = [p for n, p in head.named_parameters() if n.startswith("block.")]
    rest = [p for n, p in head.named_parameters() if not n.startswith("block.")]
    opt = torch.optim.AdamW([{"params": block, "lr": args.lr}, {"params": rest, "lr": args.head_lr}],
                            betas=(0.9, 0.9), weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.05 * total)) * max(0.0, (total - s) / total))
    ckpt = args.work / "last.pt"
    start, best, history = 0, -1.0, []
    if ckpt.exists():
        c = torch.load(ckpt, weights_only=False)
        head.load_state_dict(c["head"])
        opt.load_state_dict(c["opt"])
        sched.load_state_dict(c["sched"])
        start, best, history = c["epoch"], c["best"], c["history"]
        rng.setstate(c["rng"])
        log(f"resumed after epoch {start} (best dev LAS {best:.4f})")
    if not args.export_only:
        for epoch in range(start, args.epochs):
            t0 = time.time()
            tot = 0.0
            for k, idx in enumerate(batches_of(items, args.batch_pieces, rng)):
                loss, _ = losses(head, collate(idx, items, feats, targets))
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(head.parameters(), 5.0)
                opt.step()
                sched.step()
                tot += float(loss)
                if k % 100 == 0:
                    log(f"epoch {epoch + 1} step {k}/{steps_per_epoch} loss {tot / (k + 1):.4f}")
            res = evaluate(head, *prepared["dev"], tables)
            res["epoch"], res["seconds"] = epoch + 1, round(time.time() - t0)
            history.append(res)
            log(f"epoch {epoch + 1}: dev {res}")
            if res["las"] > best:
                best = res["las"]
                torch.save(head.state_dict(), args.work / "best.pt")
            torch.save({"head": head.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                        "epoch": epoch + 1, "best": best, "history": history, "rng": rng.getstate()},
                       args.work / "last.tmp")
            os.replace(args.work / "last.tmp", ckpt)
    head.load_state_dict(torch.load(args.work / "best.pt", weights_only=True))
    export(args.model_dir, state, head, tables, history, args)


def export(model_dir: Path, state: dict, head: SyntaxHead, tables: dict, history: list, args) -> None:
    merged = {k: v for k, v in state.items() if not k.startswith("syntax.")}
    merged.update({f"syntax.{k}": v for k, v in head.state_dict().items()})
    save_rust_model(merged, model_dir / "rust_model.ot")
    back = load_rust_model(model_dir / "rust_model.ot")
    assert set(back) == set(merged), "round trip lost parameters"
    meta = {
        "labels": tables["rel"], "upos": tables["upos"], "lemma_scripts": tables["lemma"],
        "layers": len(head.mix), "arc_dim": head.arc_W.shape[0], "rel_dim": head.rel_U.shape[1] - 1,
        "trained_on": "UD English EWT train (CC BY-SA 4.0)", "epochs": args.epochs, "lr": args.lr, "head_lr": args.head_lr,
        "batch_pieces": args.batch_pieces, "seed": args.seed, "history": history,
    }
    (model_dir / "syntax.json").write_text(json.dumps(meta, indent=1) + "\n")
    log(f"wrote the syntax head into {model_dir}/rust_model.ot and {model_dir}/syntax.json")


if __name__ == "__main__":
    main()
