#!/usr/bin/env python3
"""Reference NER labels from transformers for newsgraph's Rust/Python parity test.

    ner_reference.py MODEL_DIR [--stream] < sentences.txt > labels.jsonl

Loads the rust-bert model directory (config.json, vocab.txt, rust_model.ot) into the
transformers model class with the same weights and the same WordPiece vocabulary, and prints,
for each input line, the wordpieces (without [CLS]/[SEP]) and the argmax label of each.
Each line is read on its own; with `--stream` the lines are the consecutive sentences of one
text, read as one stream of wordpieces in overlapping windows (what newsgraph does for a model
trained with context; the window code is train_ner.py's).
"""
import json
import sys
from pathlib import Path

import torch
from transformers import (BertConfig, BertForTokenClassification, BertTokenizerFast,
                          DistilBertConfig, DistilBertForTokenClassification)


def load(model_dir: Path):
    cfg = json.loads((model_dir / "config.json").read_text())
    lower = bool(cfg.get("do_lower_case", False))
    if cfg.get("model_type") == "distilbert":
        model = DistilBertForTokenClassification(DistilBertConfig(**cfg))
    elif cfg.get("model_type") == "bert":
        model = BertForTokenClassification(BertConfig(**cfg))
    else:
        sys.exit(f"{model_dir}: unsupported model_type {cfg.get('model_type')!r}")
    # tch writes "a|b|c" for the parameter "a.b.c"; modules written from Python carry dots.
    # The syntax head (`syntax.*`, scripts/train_syntax.py) is not part of the NER network.
    state = {k.replace("|", "."): v.float() for k, v in torch.jit.load(str(model_dir / "rust_model.ot")).named_parameters()
             if not k.startswith("syntax.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        sys.exit(f"{model_dir}: weights do not match the architecture: missing {missing[:5]}, unexpected {unexpected[:5]}")
    model.eval()
    tok = BertTokenizerFast(vocab_file=str(model_dir / "vocab.txt"), do_lower_case=lower, strip_accents=lower)
    labels = [cfg["id2label"][str(i)] for i in range(len(cfg["id2label"]))]
    return model, tok, labels


def stream(model, tok, labels, lines: list[str]) -> None:
    from train_ner import owners, windows

    pieces = [tok(text, add_special_tokens=False)["input_ids"] for text in lines]
    ids = [i for p in pieces for i in p]
    size = min(model.config.max_position_embeddings - 2, 254)
    ws = windows(len(ids), size, 64)
    best = []
    for a, b in ws:
        inp = torch.tensor([[tok.cls_token_id] + ids[a:b] + [tok.sep_token_id]])
        best.append(model(input_ids=inp, attention_mask=torch.ones_like(inp)).logits[0].argmax(-1).tolist()[1:-1])
    own = owners(ws, len(ids))
    label = [labels[best[own[p]][p - ws[own[p]][0]]] for p in range(len(ids))]
    k = 0
    for p in pieces:
        print(json.dumps({"tokens": tok.convert_ids_to_tokens(p), "labels": label[k:k + len(p)]}, ensure_ascii=False))
        k += len(p)


def main() -> None:
    torch.set_num_threads(1)
    model, tok, labels = load(Path(sys.argv[1]))
    if "--stream" in sys.argv[2:]:
        with torch.no_grad():
            stream(model, tok, labels, [line.rstrip("\n") for line in sys.stdin])
        return
    with torch.no_grad():
        for line in sys.stdin:
            text = line.rstrip("\n")
            enc = tok(text, return_tensors="pt")
            logits = model(**{k: v for k, v in enc.items() if k in ("input_ids", "attention_mask")}).logits[0]
            ids = enc["input_ids"][0].tolist()[1:-1]
            best = logits.argmax(-1).tolist()[1:-1]
            print(json.dumps({"tokens": tok.convert_ids_to_tokens(ids), "labels": [labels[b] for b in best]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
