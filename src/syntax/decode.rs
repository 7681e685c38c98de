//! The best dependency tree under arc scores: Chu-Liu-Edmonds maximum spanning arborescence,
//! with exactly one word attached to the root.

/// Heads of the best tree. `scores[d * m + h]` is the score of word `d` taking head `h`, for
/// `m = n + 1` nodes where node 0 is the root; row 0 is ignored. Returns `heads` with
/// `heads[0] = 0` and, for each word `d` in `1..m`, its head; exactly one word has head 0.
/// Scores should be log-probabilities (a tree's score is their sum).
pub fn tree(scores: &[f32], m: usize) -> Vec<usize> {
    if m <= 1 {
        return vec![0; m];
    }
    let s = |d: usize, h: usize| scores.get(d * m + h).copied().unwrap_or(f32::NEG_INFINITY);
    let full: Vec<Vec<f64>> = (0..m)
        .map(|d| {
            (0..m)
                .map(|h| {
                    if d == 0 || h == d {
                        f64::NEG_INFINITY
                    } else {
                        f64::from(s(d, h))
                    }
                })
                .collect()
        })
        .collect();
    let heads = msa(&full);
    let roots: Vec<usize> = (1..m).filter(|&d| heads[d] == 0).collect();
    if roots.len() <= 1 {
        return heads;
    }
    // More than one word on the root: try each of them as the only one, keep the best tree.
    let mut best: Option<(f64, Vec<usize>)> = None;
    for &r in &roots {
        let mut g = full.clone();
        for (d, row) in g.iter_mut().enumerate().skip(1) {
            if d != r {
                row[0] = f64::NEG_INFINITY;
            }
        }
        let hs = msa(&g);
        let total: f64 = (1..m).map(|d| full[d][hs[d]]).sum();
        if best.as_ref().is_none_or(|(b, _)| total > *b) {
            best = Some((total, hs));
        }
    }
    best.map(|(_, h)| h).unwrap_or(heads)
}

/// Maximum spanning arborescence rooted at node 0 of the dense graph `g[d][h]` (score of the
/// arc h -> d), by Chu-Liu-Edmonds with cycle contraction. Iterative: contractions are kept
/// on a stack and expanded in reverse, so no input can deepen the call stack.
fn msa(g: &[Vec<f64>]) -> Vec<usize> {
    struct Level {
        /// Scores of this level's graph.
        g: Vec<Vec<f64>>,
        /// Nodes of the cycle contracted at this level (indices of this level).
        cycle: Vec<usize>,
        /// Greedy heads of this level (for the cycle's own arcs).
        greedy: Vec<usize>,
        /// For each next-level dependent d and head h: which of this level's arcs gave it.
        origin: Vec<Vec<(usize, usize)>>,
    }
    let mut levels: Vec<Level> = Vec::new();
    let mut cur = g.to_vec();
    let heads = loop {
        let n = cur.len();
        let greedy: Vec<usize> = (0..n)
            .map(|d| {
                if d == 0 {
                    return 0;
                }
                let mut best = 0;
                let mut bv = f64::NEG_INFINITY;
                for (h, &v) in cur[d].iter().enumerate() {
                    if h != d && v > bv {
                        bv = v;
                        best = h;
                    }
                }
                best
            })
            .collect();
        let Some(cycle) = find_cycle(&greedy) else {
            break greedy;
        };
        // Contract the cycle into one node `c` (the last of the next level).
        let in_cycle: Vec<bool> = (0..n).map(|v| cycle.contains(&v)).collect();
        let mut map = vec![usize::MAX; n];
        let mut k = 0;
        for v in 0..n {
            if !in_cycle[v] {
                map[v] = k;
                k += 1;
            }
        }
        let c = k;
        for v in 0..n {
            if in_cycle[v] {
                map[v] = c;
            }
        }
        let nn = k + 1;
        let mut ng = vec![vec![f64::NEG_INFINITY; nn]; nn];
        let mut origin = vec![vec![(0usize, 0usize); nn]; nn];
        for d in 1..n {
            for h in 0..n {
                let v = cur[d][h];
                if v == f64::NEG_INFINITY || map[d] == map[h] {
                    continue;
                }
                let (nd, nh) = (map[d], map[h]);
                // An arc into the cycle breaks the cycle's arc into d.
                let w = if in_cycle[d] {
                    v - cur[d][greedy[d]]
                } else {
                    v
                };
                if w > ng[nd][nh] {
                    ng[nd][nh] = w;
                    origin[nd][nh] = (d, h);
                }
            }
        }
        levels.push(Level {
            g: std::mem::take(&mut cur),
            cycle,
            greedy,
            origin,
        });
        cur = ng;
    };
    // Expand the contractions, innermost first.
    let mut heads = heads;
    while let Some(level) = levels.pop() {
        let n = level.g.len();
        let mut out = vec![0usize; n];
        // Arcs of the contracted graph, mapped back to this level.
        let mut entered = None;
        for (nd, &nh) in heads.iter().enumerate().skip(1) {
            let (d, h) = level.origin[nd][nh];
            out[d] = h;
            if level.cycle.contains(&d) {
                entered = Some(d);
            }
        }
        for &v in &level.cycle {
            if Some(v) != entered {
                out[v] = level.greedy[v];
            }
        }
        heads = out;
    }
    heads
}

/// A cycle of the head graph (nodes in it), or `None` when the heads form a tree.
fn find_cycle(heads: &[usize]) -> Option<Vec<usize>> {
    let n = heads.len();
    // 0: unvisited, 1: on the current path, 2: done.
    let mut state = vec![0u8; n];
    state[0] = 2;
    for start in 1..n {
        let mut path = Vec::new();
        let mut v = start;
        while state[v] == 0 {
            state[v] = 1;
            path.push(v);
            v = heads[v];
        }
        if state[v] == 1 {
            let at = path.iter().position(|&p| p == v).unwrap_or(0);
            return Some(path[at..].to_vec());
        }
        for p in path {
            state[p] = 2;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(scores: &[f32], m: usize) -> f64 {
        // Every head assignment that is a single-rooted tree.
        let mut best = f64::NEG_INFINITY;
        let n = m - 1;
        let mut heads = vec![0usize; m];
        let total = m.pow(n as u32);
        for code in 0..total {
            let mut c = code;
            for h in heads.iter_mut().skip(1) {
                *h = c % m;
                c /= m;
            }
            if (1..m).any(|d| heads[d] == d) || (1..m).filter(|&d| heads[d] == 0).count() != 1 {
                continue;
            }
            if find_cycle(&heads).is_some() {
                continue;
            }
            let s: f64 = (1..m).map(|d| f64::from(scores[d * m + heads[d]])).sum();
            best = best.max(s);
        }
        best
    }

    #[test]
    fn tree_is_the_best_single_rooted_tree() {
        // Pseudo-random score matrices for 2 to 5 words, against exhaustive search.
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as f32) / (u32::MAX >> 1) as f32 * 10.0 - 5.0
        };
        for m in 3..=6 {
            for _ in 0..60 {
                let scores: Vec<f32> = (0..m * m).map(|_| next()).collect();
                let heads = tree(&scores, m);
                assert_eq!((1..m).filter(|&d| heads[d] == 0).count(), 1);
                assert!(find_cycle(&heads).is_none(), "{heads:?}");
                let got: f64 = (1..m).map(|d| f64::from(scores[d * m + heads[d]])).sum();
                assert!((got - brute(&scores, m)).abs() < 1e-4, "{heads:?}");
            }
        }
    }
}
