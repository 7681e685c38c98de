#!/usr/bin/env python3
"""Reference NER labels from transformers for newsgraph's Rust/Python parity test.

    ner_reference.py MODEL_DIR < sentences.txt > labels.jsonl

Loads the rust-bert model directory (config.json, vocab.txt, rust_model.ot) into the
transformers model class with the same weights and the same WordPiece vocabulary, and prints,
for each input line, the wordpieces (without [CLS]/[SEP]) and the argmax label of each.
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
    state = {k.replace("|", "."): v.float() for k, v in torch.jit.load(str(model_dir / "rust_model.ot")).named_parameters()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        sys.exit(f"{model_dir}: weights do not match the architecture: missing {missing[:5]}, unexpected {unexpected[:5]}")
    model.eval()
    tok = BertTokenizerFast(vocab_file=str(model_dir / "vocab.txt"), do_lower_case=lower, strip_accents=lower)
    labels = [cfg["id2label"][str(i)] for i in range(len(cfg["id2label"]))]
    return model, tok, labels


def main() -> None:
    torch.set_num_threads(1)
    model, tok, labels = load(Path(sys.argv[1]))
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
