//! Loading a rust-bert model directory (`config.json`, `vocab.txt`, `rust_model.ot`) and running
//! it in batches on CPU or CUDA.
use super::{owner, windows, NerTokenizer, Tagged, Tokenized, Window};
use crate::error::{Error, Result};
use crate::syntax::{net::SyntaxNet, RawParse, SyntaxTables};
use rust_bert::bert::{BertConfig, BertForTokenClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use rust_tokenizers::tokenizer::{BertTokenizer, Tokenizer};
use rust_tokenizers::vocab::Vocab;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use tch::{nn, Device, Kind, Tensor};

/// Architectures newsgraph can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    DistilBert,
    Bert,
}

enum Net {
    DistilBert(DistilBertForTokenClassification),
    Bert(BertForTokenClassification),
}

/// What computes the logits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// libtorch through rust-bert (`rust_model.ot`): CPU or CUDA; the reference.
    Torch,
    /// onnxruntime on `model.onnx` (fp32), CPU.
    Onnx,
    /// onnxruntime on `model-int8.onnx` (int8 MatMul weights), CPU.
    OnnxInt8,
}

impl Backend {
    /// `--backend torch|onnx|onnx-int8|auto`; auto is onnx-int8 on CPU when the model
    /// directory has it (the fastest that keeps F1, see BENCHMARKS.md), else torch.
    pub fn choose(flag: &str, dir: &Path, device: Device) -> Result<Backend> {
        Backend::choose_why(flag, dir, device).map(|(b, _)| b)
    }

    /// [`choose`](Self::choose) with the reason, in words: what was asked for, or why auto
    /// took what it took. A fall-back to torch for want of the ONNX files says so and names
    /// the command that makes them (torch runs several times slower on a CPU).
    pub fn choose_why(flag: &str, dir: &Path, device: Device) -> Result<(Backend, String)> {
        let asked = |b: Backend| Ok((b, format!("{} (--backend {flag})", b.as_str())));
        match flag {
            "torch" => asked(Backend::Torch),
            "onnx" => asked(Backend::Onnx),
            "onnx-int8" => asked(Backend::OnnxInt8),
            "auto" if device != Device::Cpu => Ok((
                Backend::Torch,
                format!("torch (auto: the ONNX backends run on the CPU, and the device is {device:?})"),
            )),
            "auto" if dir.join(Backend::OnnxInt8.file()).is_file() => Ok((
                Backend::OnnxInt8,
                "onnx-int8 (auto: the fastest backend that keeps F1, and the model has it)".into(),
            )),
            "auto" => Ok((
                Backend::Torch,
                format!(
                    "torch (auto: {} has no {}, so the run falls back to torch, several times slower on a CPU; `bash scripts/setup` makes the ONNX files)",
                    dir.display(),
                    Backend::OnnxInt8.file()
                ),
            )),
            other => Err(Error::Config(format!(
                "--backend {other}: expected auto, torch, onnx or onnx-int8"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Torch => "torch",
            Backend::Onnx => "onnx",
            Backend::OnnxInt8 => "onnx-int8",
        }
    }

    /// The weights file the backend reads in a model directory.
    pub fn file(self) -> &'static str {
        match self {
            Backend::Torch => "rust_model.ot",
            Backend::Onnx => "model.onnx",
            Backend::OnnxInt8 => "model-int8.onnx",
        }
    }
}

enum Engine {
    Torch {
        net: Box<Net>,
        syntax: Option<Box<SyntaxNet>>,
        _vs: nn::VarStore,
    },
    Onnx(std::sync::Mutex<ort::session::Session>),
}

/// The onnxruntime shared library: `ORT_DYLIB_PATH`, else `lib/` beside the binary (a bundle),
/// else the onnxruntime package of the project's `.venv`.
pub fn onnxruntime_library() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH") {
        return Ok(PathBuf::from(p));
    }
    let mut dirs = Vec::new();
    if let Some(d) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        dirs.push(d.join("lib"));
    }
    let venv = crate::config::shipped(".venv/lib");
    if let Ok(rd) = std::fs::read_dir(&venv) {
        let mut pys: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        pys.sort();
        dirs.extend(
            pys.into_iter()
                .map(|p| p.join("site-packages/onnxruntime/capi")),
        );
    }
    for d in &dirs {
        if let Ok(rd) = std::fs::read_dir(d) {
            let mut libs: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("libonnxruntime.so"))
                })
                .collect();
            libs.sort();
            if let Some(l) = libs.pop() {
                return Ok(l);
            }
        }
    }
    Err(Error::Config(format!(
        "the onnx backend needs the onnxruntime library: set ORT_DYLIB_PATH, or run scripts/setup (it installs onnxruntime into .venv); looked in {}",
        dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
    )))
}

/// Load onnxruntime once per process and open a session on `file` with `threads` threads.
fn onnx_session(file: &Path, threads: usize) -> Result<ort::session::Session> {
    static INIT: std::sync::OnceLock<std::result::Result<(), String>> = std::sync::OnceLock::new();
    INIT.get_or_init(|| {
        let lib = onnxruntime_library().map_err(|e| e.to_string())?;
        ort::init_from(lib.display().to_string())
            .commit()
            .map(|_| ())
            .map_err(|e| format!("cannot load onnxruntime from {}: {e}", lib.display()))
    })
    .clone()
    .map_err(Error::Config)?;
    ort::session::Session::builder()
        .and_then(|b| b.with_intra_threads(threads.max(1)))
        .and_then(|b| b.with_inter_threads(1))
        .and_then(|b| b.commit_from_file(file))
        .map_err(|e| Error::model(file, format!("onnxruntime cannot open it: {e}")))
}

/// A token-classification model and its tokenizer. Holds libtorch tensors, so it stays on the
/// thread that created it.
pub struct NerModel {
    pub tokenizer: NerTokenizer,
    engine: Engine,
    pub backend: Backend,
    pub labels: Vec<String>,
    pub device: Device,
    /// A short name for provenance: the directory name.
    pub name: String,
    pub dir: PathBuf,
    pub kind: ModelKind,
    cls: i64,
    sep: i64,
    pad: i64,
    /// Trained on windows of consecutive sentences (config.json `newsgraph.context`): a text's
    /// sentences are then tagged as one stream ([`NerModel::predict_sentences`]).
    pub context: bool,
    /// Maximum wordpieces per window (without [CLS]/[SEP]).
    pub window: usize,
    pub overlap: usize,
    pub batch_size: usize,
    /// Give a document's confident names' types to their unsure repetitions
    /// ([`consistency`](super::consistency)); on unless switched off (`--no-consistency`).
    pub consistency: bool,
    /// The syntax head's tables, when the model has one (`syntax.json`): then an input with
    /// parser words ([`Tokenized::heads`]) is parsed in the same pass.
    pub syntax: Option<SyntaxTables>,
}

/// What a batch gives: every label's probability for each piece, and the syntax head's
/// output when it ran (arc scores `[rows, len, len]`, and per piece the label, UPOS and
/// lemma-script indices).
struct BatchOut {
    probs: Vec<f32>,
    syntax: Option<SyntaxBatch>,
}

/// The syntax head's output for a batch: arc scores `[rows, len, len]`, then per piece the
/// label, UPOS and lemma-script indices.
type SyntaxBatch = (Vec<f32>, Vec<i64>, Vec<i64>, Vec<i64>);

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let s = std::fs::read_to_string(path)
        .map_err(|e| Error::model(path, format!("cannot read: {e}")))?;
    serde_json::from_str(&s).map_err(|e| Error::model(path, format!("invalid JSON: {e}")))
}

impl NerModel {
    /// Load the model directory `dir` onto `device`, on the torch backend.
    pub fn load(dir: &Path, device: Device) -> Result<NerModel> {
        NerModel::load_with(dir, device, Backend::Torch)
    }

    /// The model's name with its backend where that is not torch: the provenance of mentions.
    pub fn label(&self) -> String {
        match self.backend {
            Backend::Torch => self.name.clone(),
            b => format!("{} ({})", self.name, b.as_str()),
        }
    }

    /// Whether a window's reading is the same bit for bit whatever the other windows of its
    /// batch (of one length): true for the ONNX graphs (`tests/parity.rs` checks it), whose
    /// kernels compute each row on its own, and false for libtorch, whose matrix products
    /// round differently with the number of rows. `run` batches the sentences of many
    /// documents together only where this holds, so its output never depends on how the
    /// corpus was cut into chunks.
    pub fn rows_independent(&self) -> bool {
        matches!(self.engine, Engine::Onnx(_))
    }

    /// Load the model directory `dir` for `backend` (the ONNX backends run on the CPU).
    pub fn load_with(dir: &Path, device: Device, backend: Backend) -> Result<NerModel> {
        let fetched;
        let dir = if super::hub::is_hub_id(dir) {
            fetched = super::hub::fetch(&dir.to_string_lossy())?;
            fetched.as_path()
        } else {
            dir
        };
        if !dir.is_dir() {
            return Err(Error::model(dir, "model directory not found"));
        }
        let config_path = dir.join("config.json");
        let vocab_path = dir.join("vocab.txt");
        let weights = dir.join(backend.file());
        if backend != Backend::Torch && device != Device::Cpu {
            return Err(Error::Config(format!(
                "--backend {} runs on the CPU; use --backend torch for --device cuda",
                backend.as_str()
            )));
        }
        for p in [&config_path, &vocab_path, &weights] {
            if !p.is_file() {
                return Err(Error::model(
                    dir,
                    format!(
                        "missing {} (a rust-bert model directory holds config.json, vocab.txt and rust_model.ot; scripts/setup makes model.onnx and model-int8.onnx from it)",
                        p.file_name().map(|f| f.to_string_lossy()).unwrap_or_default()
                    ),
                ));
            }
        }
        let cfg = read_json(&config_path)?;
        let model_type = cfg.get("model_type").and_then(|v| v.as_str()).unwrap_or("");
        let kind = match model_type {
            "distilbert" => ModelKind::DistilBert,
            "bert" => ModelKind::Bert,
            other => {
                return Err(Error::model(
                    &config_path,
                    format!("model_type `{other}` is not supported (distilbert or bert)"),
                ))
            }
        };
        let id2label: HashMap<String, String> = cfg
            .get("id2label")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .ok_or_else(|| Error::model(&config_path, "config has no id2label map"))?;
        let mut labels = vec![String::new(); id2label.len()];
        for (k, v) in &id2label {
            let i: usize = k
                .parse()
                .ok()
                .filter(|&i| i < labels.len())
                .ok_or_else(|| Error::model(&config_path, format!("bad id2label key `{k}`")))?;
            labels[i] = v.clone();
        }
        // Labels are IOB/BIOES tags over entity types newsgraph knows; a map with none of
        // them would tag nothing, silently.
        let known = labels.iter().any(|l| {
            let t = l.split_once('-').map_or(l.as_str(), |(_, t)| t);
            crate::doc::EntityType::from_tag(t).is_some()
        });
        if !known {
            return Err(Error::model(
                &config_path,
                format!(
                    "id2label ({}) names none of the entity types PER, LOC, ORG, MISC (or PERSON, GPE, ORGANIZATION): not a supported NER model",
                    labels.join(", ")
                ),
            ));
        }
        let lower = cfg
            .get("do_lower_case")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let inner = BertTokenizer::from_file(&vocab_path, lower, lower)
            .map_err(|e| Error::model(&vocab_path, format!("cannot read vocabulary: {e}")))?;
        let token = |t: &str| inner.vocab().token_to_id(t);
        let (cls, sep, pad) = (token("[CLS]"), token("[SEP]"), token("[PAD]"));
        let context = cfg
            .pointer("/newsgraph/context")
            .and_then(|v| v.as_u64())
            .is_some_and(|n| n > 0);
        // Capitals are lower-cased for a cased model unless its config says otherwise.
        let fold_caps = !lower
            && cfg
                .pointer("/newsgraph/fold_caps")
                .and_then(|v| v.as_bool())
                .unwrap_or(true);
        let max_pos = cfg
            .get("max_position_embeddings")
            .and_then(|v| v.as_i64())
            .unwrap_or(512) as usize;

        let mut syntax = SyntaxTables::of_model(dir)?;
        let engine = if backend == Backend::Torch {
            let mut vs = nn::VarStore::new(device);
            let mut syntax_net = None;
            let net = match kind {
                ModelKind::DistilBert => {
                    let mut c: DistilBertConfig =
                        serde_json::from_value(cfg.clone()).map_err(|e| {
                            Error::model(&config_path, format!("not a DistilBERT config: {e}"))
                        })?;
                    if let Some(t) = &syntax {
                        // The head reads every layer's output.
                        c.output_hidden_states = Some(true);
                        syntax_net = Some(SyntaxNet::new(
                            vs.root() / "syntax",
                            t,
                            c.dim,
                            c.hidden_dim,
                            c.n_heads,
                        ));
                    }
                    Net::DistilBert(
                        DistilBertForTokenClassification::new(vs.root(), &c)
                            .map_err(|e| Error::model(&config_path, e.to_string()))?,
                    )
                }
                ModelKind::Bert => {
                    let c: BertConfig = serde_json::from_value(cfg.clone()).map_err(|e| {
                        Error::model(&config_path, format!("not a BERT config: {e}"))
                    })?;
                    Net::Bert(
                        BertForTokenClassification::new(vs.root(), &c)
                            .map_err(|e| Error::model(&config_path, e.to_string()))?,
                    )
                }
            };
            vs.load(&weights)
                .map_err(|e| Error::model(&weights, format!("cannot load weights: {e}")))?;
            // Weights may be stored in fp16; compute in fp32.
            vs.float();
            if syntax_net.is_none() {
                syntax = None;
            }
            Engine::Torch {
                net: Box::new(net),
                syntax: syntax_net.map(Box::new),
                _vs: vs,
            }
        } else {
            let threads = usize::try_from(tch::get_num_threads()).unwrap_or(1);
            let session = onnx_session(&weights, threads)?;
            if syntax.is_some() && !session.inputs.iter().any(|i| i.name == "heads_mask") {
                eprintln!(
                    "newsgraph: {} has a syntax head but {} was made without it: sentences are not parsed; run scripts/setup to export it again",
                    dir.display(),
                    weights.display()
                );
                syntax = None;
            }
            Engine::Onnx(std::sync::Mutex::new(session))
        };
        let name = dir
            .canonicalize()
            .unwrap_or_else(|_| dir.to_path_buf())
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        Ok(NerModel {
            tokenizer: NerTokenizer {
                inner,
                max_pieces_per_word: 24,
                fold_caps,
            },
            engine,
            backend,
            labels,
            device,
            name,
            dir: dir.to_path_buf(),
            kind,
            cls,
            sep,
            pad,
            context,
            window: (max_pos - 2).min(254),
            overlap: 64,
            batch_size: 32,
            consistency: true,
            syntax,
        })
    }

    /// Label every piece of the consecutive sentences of one text. A model trained with context
    /// reads them as one stream of pieces cut into overlapping windows, so each sentence is
    /// tagged with its neighbours around it, as in training; other models read one sentence
    /// at a time ([`predict`](Self::predict)).
    pub fn predict_sentences(
        &self,
        sentences: &[Tokenized],
        progress: impl FnMut(usize),
    ) -> Result<Vec<Tagged>> {
        self.predict_texts(
            sentences,
            std::slice::from_ref(&(0..sentences.len())),
            progress,
        )
    }

    /// Label every piece of the sentences of several texts at once: `texts` cuts `sentences`
    /// into runs of consecutive sentences of one text each. Their windows share batches (of
    /// one length, see [`predict`](Self::predict)), so many short documents fill batches as
    /// well as one long one.
    pub fn predict_texts(
        &self,
        sentences: &[Tokenized],
        texts: &[Range<usize>],
        progress: impl FnMut(usize),
    ) -> Result<Vec<Tagged>> {
        if !self.context {
            return self.predict(sentences, progress);
        }
        let streams: Vec<Tokenized> = texts
            .iter()
            .map(|r| match &sentences[r.clone()] {
                // A text of one sentence is read as it is (with its words, so it is parsed).
                [one] => one.clone(),
                many => Tokenized {
                    ids: many.iter().flat_map(|t| t.ids.iter().copied()).collect(),
                    ..Default::default()
                },
            })
            .collect();
        let tags = self.predict(&streams, progress)?;
        let mut out = Vec::with_capacity(sentences.len());
        for (r, tags) in texts.iter().zip(tags) {
            let mut at = 0;
            for t in &sentences[r.clone()] {
                let end = (at + t.ids.len()).min(tags.len());
                out.push(tags.slice(at..end));
                at = end;
            }
        }
        Ok(out)
    }

    /// Label every piece of every input, each read on its own. Inputs are windowed, sorted by
    /// length and batched; a batch holds windows of one length only, so no row is padded, and
    /// with the ONNX graphs a row's output is bit for bit what it would be alone (the int8
    /// graph quantises each row's activations on their own: `scripts/export_onnx.py`; see
    /// [`rows_independent`](Self::rows_independent)).
    pub fn predict(
        &self,
        inputs: &[Tokenized],
        mut progress: impl FnMut(usize),
    ) -> Result<Vec<Tagged>> {
        let mut all: Vec<Window> = Vec::new();
        let mut per_input: Vec<Vec<usize>> = vec![Vec::new(); inputs.len()];
        for (i, t) in inputs.iter().enumerate() {
            for w in windows(i, t.ids.len(), self.window, self.overlap) {
                per_input[i].push(all.len());
                all.push(w);
            }
        }
        let mut order: Vec<usize> = (0..all.len())
            .filter(|&w| all[w].end > all[w].start)
            .collect();
        order.sort_by_key(|&w| (all[w].end - all[w].start, w));
        let mut results: Vec<Tagged> = vec![Tagged::default(); all.len()];
        // Budget: batch_size windows of up to 128 pieces, fewer when longer.
        let budget = self.batch_size * 128;
        let mut k = 0;
        while k < order.len() {
            let longest = |j: usize| all[order[j]].end - all[order[j]].start;
            let mut n = 1;
            while k + n < order.len()
                && n < self.batch_size
                && longest(k + n) == longest(k)
                && (n + 1) * (longest(k + n) + 2) <= budget
            {
                n += 1;
            }
            let batch: Vec<usize> = order[k..k + n].to_vec();
            let tags = self.run_batch(inputs, &all, &batch)?;
            for (w, t) in batch.into_iter().zip(tags) {
                results[w] = t;
            }
            k += n;
            progress(n);
        }
        // Each piece from the window where it sits farthest from an edge.
        Ok(inputs
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let ws: Vec<Window> = per_input[i].iter().map(|&w| all[w].clone()).collect();
                let n = self.labels.len();
                let mut out = Tagged {
                    pieces: Vec::with_capacity(t.ids.len()),
                    probs: Vec::with_capacity(t.ids.len() * n),
                    labels: n,
                    // A parse needs the whole input in one window.
                    syntax: match per_input[i].as_slice() {
                        [w] => results[*w].syntax.take(),
                        _ => None,
                    },
                };
                for p in 0..t.ids.len() {
                    let o = owner(&ws, p);
                    let r = &results[per_input[i][o]];
                    let q = p - ws[o].start;
                    out.pieces.push(r[q]);
                    out.probs.extend_from_slice(r.dist(q).unwrap_or(&[]));
                }
                if out.probs.len() != out.pieces.len() * n {
                    out.probs.clear();
                    out.labels = 0;
                }
                out
            })
            .collect())
    }

    /// The probability of every label for each piece of a batch (row after row, piece after
    /// piece), and the syntax head's output when `heads` is given, on libtorch.
    fn torch_batch(
        &self,
        net: &Net,
        syntax: Option<&SyntaxNet>,
        input: BatchIn,
    ) -> Result<BatchOut> {
        let shape = [input.rows as i64, input.len as i64];
        let ids_t = Tensor::from_slice(&input.ids)
            .view(shape)
            .to_device(self.device);
        let mask_t = Tensor::from_slice(&input.mask)
            .view(shape)
            .to_device(self.device);
        let (logits, hidden) = tch::no_grad(|| -> Result<(Tensor, Option<Vec<Tensor>>)> {
            Ok(match net {
                Net::DistilBert(m) => {
                    let o = m
                        .forward_t(Some(&ids_t), Some(&mask_t), None, false)
                        .map_err(|e| Error::Inference(e.to_string()))?;
                    (o.logits, o.all_hidden_states)
                }
                Net::Bert(m) => (
                    m.forward_t(Some(&ids_t), Some(&mask_t), None, None, None, false)
                        .logits,
                    None,
                ),
            })
        })?;
        let err = |e: tch::TchError| Error::Inference(e.to_string());
        let probs = logits.softmax(-1, Kind::Float);
        let probs =
            Vec::<f32>::try_from(probs.to_device(Device::Cpu).flatten(0, -1)).map_err(err)?;
        let syntax = match (syntax, hidden, input.heads) {
            (Some(head), Some(layers), Some(heads)) => {
                let heads_t = Tensor::from_slice(&heads)
                    .view(shape)
                    .to_device(self.device);
                let o = tch::no_grad(|| head.forward(&layers, &mask_t, &heads_t));
                let vec_i =
                    |t: Tensor| Vec::<i64>::try_from(t.to_device(Device::Cpu).flatten(0, -1));
                Some((
                    Vec::<f32>::try_from(o.arc.to_device(Device::Cpu).flatten(0, -1))
                        .map_err(err)?,
                    vec_i(o.rel).map_err(err)?,
                    vec_i(o.upos).map_err(err)?,
                    vec_i(o.lemma).map_err(err)?,
                ))
            }
            _ => None,
        };
        Ok(BatchOut { probs, syntax })
    }

    fn run_batch(
        &self,
        inputs: &[Tokenized],
        all: &[Window],
        batch: &[usize],
    ) -> Result<Vec<Tagged>> {
        let len = batch
            .iter()
            .map(|&w| all[w].end - all[w].start)
            .max()
            .unwrap_or(0)
            + 2;
        let rows = batch.len();
        let mut ids = vec![self.pad; rows * len];
        let mut mask = vec![0i64; rows * len];
        // Pieces that may head a word: the [CLS] root and each parser word's piece, for inputs
        // read whole in this window.
        // The torch engine skips the head for a batch with nothing to parse (`ner`, `eval-ner`);
        // an ONNX graph with the head always takes the mask as an input.
        let wanted = batch
            .iter()
            .any(|&w| !inputs[all[w].input].heads.is_empty())
            || matches!(self.engine, Engine::Onnx(_));
        let mut heads = self
            .syntax
            .as_ref()
            .filter(|_| wanted)
            .map(|_| vec![0i64; rows * len]);
        for (r, &w) in batch.iter().enumerate() {
            let win = &all[w];
            let input = &inputs[win.input];
            let row = &mut ids[r * len..(r + 1) * len];
            row[0] = self.cls;
            row[1..1 + win.end - win.start].copy_from_slice(&input.ids[win.start..win.end]);
            row[1 + win.end - win.start] = self.sep;
            mask[r * len..r * len + win.end - win.start + 2].fill(1);
            if let Some(h) = heads.as_mut() {
                h[r * len] = 1;
                if win.start == 0 && win.end == input.ids.len() {
                    for &p in &input.heads {
                        h[r * len + 1 + p] = 1;
                    }
                }
            }
        }
        let input = BatchIn {
            ids,
            mask,
            heads,
            rows,
            len,
        };
        let out = match &self.engine {
            Engine::Torch { net, syntax, .. } => self.torch_batch(net, syntax.as_deref(), input)?,
            Engine::Onnx(session) => onnx_batch(session, input)?,
        };
        let k = self.labels.len();
        if out.probs.len() != rows * len * k {
            return Err(Error::Inference(format!(
                "the model gave {} scores for {} pieces of {k} labels",
                out.probs.len(),
                rows * len
            )));
        }
        Ok(batch
            .iter()
            .enumerate()
            .map(|(r, &w)| {
                let win = &all[w];
                let n = win.end - win.start;
                let row = &out.probs[(r * len + 1) * k..(r * len + 1 + n) * k];
                let mut t = Tagged::from_probs(row.to_vec(), k);
                let input = &inputs[win.input];
                if let Some(s) = &out.syntax {
                    if win.start == 0 && win.end == input.ids.len() && !input.heads.is_empty() {
                        t.syntax = raw_parse(s, r, len, &input.heads).map(Box::new);
                    }
                }
                t
            })
            .collect())
    }
}

/// One batch's model inputs, row after row.
struct BatchIn {
    ids: Vec<i64>,
    mask: Vec<i64>,
    heads: Option<Vec<i64>>,
    rows: usize,
    len: usize,
}

/// Row `r`'s parse out of a batch's syntax output: arc scores between the root and the words'
/// pieces (`heads`, indices without [CLS]), as log-probabilities per dependent, and each
/// word's label, UPOS and lemma indices.
fn raw_parse(
    (arc, rel, upos, lemma): &SyntaxBatch,
    r: usize,
    len: usize,
    heads: &[usize],
) -> Option<RawParse> {
    let pos: Vec<usize> = std::iter::once(0)
        .chain(heads.iter().map(|p| p + 1))
        .collect();
    let m = pos.len();
    let mut out = RawParse {
        arc: vec![f32::NEG_INFINITY; m * m],
        ..Default::default()
    };
    for d in 1..m {
        let row = arc.get((r * len + pos[d]) * len..(r * len + pos[d] + 1) * len)?;
        let scores: Vec<f32> = pos.iter().map(|&h| row[h]).collect();
        let top = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = scores.iter().map(|&v| (v - top).exp()).sum();
        for (h, &v) in scores.iter().enumerate() {
            if h != d {
                out.arc[d * m + h] = v - top - sum.ln();
            }
        }
        let at = r * len + pos[d];
        let idx = |v: &Vec<i64>| v.get(at).copied().unwrap_or(0).max(0);
        out.rel.push(idx(rel) as u16);
        out.upos.push(idx(upos) as u16);
        out.lemma.push(idx(lemma) as u32);
    }
    Some(out)
}

/// Write a small randomly initialised DistilBERT token classifier to `dir`, in the same on-disk
/// format as a trained model (config.json, vocab.txt, rust_model.ot). For tests and benchmarks
/// that must not depend on trained weights; its predictions are random.
pub fn write_random_model(dir: &Path, extra_vocab: &[&str], seed: i64) -> Result<()> {
    write_random_model_with(dir, extra_vocab, seed, 0.0)
}

/// [`write_random_model`] with `o_bias` added to the classifier's bias for `O`: a large bias
/// gives a model that finds (almost) nothing, for tests of volume rather than of entities.
pub fn write_random_model_with(
    dir: &Path,
    extra_vocab: &[&str],
    seed: i64,
    o_bias: f64,
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut vocab: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut seen: std::collections::HashSet<String> = vocab.iter().cloned().collect();
    let mut add = |t: String, vocab: &mut Vec<String>| {
        if seen.insert(t.clone()) {
            vocab.push(t);
        }
    };
    for c in (33u8..127).map(char::from) {
        add(c.to_string(), &mut vocab);
        if c.is_ascii_alphanumeric() {
            add(format!("##{c}"), &mut vocab);
        }
    }
    for w in extra_vocab {
        add(w.to_string(), &mut vocab);
    }
    let labels = [
        "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC",
    ];
    let config = serde_json::json!({
        "model_type": "distilbert", "activation": "gelu", "attention_dropout": 0.0, "dim": 32,
        "dropout": 0.0, "hidden_dim": 64, "initializer_range": 0.02, "max_position_embeddings": 128,
        "n_heads": 2, "n_layers": 2, "qa_dropout": 0.0, "seq_classif_dropout": 0.0,
        "sinusoidal_pos_embds": false, "tie_weights_": false, "vocab_size": vocab.len(),
        "do_lower_case": false,
        "id2label": labels.iter().enumerate().map(|(i, l)| (i.to_string(), serde_json::json!(l))).collect::<serde_json::Map<_, _>>(),
        "label2id": labels.iter().enumerate().map(|(i, l)| (l.to_string(), serde_json::json!(i))).collect::<serde_json::Map<_, _>>(),
    });
    let cfg_path = dir.join("config.json");
    std::fs::write(
        &cfg_path,
        serde_json::to_string_pretty(&config).unwrap_or_default(),
    )
    .map_err(|e| Error::io(&cfg_path, e))?;
    let vocab_path = dir.join("vocab.txt");
    std::fs::write(&vocab_path, vocab.join("\n") + "\n").map_err(|e| Error::io(&vocab_path, e))?;
    tch::manual_seed(seed);
    let vs = nn::VarStore::new(Device::Cpu);
    let c: DistilBertConfig =
        serde_json::from_value(config).map_err(|e| Error::model(dir, e.to_string()))?;
    let _net = DistilBertForTokenClassification::new(vs.root(), &c)
        .map_err(|e| Error::model(dir, e.to_string()))?;
    if o_bias != 0.0 {
        let vars = vs.variables();
        let bias = vars
            .get("classifier.bias")
            .ok_or_else(|| Error::model(dir, "no classifier.bias"))?;
        tch::no_grad(|| {
            let _ = bias.get(0).fill_(o_bias);
        });
    }
    let weights = dir.join("rust_model.ot");
    vs.save(&weights)
        .map_err(|e| Error::model(&weights, e.to_string()))?;
    Ok(())
}

/// The probability of every label (softmax over the logits, in f32) for each piece of a batch,
/// and the syntax head's output when the batch asks for it, on onnxruntime.
fn onnx_batch(
    session: &std::sync::Mutex<ort::session::Session>,
    input: BatchIn,
) -> Result<BatchOut> {
    let inf = |e: ort::Error| Error::Inference(format!("onnxruntime: {e}"));
    let shape = [input.rows, input.len];
    let ids = ort::value::Tensor::from_array((shape, input.ids)).map_err(inf)?;
    let mask = ort::value::Tensor::from_array((shape, input.mask)).map_err(inf)?;
    let mut session = session
        .lock()
        .map_err(|_| Error::Inference("onnxruntime session poisoned".into()))?;
    let parse = input.heads.is_some();
    let outputs = match input.heads {
        Some(h) => {
            let h = ort::value::Tensor::from_array((shape, h)).map_err(inf)?;
            session
                .run(ort::inputs!["input_ids" => ids, "attention_mask" => mask, "heads_mask" => h])
        }
        None => session.run(ort::inputs!["input_ids" => ids, "attention_mask" => mask]),
    }
    .map_err(inf)?;
    let (shape, logits) = outputs["logits"].try_extract_tensor::<f32>().map_err(inf)?;
    let labels = shape.last().copied().unwrap_or(0).max(1) as usize;
    let mut probs = Vec::with_capacity(logits.len());
    for row in logits.chunks(labels) {
        let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = row.iter().map(|&v| (v - top).exp()).sum();
        probs.extend(row.iter().map(|&v| (v - top).exp() / sum));
    }
    let syntax = if parse {
        let ints = |name: &str| -> Result<Vec<i64>> {
            Ok(outputs[name]
                .try_extract_tensor::<i64>()
                .map_err(inf)?
                .1
                .to_vec())
        };
        Some((
            outputs["arc"]
                .try_extract_tensor::<f32>()
                .map_err(inf)?
                .1
                .to_vec(),
            ints("rel")?,
            ints("upos")?,
            ints("lemma")?,
        ))
    } else {
        None
    };
    Ok(BatchOut { probs, syntax })
}
