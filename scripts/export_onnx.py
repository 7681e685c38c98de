#!/usr/bin/env python3
"""Export a newsgraph model directory to ONNX for the onnxruntime backend (`--backend onnx`).

    export_onnx.py models/ner-distilbert-cased

Writes, beside rust_model.ot (never committed; scripts/setup makes them):
  model.onnx       fp32: inputs input_ids and attention_mask (int64, [batch, length], both axes
                   dynamic), output logits ([batch, length, labels]); opset 17
  model-int8.onnx  int8 weights everywhere, in two forms chosen by where the error hurts:
                   - the feed-forward MatMuls (a weight with the model's intermediate size on
                     one side) and the classifier: MatMulNBits, 8 bits, symmetric blocks of 256
                     along K, accuracy level 4 (int8 compute, activations quantised per block);
                   - the attention projections: dynamic int8 (MatMulInteger), weights per
                     channel with reduce_range (without it, F1 falls on CPUs without VNNI),
                     activations per row (per piece): symmetric, scale max|x|/127, zero
                     point 128, so that a sentence's output never depends on its
                     batch-mates (onnxruntime's DynamicQuantizeLinear takes one scale per
                     tensor, the whole batch; see per_row_activations).
                   All-dynamic lost 0.38 points of dev F1 (0.9250 vs 0.9288): one scale per
                   activation tensor cannot hold the feed-forward outliers. All-MatMulNBits kept
                   F1 (0.9291) at half the speed. This split keeps it (0.9294) at 65 % of
                   all-dynamic's speed, 1.7x fp32 (BENCHMARKS.md).

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
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from train_syntax import SyntaxHead, load_encoder

    model, state = load_encoder(model_dir)
    if not (model_dir / "syntax.json").is_file():
        return model
    # A syntax head (scripts/train_syntax.py): one graph computes both.

    meta = json.loads((model_dir / "syntax.json").read_text())
    c = model.config
    head = SyntaxHead(meta["layers"], c.dim, c.n_heads, c.hidden_dim, len(meta["labels"]), len(meta["upos"]),
                      len(meta["lemma_scripts"]), meta["arc_dim"], meta["rel_dim"])
    head.load_state_dict({k[len("syntax."):]: v for k, v in state.items() if k.startswith("syntax.")})
    return WithSyntax(model, head.eval()).eval()


class WithSyntax(torch.nn.Module):
    """The NER model and its syntax head in one pass: inputs input_ids, attention_mask and
    heads_mask (1 on the [CLS] root and on each parser word's piece); outputs the NER logits,
    the arc scores [batch, dependent, head] (pieces outside heads_mask at -1e9), and per piece
    the label for its best allowed head, its UPOS and its lemma script (int64 indices).
    Mirrors src/syntax/net.rs."""

    def __init__(self, ner, head):
        super().__init__()
        self.ner = ner
        self.syntax = head
        self.config = ner.config

    def forward(self, input_ids, attention_mask, heads_mask):
        o = self.ner.distilbert(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        logits = self.ner.classifier(o.last_hidden_state)
        arc, rd, rh, up, lm = self.syntax(list(o.hidden_states[1:]), attention_mask)
        arc = arc.masked_fill(heads_mask.unsqueeze(1) == 0, -1e9)
        best = arc.argmax(-1)
        rhb = rh.gather(1, best.unsqueeze(-1).expand(-1, -1, rh.shape[-1]))
        rel = torch.einsum("bnd,rde,bne->bnr", rd, self.syntax.rel_U, rhb).argmax(-1)
        return logits, arc, rel, up.argmax(-1), lm.argmax(-1)


# Written beside model-int8.onnx; scripts/setup exports again when it differs.
RECIPE_FILE = "model-int8.recipe"
RECIPE = "int8 v4: ffn+classifier MatMulNBits 8-bit block 256 level 4; attention dynamic per-channel reduce_range, activations per row, scaled unfused; syntax scorers fp32"


def quantize_int8(fp32: Path, out: Path, config) -> None:
    """The int8 graph: see the module docstring for which MatMul gets which form."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import (DefaultWeightOnlyQuantConfig,
                                                                 MatMulNBitsQuantizer)
    from onnxruntime.quantization.quant_utils import QuantFormat

    logging.disable(logging.INFO)  # the quantisers log every tensor at INFO
    m = onnx.load(str(fp32))
    consts = {t.name: t.dims for t in m.graph.initializer}
    inner = getattr(config, "intermediate_size", None) or getattr(config, "hidden_dim")
    labels = len(config.id2label)
    blockwise, other, scorers = [], [], []
    for n in m.graph.node:
        if n.op_type != "MatMul":
            continue
        # The syntax head's scorers stay fp32 (small; arcs are compared across a sentence).
        if "/syntax/" in n.name and "/syntax/block/" not in n.name:
            scorers.append(n.name)
            continue
        dims = consts.get(n.input[1])
        if dims is not None and len(dims) == 2 and (inner in dims or dims[1] == labels):
            blockwise.append(n.name)
        else:
            other.append(n.name)
    if not blockwise:
        sys.exit(f"export_onnx: {fp32}: no feed-forward MatMul found (intermediate size {inner})")
    cfg = DefaultWeightOnlyQuantConfig(block_size=256, is_symmetric=True, accuracy_level=4,
                                       quant_format=QuantFormat.QOperator, bits=8)
    q = MatMulNBitsQuantizer(m, algo_config=cfg, nodes_to_exclude=other + scorers)
    q.process()
    mid = out.with_suffix(".nbits.tmp")
    q.model.save_model_to_file(str(mid), use_external_data_format=False)
    try:
        quantize_dynamic(str(mid), str(out), op_types_to_quantize=["MatMul"], per_channel=True,
                         reduce_range=True, weight_type=QuantType.QInt8, nodes_to_exclude=scorers)
    finally:
        mid.unlink(missing_ok=True)
    m = onnx.load(str(out))
    if per_row_activations(m) == 0:
        sys.exit(f"export_onnx: {out}: no dynamically quantised MatMul found")
    onnx.checker.check_model(m)
    onnx.save(m, str(out))


def per_row_activations(m) -> int:
    """Replace each DynamicQuantizeLinear (one scale and zero point for the whole tensor, so for
    every sentence of a batch together) by a quantisation of each row on its own: the scale is
    the row's largest magnitude over 127, the zero point a constant 128, so the MatMulInteger
    that reads it is unchanged. Its float output is then scaled by the weights' per-channel
    scales and by the row's scale ([batch, length, 1]) in two Muls: onnxruntime fuses the one
    Mul of the quantiser (activation scale times weight scale) into MatMulIntegerToFloat, which
    takes one activation scale and gets the rows wrong (logit RMS error 0.31 against 0.064).
    MatMulNBits (level 4) already quantises its activations per row and block. Returns how many
    were replaced."""
    from onnx import TensorProto, helper, numpy_helper
    import numpy as np

    consts = {"perrow_eps": np.float32(1e-12), "perrow_127": np.float32(127.0),
              "perrow_128": np.float32(128.0), "perrow_0": np.float32(0.0),
              "perrow_255": np.float32(255.0), "perrow_zp": np.uint8(128)}
    m.graph.initializer.extend(numpy_helper.from_array(np.array(v), k) for k, v in consts.items())
    made = {o: node for node in m.graph.node for o in node.output}
    users: dict[str, list] = {}
    for node in m.graph.node:
        for i in node.input:
            users.setdefault(i, []).append(node)
    # MatMulInteger -> Cast -> Mul(cast, Mul(a_scale, w_scale)) becomes
    # MatMulInteger -> Cast -> Mul(cast, w_scale) -> Mul(., a_scale).
    before, dropped = {}, set()
    for node in m.graph.node:
        if node.op_type != "MatMulInteger":
            continue
        (cast,) = users[node.output[0]]
        (mul,) = users[cast.output[0]]
        scales = made[mul.input[1]]
        if cast.op_type != "Cast" or mul.op_type != "Mul" or scales.op_type != "Mul":
            sys.exit(f"export_onnx: {node.name}: not the quantiser's MatMulInteger, Cast, Mul")
        a_scale, w_scale = scales.input
        t = mul.name + "_by_weight_scale"
        before[mul.name] = helper.make_node("Mul", [cast.output[0], w_scale], [t], name=t)
        mul.input[0], mul.input[1] = t, a_scale
        dropped.add(scales.name)
    nodes, n = [], 0
    for node in m.graph.node:
        if node.name in dropped:
            continue
        if node.name in before:
            nodes.append(before[node.name])
        if node.op_type != "DynamicQuantizeLinear":
            nodes.append(node)
            continue
        x, (q, scale, zero) = node.input[0], node.output
        p = node.name + "_perrow"

        def op(kind, inputs, out, **attrs):
            nodes.append(helper.make_node(kind, inputs, [out], name=f"{p}_{out.rsplit('_', 1)[-1]}", **attrs))

        op("Abs", [x], p + "_abs")
        op("ReduceMax", [p + "_abs"], p + "_max", axes=[-1], keepdims=1)
        op("Max", [p + "_max", "perrow_eps"], p + "_maxeps")
        op("Div", [p + "_maxeps", "perrow_127"], scale)
        op("Div", [x, scale], p + "_div")
        op("Round", [p + "_div"], p + "_round")
        op("Add", [p + "_round", "perrow_128"], p + "_shift")
        op("Clip", [p + "_shift", "perrow_0", "perrow_255"], p + "_clip")
        op("Cast", [p + "_clip"], q, to=TensorProto.UINT8)
        op("Identity", ["perrow_zp"], zero)
        n += 1
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    return n


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
    syntax = isinstance(model, WithSyntax)
    heads = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 0, 0, 0]], dtype=torch.long)
    args_in = (ids, mask, heads) if syntax else (ids, mask)
    inputs = ["input_ids", "attention_mask"] + (["heads_mask"] if syntax else [])
    outputs = ["logits"] + (["arc", "rel", "upos", "lemma"] if syntax else [])
    axes = {n: {0: "batch", 1: "length"} for n in inputs + outputs}
    if syntax:
        axes["arc"] = {0: "batch", 1: "length", 2: "heads"}
    tmp = fp32.with_suffix(".onnx.tmp")
    with torch.no_grad():
        torch.onnx.export(model, args_in, str(tmp), input_names=inputs, output_names=outputs,
                          opset_version=17, do_constant_folding=True, dynamic_axes=axes)
    os.replace(tmp, fp32)
    tmp = int8.with_suffix(".onnx.tmp")
    quantize_int8(fp32, tmp, model.config)
    os.replace(tmp, int8)
    # The fp32 graph reproduces torch on the probe batch.
    import onnxruntime as ort

    sess = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
    feed = dict(zip(inputs, (t.numpy() for t in args_in)))
    got = sess.run(None, feed)
    with torch.no_grad():
        want = model(*args_in)
    want = [w.numpy() for w in want] if syntax else [want.logits.numpy()]
    err = float(abs(got[0] - want[0]).max())
    if syntax:
        # Arc scores of the allowed heads, and the argmax outputs exactly.
        allowed = heads.numpy()[:, None, :].astype(bool) & mask.numpy()[:, :, None].astype(bool)
        err = max(err, float(abs(got[1] - want[1])[allowed].max()))
        for g, w in zip(got[2:], want[2:]):
            if not (g == w).all():
                sys.exit("export_onnx: the fp32 graph's syntax labels differ from torch")
    if err > 1e-3:
        sys.exit(f"export_onnx: fp32 graph differs from torch by {err}")
    # The int8 graph gives a row the same output, bit for bit, alone or beside another row of
    # its length (newsgraph batches sentences of one length across documents).
    q = ort.InferenceSession(str(int8), providers=["CPUExecutionProvider"])
    pair = torch.tensor([[101, 7592, 1010, 2088, 102], [101, 2023, 2003, 1037, 102]], dtype=torch.long)
    probe = [pair, torch.ones_like(pair)] + ([torch.ones_like(pair)] if syntax else [])
    both = q.run(None, dict(zip(inputs, (t.numpy() for t in probe))))
    for r in range(2):
        alone = q.run(None, dict(zip(inputs, (t[r:r + 1].numpy() for t in probe))))
        if any(not (a[0] == b[r]).all() for a, b in zip(alone, both)):
            # Not fatal (the model still works), but newsgraph's outputs would then depend on how
            # a corpus is cut into chunks on this CPU; tests/parity.rs fails on it too.
            print("export_onnx: WARNING: on this CPU the int8 graph's output for a row depends on "
                  "its batch-mates; outputs may differ with the chunking", file=sys.stderr)
            break
    (d / RECIPE_FILE).write_text(RECIPE + "\n")
    print(f"export_onnx: wrote {fp32} ({fp32.stat().st_size / 1e6:.0f} MB) and {int8} "
          f"({int8.stat().st_size / 1e6:.0f} MB); fp32 max |logit diff| vs torch {err:.2e}", file=sys.stderr)


if __name__ == "__main__":
    main()
