#!/usr/bin/env python3
"""Export a newsgraph model directory to ONNX for the onnxruntime backend (`--backend onnx`).

    export_onnx.py models/ner-distilbert-cased

Writes, beside rust_model.ot (never committed; scripts/setup makes them):
  model.onnx       fp32: inputs input_ids and attention_mask (int64, [batch, length], both axes
                   dynamic), output logits ([batch, length, labels]); opset 17
  model-int8.onnx  dynamic int8 quantisation of the MatMul weights, per channel, with
                   reduce_range (without it, F1 falls on CPUs without VNNI)

The weights are those of rust_model.ot (fp16 storage, computed in fp32), so both files follow
the shipped model. Deterministic: the same weights give the same files.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import torch


def load(model_dir: Path):
    from transformers import AutoConfig, AutoModelForTokenClassification

    cfg = json.loads((model_dir / "config.json").read_text())
    config = AutoConfig.for_model(cfg["model_type"], **{k: v for k, v in cfg.items() if k != "model_type"})
    model = AutoModelForTokenClassification.from_config(config)
    # tch writes "a|b|c" for the parameter "a.b.c"; modules written from Python carry dots.
    state = {k.replace("|", "."): v.float()
             for k, v in torch.jit.load(str(model_dir / "rust_model.ot")).named_parameters()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        sys.exit(f"export_onnx: {model_dir}: missing {missing[:5]}, unexpected {unexpected[:5]}")
    return model.eval()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir", type=Path)
    args = ap.parse_args()
    d = args.model_dir
    torch.manual_seed(0)
    model = load(d)
    fp32, int8 = d / "model.onnx", d / "model-int8.onnx"
    ids = torch.tensor([[101, 7592, 1010, 2088, 102], [101, 7592, 102, 0, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    tmp = fp32.with_suffix(".onnx.tmp")
    with torch.no_grad():
        torch.onnx.export(
            model, (ids, mask), str(tmp), input_names=["input_ids", "attention_mask"],
            output_names=["logits"], opset_version=17, do_constant_folding=True,
            dynamic_axes={"input_ids": {0: "batch", 1: "length"},
                          "attention_mask": {0: "batch", 1: "length"},
                          "logits": {0: "batch", 1: "length"}})
    os.replace(tmp, fp32)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = int8.with_suffix(".onnx.tmp")
    quantize_dynamic(str(fp32), str(tmp), op_types_to_quantize=["MatMul"], per_channel=True,
                     reduce_range=True, weight_type=QuantType.QInt8)
    os.replace(tmp, int8)
    # The fp32 graph reproduces torch on the probe batch.
    import onnxruntime as ort

    sess = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
    got = sess.run(["logits"], {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
    with torch.no_grad():
        want = model(input_ids=ids, attention_mask=mask).logits.numpy()
    err = float(abs(got - want).max())
    if err > 1e-3:
        sys.exit(f"export_onnx: fp32 graph differs from torch by {err}")
    print(f"export_onnx: wrote {fp32} ({fp32.stat().st_size / 1e6:.0f} MB) and {int8} "
          f"({int8.stat().st_size / 1e6:.0f} MB); fp32 max |logit diff| vs torch {err:.2e}", file=sys.stderr)


if __name__ == "__main__":
    main()
