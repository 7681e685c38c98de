//! The syntax head on libtorch (the torch backend): the same computation as `SyntaxHead` of
//! scripts/train_syntax.py, over the encoder's layer outputs, with parameters under `syntax.`
//! in `rust_model.ot`.
use super::SyntaxTables;
use tch::{nn, nn::Module, Kind, Tensor};

struct Block {
    q: nn::Linear,
    k: nn::Linear,
    v: nn::Linear,
    out: nn::Linear,
    sa_norm: nn::LayerNorm,
    lin1: nn::Linear,
    lin2: nn::Linear,
    out_norm: nn::LayerNorm,
    heads: i64,
}

impl Block {
    fn new(p: nn::Path, dim: i64, hidden: i64, heads: i64) -> Block {
        let a = &p / "attention";
        let ln = nn::LayerNormConfig {
            eps: 1e-12,
            ..Default::default()
        };
        let lin = Default::default;
        Block {
            q: nn::linear(&a / "q_lin", dim, dim, lin()),
            k: nn::linear(&a / "k_lin", dim, dim, lin()),
            v: nn::linear(&a / "v_lin", dim, dim, lin()),
            out: nn::linear(&a / "out_lin", dim, dim, lin()),
            sa_norm: nn::layer_norm(&p / "sa_layer_norm", vec![dim], ln),
            lin1: nn::linear(&p / "ffn" / "lin1", dim, hidden, lin()),
            lin2: nn::linear(&p / "ffn" / "lin2", hidden, dim, lin()),
            out_norm: nn::layer_norm(&p / "output_layer_norm", vec![dim], ln),
            heads,
        }
    }

    fn forward(&self, x: &Tensor, mask: &Tensor) -> Tensor {
        let (b, n, d) = x.size3().unwrap_or((0, 0, 0));
        let dh = d / self.heads.max(1);
        let split = |t: Tensor| t.view([b, n, self.heads, dh]).transpose(1, 2);
        let q = split(x.apply(&self.q)) / (dh as f64).sqrt();
        let k = split(x.apply(&self.k));
        let v = split(x.apply(&self.v));
        let scores = q.matmul(&k.transpose(2, 3));
        let masked = scores.masked_fill(&mask.eq(0).view([b, 1, 1, n]), f64::from(f32::MIN));
        let ctx = masked
            .softmax(-1, Kind::Float)
            .matmul(&v)
            .transpose(1, 2)
            .reshape([b, n, d]);
        let x = (ctx.apply(&self.out) + x).apply(&self.sa_norm);
        let f = x.apply(&self.lin1).gelu("none").apply(&self.lin2);
        (f + x).apply(&self.out_norm)
    }
}

/// What the head gives for a batch: arc scores `[batch, dependent, head]`, and for each piece
/// the relation label to its best-scoring allowed head, its UPOS and its lemma script.
pub struct SyntaxOutput {
    pub arc: Tensor,
    pub rel: Tensor,
    pub upos: Tensor,
    pub lemma: Tensor,
}

pub struct SyntaxNet {
    mix: Tensor,
    gamma: Tensor,
    block: Block,
    arc_dep: nn::Linear,
    arc_head: nn::Linear,
    arc_w: Tensor,
    arc_b: Tensor,
    rel_dep: nn::Linear,
    rel_head: nn::Linear,
    rel_u: Tensor,
    upos: nn::Linear,
    lemma: nn::Linear,
}

impl SyntaxNet {
    /// Declare the head's parameters under `p` (load the var store afterwards).
    pub fn new(p: nn::Path, t: &SyntaxTables, dim: i64, hidden: i64, heads: i64) -> SyntaxNet {
        let lin = Default::default;
        let (a, r) = (t.arc_dim as i64, t.rel_dim as i64);
        SyntaxNet {
            mix: p.zeros("mix", &[t.layers as i64]),
            gamma: p.ones("gamma", &[1]),
            block: Block::new(&p / "block", dim, hidden, heads),
            arc_dep: nn::linear(&p / "arc_dep", dim, a, lin()),
            arc_head: nn::linear(&p / "arc_head", dim, a, lin()),
            arc_w: p.zeros("arc_W", &[a, a]),
            arc_b: p.zeros("arc_b", &[a]),
            rel_dep: nn::linear(&p / "rel_dep", dim, r, lin()),
            rel_head: nn::linear(&p / "rel_head", dim, r, lin()),
            rel_u: p.zeros("rel_U", &[t.labels.len() as i64, r + 1, r + 1]),
            upos: nn::linear(&p / "upos", dim, t.upos.len() as i64, lin()),
            lemma: nn::linear(&p / "lemma", dim, t.lemma_scripts.len() as i64, lin()),
        }
    }

    /// Run the head over the encoder's layer outputs. `mask` is the attention mask, `heads`
    /// marks the pieces that may be heads (the [CLS] root and each word's first piece).
    pub fn forward(&self, layers: &[Tensor], mask: &Tensor, heads: &Tensor) -> SyntaxOutput {
        let w = self.mix.softmax(0, Kind::Float);
        let mut x = layers[0].zeros_like();
        for (i, h) in layers.iter().enumerate() {
            x += h * w.get(i as i64);
        }
        let x = self.block.forward(&(x * &self.gamma), mask);
        // Leaky ReLU with slope 0.1, as in training.
        let leaky = |t: &Tensor| t.maximum(&(t * 0.1));
        let ad = leaky(&x.apply(&self.arc_dep));
        let ah = leaky(&x.apply(&self.arc_head));
        let arc = ad.matmul(&self.arc_w).matmul(&ah.transpose(1, 2))
            + ah.matmul(&self.arc_b).unsqueeze(1);
        let (b, n, _) = x.size3().unwrap_or((0, 0, 0));
        let allowed = heads.ne(0).view([b, 1, n]);
        let arc = arc.masked_fill(&allowed.logical_not(), -1e9);
        let best = arc.argmax(-1, false);
        let one = x.ones_like().narrow(2, 0, 1);
        let rd = Tensor::cat(&[leaky(&x.apply(&self.rel_dep)), one.shallow_clone()], -1);
        let rh = Tensor::cat(&[leaky(&x.apply(&self.rel_head)), one], -1);
        let width = rh.size()[2];
        let rh_best = rh.gather(1, &best.unsqueeze(-1).expand([b, n, width], false), false);
        let rel = Tensor::einsum(
            "bnd,rde,bne->bnr",
            &[&rd, &self.rel_u, &rh_best],
            None::<i64>,
        )
        .argmax(-1, false);
        SyntaxOutput {
            arc,
            rel,
            upos: x.apply(&self.upos).argmax(-1, false),
            lemma: self.lemma.forward(&x).argmax(-1, false),
        }
    }
}
