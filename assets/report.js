// newsgraph report.html: draws the index of stories and a page per story (timeline, a chart per
// claim group, the story's graph) from the JSON block `#data`. Navigation is by the URL's hash:
//   #                      the index of stories
//   #story=ID              a story's page
//   #view=chart&group=N    one group's chart alone, #view=graph&story=ID the graph alone,
//   #view=blank            nothing (the test's blank render to compare screenshots with);
//                          #view=chart&group=N&marks=0 the chart without its marks
//   #selftest              opens every story from the index by clicking its link and writes what
//                          it finds to <body data-selftest> (read by the browser test)
(function () {
  'use strict';
  // Script errors, for the self-test to report.
  const errors = [];
  window.addEventListener('error', e => errors.push(String(e.message)));
  window.addEventListener('unhandledrejection', e => errors.push(String(e.reason)));
  const D = JSON.parse(document.getElementById('data').textContent);
  const G = D.graph;
  const N = G.nodes;
  const app = document.getElementById('app');
  const SVG = 'http://www.w3.org/2000/svg';
  const VCOL = { conflict: '#c0392b', compatible: '#d68910', agree: '#1e8449', updated: '#2471a3', 'single source': '#7f8c8d' };
  const KCOL = { Story: '#34495e', Outlet: '#8e44ad', Document: '#7f8c8d', Person: '#2471a3', Location: '#1e8449', Organization: '#d35400', Misc: '#95a5a6', Claim: '#c0392b', ClaimGroup: '#d4ac0d', Quote: '#16a085', Role: '#a569bd' };
  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
  const docIndex = {};
  N.forEach((n, i) => { if (n.kind === 'Document') docIndex[n.props.doc_id || n.id.slice(4)] = i; });
  const storyIndex = {};
  G.stories.forEach((s, i) => { storyIndex[s.id] = i; });

  // ---- DOM helpers ----
  // An element with attributes (`text` sets its text, `on...` adds a listener) and children.
  function fill(e, attrs, kids) {
    for (const k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    kids.flat(Infinity).forEach(c => { if (c != null) e.append(c); });
    return e;
  }
  function h(tag, attrs, ...kids) { return fill(document.createElement(tag), attrs, kids); }
  function s(tag, attrs, ...kids) { return fill(document.createElementNS(SVG, tag), attrs, kids); }
  function fmt(v) {
    if (v == null || !isFinite(v)) return '';
    const a = Math.abs(v);
    const digits = a >= 100 ? 0 : a >= 1 ? 2 : 4;
    return v.toLocaleString('en-US', { maximumFractionDigits: digits });
  }
  function day(d) {
    // 'YYYY-MM-DD' (or longer) -> ms since the epoch, UTC; null when not a date.
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(d || '');
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : null;
  }
  function plural(n, w) { return n + ' ' + w + (n === 1 ? '' : 's'); }
  function vclass(v) { return 'v-' + v.replace(' ', '-'); }
  function docOf(docId) { const i = docIndex[docId]; return i == null ? null : N[i]; }
  function outletsOf(st) {
    return [...new Set(st.docs.map(i => N[i].props.outlet || ''))].filter(x => x).sort();
  }
  function storyHref(st) { return '#story=' + encodeURIComponent(st.id || '-'); }

  // Nice ticks for [lo, hi].
  function ticks(lo, hi, n) {
    const span = hi - lo;
    if (!(span > 0)) return [lo];
    const step0 = Math.pow(10, Math.floor(Math.log10(span / n)));
    const err = span / n / step0;
    const step = step0 * (err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1);
    const out = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    return out;
  }

  // ---- the index of stories ----
  function renderIndex() {
    const v = D.verdicts;
    const nGroups = D.groups.length;
    app.append(
      h('h1', { text: 'Numeric claims across outlets' }),
      h('p', { id: 'summary', text: D.claims_total + ' claims; ' + nGroups + ' groups compared within their stories: ' +
        ['conflict', 'updated', 'compatible', 'agree', 'single source'].map(k => (v[k] || 0) + ' ' + k).join(', ') + '.' }),
      h('p', { class: 'muted', text: 'Stories with conflicting or updated figures come first. Open a story for its timeline, a chart of each group of figures and its graph.' }));
    const filter = h('input', { type: 'search', class: 'filter', placeholder: 'Filter stories by name…', 'aria-label': 'Filter stories' });
    const body = h('tbody');
    G.stories.forEach(st => {
      const count = v => st.groups.filter(g => D.groups[g].verdict === v).length;
      const dates = st.docs.map(i => N[i].props.published).filter(x => x).sort();
      const span = dates.length ? (dates[0] === dates[dates.length - 1] ? dates[0] : dates[0] + ' to ' + dates[dates.length - 1]) : '';
      const tr = h('tr', { 'data-label': st.label.toLowerCase() },
        h('td', {}, h('a', { href: storyHref(st), class: 'story-link', text: st.label })),
        h('td', { text: span }),
        h('td', { class: 'n', text: st.docs.length }),
        h('td', { class: 'n', text: outletsOf(st).length }),
        h('td', { class: 'n', text: st.groups.length }),
        h('td', { class: 'n', text: count('conflict') || '' }),
        h('td', { class: 'n', text: count('updated') || '' }));
      body.append(tr);
    });
    filter.addEventListener('input', () => {
      const q = filter.value.trim().toLowerCase();
      for (const tr of body.children) tr.style.display = !q || tr.dataset.label.includes(q) ? '' : 'none';
    });
    app.append(filter, h('table', { id: 'stories' },
      h('thead', {}, h('tr', {}, ['story', 'published', 'documents', 'outlets', 'claim groups', 'conflicts', 'updated'].map(t => h('th', { text: t })))),
      body));
    if (G.stories_left_out) app.append(h('p', { class: 'muted', text: G.stories_left_out + ' more stories, with no figure compared, are listed in stories.csv.' }));
    app.append(h('h2', { text: 'Find a name' }), nameFinder());
    done();
  }

  // A person, place, organisation or other name, across stories: each match links to the
  // stories whose graph holds it, opened on the name and its neighbours.
  const NAMED = new Set(['Person', 'Organization', 'Location', 'Misc']);
  let storiesOfNode = null;
  function nameFinder() {
    const input = h('input', { type: 'search', class: 'filter', id: 'name-search', placeholder: 'A person, place or organisation…', 'aria-label': 'Find a name across stories' });
    const list = h('ul', { id: 'name-results', class: 'docs' });
    input.addEventListener('input', () => {
      list.textContent = '';
      const q = input.value.trim().toLowerCase();
      if (q.length < 2) return;
      if (!storiesOfNode) {
        storiesOfNode = {};
        G.stories.forEach((st, si) => (st.graph ? st.graph.nodes : []).forEach(i => { (storiesOfNode[i] = storiesOfNode[i] || []).push(si); }));
      }
      const hits = [];
      for (let i = 0; i < N.length && hits.length < 25; i++) {
        if (NAMED.has(N[i].kind) && storiesOfNode[i] && N[i].label.toLowerCase().includes(q)) hits.push(i);
      }
      hits.forEach(i => list.append(h('li', {}, h('b', { text: N[i].label }), ' (' + N[i].kind + '): ',
        storiesOfNode[i].slice(0, 8).map((si, k) => [k ? ', ' : '', h('a', { class: 'name-link', href: storyHref(G.stories[si]) + '&focus=' + encodeURIComponent(N[i].id), text: G.stories[si].label })]),
        storiesOfNode[i].length > 8 ? ' and ' + (storiesOfNode[i].length - 8) + ' more' : '')));
      if (!hits.length) list.append(h('li', { class: 'muted', text: 'No name in the stories\' graphs contains “' + input.value.trim() + '”.' }));
    });
    return h('div', {}, input, list);
  }

  // ---- a story's page ----
  function renderStory(si, focus) {
    const st = G.stories[si];
    const outlets = outletsOf(st);
    const dates = st.docs.map(i => N[i].props.published).filter(x => x).sort();
    app.append(h('div', { class: 'nav' }, h('a', { href: '#', text: '← All stories' })),
      h('h1', { id: 'story-title', text: st.label }),
      h('p', { text: plural(st.docs.length, 'document') + ' from ' + plural(outlets.length, 'outlet') +
        (dates.length ? ', ' + (dates[0] === dates[dates.length - 1] ? dates[0] : dates[0] + ' to ' + dates[dates.length - 1]) : '') +
        '. ' + plural(st.groups.length, 'claim group') + '.' }),
      h('p', { class: 'muted', text: 'Outlets: ' + outlets.join(', ') }));
    if (st.docs.length) {
      app.append(h('h2', { text: 'Timeline' }));
      const detail = h('div', { class: 'detail' });
      app.append(timeline(st, detail), detail);
      app.append(h('details', {}, h('summary', { text: 'The documents (' + st.docs.length + ')' }),
        h('ul', { class: 'docs' }, st.docs.map(i => {
          const p = N[i].props;
          const title = p.title || N[i].label;
          return h('li', {}, (p.published || 'undated') + ', ' + (p.outlet || '') + ': ',
            p.url ? h('a', { href: p.url, text: title }) : title, h('span', { class: 'muted', text: ' (' + p.doc_id + ')' }));
        }))));
    }
    app.append(h('h2', { text: 'Figures (' + st.groups.length + ' groups)' }));
    if (!st.groups.length) app.append(h('p', { class: 'muted', text: 'No figure of this story is stated by more than one document.' }));
    else app.append(h('p', { class: 'legend' },
      h('span', { text: '● a figure' }), h('span', { text: '▬ an interval' }), h('span', { text: '●→ at least (←● at most)' }),
      h('span', { text: '○ hollow: a copy of another outlet\'s sentence' }), h('span', { text: 'dashed: approximate' }),
      h('span', {}, 'colour: the verdict (', ...Object.keys(VCOL).map(v => h('span', { class: 'verdict ' + vclass(v), text: v })), ')')));
    st.groups.forEach(g => app.append(groupBox(g)));
    app.append(h('h2', { text: 'Graph', id: 'graph-heading' }));
    const draw = graphView(st);
    done(draw && (() => {
      draw();
      if (focus != null && focusOn(focus)) document.getElementById('graph-heading').scrollIntoView();
    }));
  }

  function timeline(st, detail) {
    const W = 860, L = 170, R = 50, rowH = 24;
    const outlets = outletsOf(st);
    const rows = outlets.length ? outlets : [''];
    const docs = st.docs.map(i => ({ i, n: N[i], t: day(N[i].props.published) }));
    const ts = docs.map(d => d.t).filter(t => t != null);
    let lo = Math.min(...ts), hi = Math.max(...ts);
    if (!ts.length) { lo = 0; hi = 1; }
    if (hi - lo < 864e5) { lo -= 864e5 / 2; hi += 864e5 / 2; }
    const undated = docs.some(d => d.t == null);
    const x1 = W - R - (undated ? 70 : 0);
    const x = t => t == null ? W - R - 30 : L + (t - lo) / (hi - lo) * (x1 - L);
    const H = rows.length * rowH + 34;
    const svg = s('svg', { class: 'timeline', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H });
    rows.forEach((o, r) => {
      const y = 12 + r * rowH + rowH / 2;
      svg.append(s('line', { class: 'grid', x1: L, x2: x1, y1: y, y2: y }), s('text', { x: L - 8, y: y + 4, 'text-anchor': 'end', text: o }));
    });
    const axisY = 12 + rows.length * rowH + 4;
    const days = Math.round((hi - lo) / 864e5);
    const every = Math.max(1, Math.ceil(days / 8));
    for (let t = Math.ceil(lo / 864e5) * 864e5, k = 0; t <= hi; t += 864e5, k++) {
      if (k % every) continue;
      svg.append(s('line', { class: 'grid', x1: x(t), x2: x(t), y1: 8, y2: axisY }),
        s('text', { x: x(t), y: axisY + 13, 'text-anchor': 'middle', text: new Date(t).toISOString().slice(0, 10) }));
    }
    if (undated) svg.append(s('text', { x: W - R - 30, y: axisY + 13, 'text-anchor': 'middle', text: 'undated' }));
    // Documents of one outlet and day are spread along the row.
    const seen = {};
    docs.forEach(d => {
      const r = Math.max(0, rows.indexOf(d.n.props.outlet || ''));
      const key = r + '/' + d.t;
      const k = seen[key] = (seen[key] || 0) + 1;
      const cx = x(d.t) + (k - 1) * 9;
      const cy = 12 + r * rowH + rowH / 2;
      const title = (d.n.props.title || d.n.label) + ' (' + (d.n.props.outlet || '') + ', ' + (d.n.props.published || 'undated') + ')';
      svg.append(s('circle', { class: 'mark doc', cx, cy, r: 6, fill: KCOL.Document, 'data-doc': d.n.id,
        onclick: () => { detail.textContent = title + '\n' + (d.n.props.url || d.n.props.path || '') + '\n' + d.n.props.doc_id; } },
        s('title', { text: title })));
    });
    return svg;
  }

  function groupBox(gi) {
    const g = D.groups[gi];
    const members = g.claims.map(c => D.claims[c]);
    const box = h('div', { class: 'group g-' + g.verdict.replace(' ', '-'), id: 'group-' + gi, 'data-group': g.id, 'data-claims': members.length });
    box.append(h('h3', {}, (g.subject || '(no subject)') + ' — ' + g.measure + (g.unit && g.unit !== 'count' ? ' (' + g.unit + ')' : '') + ' ',
      h('span', { class: 'verdict ' + vclass(g.verdict), text: g.verdict })));
    box.append(h('p', { text: 'Spread ' + (g.spread * 100).toFixed(1) + ' %. ' + plural(g.sources.length, 'independent source') + ': ' + g.sources.join(', ') + '.' +
      (g.notes.length ? ' Note: ' + g.notes.join('; ') + '.' : '') }));
    const detail = h('div', { class: 'detail' });
    box.append(chart(g, members, detail));
    const series = g.verdict === 'updated' && g.series.length ? seriesChart(g, members, detail) : null;
    if (series) box.append(series);
    box.append(detail);
    box.append(h('details', {}, h('summary', { text: 'The claims (' + members.length + ')' }), claimsTable(g, members)));
    return box;
  }

  function showClaim(detail, c) {
    const d = docOf(c.doc);
    detail.textContent = c.outlet + (c.source && c.source !== c.outlet ? ' (source: ' + c.source + ')' : '') +
      (c.copy_of ? ', copying ' + c.copy_of : '') + ': “' + c.surface + '” ' + c.reading + (c.as_of ? ', as of ' + c.as_of : '') + '\n' +
      c.sentence + '\n— ' + (d ? (d.props.title || d.label) + ', ' + (d.props.published || 'undated') + ' (' + c.doc + ')' : c.doc);
  }

  let drawMarks = true;
  // One row per claim on a shared value axis: a point (exact), a bar (interval) or an arrow
  // (open-ended), in the verdict's colour; a copy is hollow.
  function chart(g, members, detail) {
    const W = 860, L = 190, R = 150, rowH = 24, top = 10;
    const col = VCOL[g.verdict] || '#555';
    let vals = [];
    members.forEach(c => { vals.push(c.lower != null ? c.lower : c.value, c.upper != null ? c.upper : c.value); });
    vals = vals.filter(v => isFinite(v));
    let lo = Math.min(...vals), hi = Math.max(...vals);
    if (lo >= 0 && lo < hi * 0.6) lo = 0;
    if (hi === lo) { const p = Math.abs(hi) * 0.1 || 1; lo -= p; hi += p; }
    const open = members.some(c => c.lower == null !== (c.upper == null));
    const pad = (hi - lo) * (open ? 0.12 : 0.05);
    if (lo !== 0) lo -= pad;
    hi += pad;
    const x = v => L + (v - lo) / (hi - lo) * (W - L - R);
    const H = top + members.length * rowH + 30;
    const svg = s('svg', { class: 'chart', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, 'data-group': g.id },
      s('defs', {}, s('marker', { id: 'arr-' + g.id.replace(/[^A-Za-z0-9_-]/g, '_'), viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L10,5 L0,10 z', fill: col }))));
    const marker = 'url(#arr-' + g.id.replace(/[^A-Za-z0-9_-]/g, '_') + ')';
    const axisY = top + members.length * rowH + 4;
    ticks(lo, hi, 6).forEach(t => {
      svg.append(s('line', { class: 'grid', x1: x(t), x2: x(t), y1: top, y2: axisY }),
        s('text', { x: x(t), y: axisY + 14, 'text-anchor': 'middle', text: fmt(t) }));
    });
    svg.append(s('g', { class: 'axis' }, s('line', { x1: L, x2: W - R, y1: axisY, y2: axisY })));
    members.forEach((c, r) => {
      const y = top + r * rowH + rowH / 2;
      const copy = !!c.copy_of;
      const label = c.outlet + (c.source && c.source !== c.outlet ? ' via ' + c.source : '');
      svg.append(s('text', { x: L - 8, y: y + 4, 'text-anchor': 'end', text: label.length > 30 ? label.slice(0, 29) + '…' : label }));
      const fill = copy ? '#fff' : col;
      const dash = c.approximate ? '3 2' : null;
      const m = s('g', { class: 'mark' + (copy ? ' copy' : ' independent'), 'data-claim': c.id, onclick: () => showClaim(detail, c) },
        s('title', { text: c.outlet + ': “' + c.surface + '” ' + c.reading + (copy ? ' (copy of ' + c.copy_of + ')' : '') + '\n' + c.sentence }));
      const stroke = { stroke: col, 'stroke-width': 2 };
      if (dash) stroke['stroke-dasharray'] = dash;
      if (c.lower != null && c.upper != null) {
        m.append(s('rect', Object.assign({ x: x(c.lower), y: y - 5, width: Math.max(3, x(c.upper) - x(c.lower)), height: 10, rx: 3, fill, 'fill-opacity': copy ? 1 : 0.55 }, stroke)));
      } else if (c.lower != null || c.upper != null) {
        const v = c.lower != null ? c.lower : c.upper;
        const end = c.lower != null ? W - R + 14 : L - 2;
        m.append(s('line', Object.assign({ x1: x(v), x2: end, y1: y, y2: y, 'marker-end': marker }, stroke)),
          s('circle', Object.assign({ cx: x(v), cy: y, r: 5.5, fill }, stroke)));
      } else {
        m.append(s('circle', Object.assign({ cx: x(c.value), cy: y, r: 6, fill }, stroke)));
      }
      if (drawMarks) svg.append(m);
      // The words of the figure, in a column right of the axis.
      svg.append(s('text', { x: W - R + 20, y: y + 4, text: (c.surface.length > 22 ? c.surface.slice(0, 21) + '…' : c.surface) + (copy ? ' (copy)' : '') }));
    });
    return svg;
  }

  // An updated figure over time. Documents carry a day, not an hour, so each day is a band and
  // the figures read on that day stand in it in rising order (a toll only rises); a step line
  // follows the highest figure so far, and each claim is a mark coloured by its outlet.
  function seriesChart(g, members, detail) {
    const W = 860, L = 70, R = 190, top = 14, Hp = 180, DAY = 864e5;
    const outlets = [...new Set(members.map(c => c.outlet))].sort();
    const colour = o => PALETTE[outlets.indexOf(o) % PALETTE.length];
    const days = g.series.map(([d, vs]) => ({ t: day(d), vs: [...new Set(vs)].sort((a, b) => a - b) })).filter(p => p.t != null);
    if (!days.length) return null;
    const t0 = days[0].t, t1 = days[days.length - 1].t + DAY;
    const x = t => L + (t - t0) / (t1 - t0) * (W - L - R);
    const at = (t, v) => {
      const d = days.find(d => d.t === t);
      const k = d ? d.vs.indexOf(v) : -1;
      return x(t + (k < 0 ? 0.5 : (k + 0.5) / d.vs.length * 0.9 + 0.05) * DAY);
    };
    const vv = days.flatMap(d => d.vs);
    const v0 = Math.min(0, ...vv), v1 = Math.max(...vv) * 1.1 || 1;
    const y = v => top + Hp - (v - v0) / (v1 - v0) * Hp;
    const H = top + Hp + 34;
    const svg = s('svg', { class: 'series', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H });
    ticks(v0, v1, 4).forEach(v => svg.append(s('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }), s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', text: fmt(v) })));
    const every = Math.max(1, Math.ceil((t1 - t0) / DAY / 6));
    for (let t = t0, k = 0; t < t1; t += DAY, k++) {
      svg.append(s('line', { class: 'grid', x1: x(t), x2: x(t), y1: top, y2: top + Hp }));
      if (!(k % every)) svg.append(s('text', { x: x(t + DAY / 2), y: top + Hp + 18, 'text-anchor': 'middle', text: new Date(t).toISOString().slice(0, 10) }));
    }
    let best = -Infinity, d = '';
    days.forEach(p => p.vs.forEach(v => {
      if (v < best) return;
      best = v;
      d += d ? ' H' + at(p.t, v) + ' V' + y(v) : 'M' + at(p.t, v) + ',' + y(v);
    }));
    svg.append(s('path', { class: 'step', d: d + ' H' + (W - R) }));
    const seen = {};
    members.forEach(c => {
      const t = day(c.date);
      if (t == null || !isFinite(c.value)) return;
      const key = t + '/' + c.value;
      const k = seen[key] = (seen[key] || 0) + 1;
      svg.append(s('circle', { class: 'mark', cx: at(t, c.value), cy: y(c.value) - (k - 1) * 4, r: 4.5, fill: colour(c.outlet), stroke: '#fff', 'stroke-width': 1, 'data-claim': c.id, onclick: () => showClaim(detail, c) },
        s('title', { text: c.outlet + ', ' + c.date + ': ' + c.surface })));
    });
    outlets.forEach((o, i) => {
      svg.append(s('circle', { cx: W - R + 20, cy: top + 8 + i * 16, r: 5, fill: colour(o) }), s('text', { x: W - R + 30, y: top + 12 + i * 16, text: o }));
    });
    return svg;
  }

  function claimsTable(g, members) {
    const common = {};
    members.forEach(c => { common[c.value] = (common[c.value] || 0) + 1; });
    const mode = Object.keys(common).sort((a, b) => common[b] - common[a])[0];
    return h('table', { class: 'claims' },
      h('thead', {}, h('tr', {}, ['outlet', 'document', 'figure', 'reading', 'as of', 'sentence'].map(t => h('th', { text: t })))),
      h('tbody', {}, members.map(c => h('tr', { class: String(c.value) !== mode || g.verdict === 'conflict' ? 'differs' : 'same' },
        h('td', { text: c.outlet + (c.copy_of ? ' (copy of ' + c.copy_of + ')' : '') }), h('td', { text: c.doc }), h('td', { text: c.surface }),
        h('td', { text: c.reading }), h('td', { text: c.as_of || '' }), h('td', { text: c.sentence })))));
  }

  // ---- a story's graph ----
  let cy = null;
  function graphView(st) {
    const gr = st.graph;
    if (!gr) {
      app.append(h('p', { class: 'muted', text: st.id ? 'This story\'s graph is not in the page (the page carries at most a fixed number of nodes); graph.graphml (Gephi) and neo4j/ hold the whole graph.' : 'Claims with no story have no graph of their own.' }));
      return null;
    }
    if (gr.total > gr.nodes.length) app.append(h('p', { class: 'muted', id: 'capped', text: 'Showing ' + gr.nodes.length + ' of the ' + gr.total + ' nodes this story\'s documents state: its documents, outlets and claim groups, the claims compared, then the most connected names. graph.graphml (Gephi) and neo4j/ hold the whole graph.' }));
    const kinds = [...new Set(gr.nodes.map(i => N[i].kind))].sort();
    const hiddenAtFirst = new Set(['Quote', 'Role']);
    const search = h('input', { type: 'search', id: 'graph-search', placeholder: 'Find a name…', 'aria-label': 'Find a node by name' });
    const bar = h('div', { id: 'graphbar' }, search,
      kinds.map(k => h('label', {}, h('input', Object.assign({ type: 'checkbox', 'data-kind': k }, hiddenAtFirst.has(k) ? {} : { checked: '' })),
        h('span', { class: 'swatch', style: 'background:' + (KCOL[k] || '#999') }), k)),
      h('button', { type: 'button', id: 'graph-fit', text: 'Fit' }));
    const box = h('div', { id: 'cy', role: 'img', 'aria-label': 'Graph of the story' });
    const details = h('aside', { id: 'details', text: 'Click a node to see its provenance. Scroll to zoom, drag to pan.' });
    app.append(bar, h('div', { id: 'graphwrap' }, box, details));
    return () => drawGraph(gr, box, bar, search, details);
  }

  function seeded(seed) {
    // mulberry32: the layout's random start is the same on every open.
    return function () {
      seed |= 0; seed = seed + 0x6D2B79F5 | 0;
      let t = Math.imul(seed ^ seed >>> 15, 1 | seed);
      t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
      return ((t ^ t >>> 14) >>> 0) / 4294967296;
    };
  }

  function drawGraph(gr, box, bar, search, details) {
    const degree = new Array(gr.nodes.length).fill(0);
    gr.edges.forEach(([a, b]) => { degree[a]++; degree[b]++; });
    const elements = gr.nodes.map((gi, li) => {
      const n = N[gi];
      let label = n.kind === 'Document' ? (n.props.outlet || '') + ': ' + (n.props.title || n.label) : n.label.replace(/^\(no subject\) /, '');
      if (label.length > 28) label = label.slice(0, 27) + '…';
      return { group: 'nodes', data: { id: 'n' + li, gi, kind: n.kind, full: n.label, label, deg: degree[li], size: 10 + Math.min(20, Math.sqrt(degree[li]) * 3) } };
    }).concat(gr.edges.map(([a, b, k], i) => ({ group: 'edges', data: { id: 'e' + i, source: 'n' + a, target: 'n' + b, kind: k } })));
    if (window.cytoscapeFcose && !window.__fcoseUsed) { cytoscape.use(cytoscapeFcose); window.__fcoseUsed = true; }
    cy = cytoscape({
      container: box, elements, minZoom: 0.1, maxZoom: 6,
      style: [
        { selector: 'node', style: { 'background-color': e => KCOL[e.data('kind')] || '#999', width: 'data(size)', height: 'data(size)', label: 'data(label)', 'font-size': 11, 'text-valign': 'bottom',  color: '#222', 'text-outline-color': '#fff', 'text-outline-width': 2, 'min-zoomed-font-size': 0 } },
        { selector: 'node.nolabel', style: { label: '' } },
        { selector: 'node.hit', style: { 'border-width': 3, 'border-color': '#f1c40f' } },
        { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#000' } },
        { selector: '.faded', style: { opacity: 0.12 } },
        { selector: 'edge', style: { width: 1, 'line-color': '#c8c8c8', 'curve-style': 'haystack' } },
      ],
      layout: { name: 'preset' },
    });
    const hidden = () => [...bar.querySelectorAll('input[data-kind]')].filter(i => !i.checked).map(i => i.dataset.kind);
    function applyKinds() {
      const off = new Set(hidden());
      cy.batch(() => cy.nodes().forEach(n => n.style('display', off.has(n.data('kind')) ? 'none' : 'element')));
    }
    applyKinds();
    const random = Math.random;
    Math.random = seeded(42);
    try {
      cy.layout({ name: window.cytoscapeFcose ? 'fcose' : 'cose', animate: false, randomize: true, quality: 'default', nodeRepulsion: () => 9000, idealEdgeLength: () => 70, nodeSeparation: 90, packComponents: true, fit: false }).run();
    } finally { Math.random = random; }
    // Labels keep their size on screen whatever the zoom, so zooming in shows more of them.
    const font = () => cy.batch(() => cy.nodes().style('font-size', 11 / cy.zoom()));
    cy.fit(cy.nodes(':visible'), 30);
    font();
    relabel();
    let timer = null;
    cy.on('zoom', font);
    cy.on('zoom pan', () => { clearTimeout(timer); timer = setTimeout(relabel, 120); });
    bar.addEventListener('change', () => { applyKinds(); cy.fit(cy.nodes(':visible'), 30); relabel(); });
    bar.querySelector('#graph-fit').addEventListener('click', () => { cy.elements().removeClass('faded hit'); cy.fit(cy.nodes(':visible'), 30); relabel(); });
    search.addEventListener('input', () => {
      const q = search.value.trim().toLowerCase();
      cy.elements().removeClass('faded hit');
      if (!q) { relabel(); return; }
      const hits = cy.nodes(':visible').filter(n => n.data('full').toLowerCase().includes(q));
      if (!hits.length) return;
      cy.elements().not(hits).addClass('faded');
      hits.addClass('hit');
      cy.fit(hits, 80);
      relabel();
    });
    showNode = n => {
      const node = N[n.data('gi')];
      details.textContent = node.kind + ': ' + node.label + '\n\n' + Object.keys(node.props).map(k => k + ': ' + node.props[k]).join('\n') + '\n';
      const near = h('button', { type: 'button', text: 'Show its neighbours' });
      near.addEventListener('click', () => neighbours(n));
      details.append(near);
    };
    cy.on('tap', 'node', ev => showNode(ev.target));
    return cy;
  }
  let showNode = () => {};
  function neighbours(n) {
    const hood = n.closedNeighborhood();
    cy.elements().removeClass('faded hit');
    hood.nodes().style('display', 'element');
    cy.elements().not(hood).addClass('faded');
    cy.fit(hood.nodes(':visible'), 60);
    relabel();
  }
  // Select the node of id `id` in the graph on screen and show it with its neighbours.
  function focusOn(id) {
    if (!cy) return false;
    const n = cy.nodes().filter(e => N[e.data('gi')].id === id);
    if (!n.length) return false;
    cy.$(':selected').unselect();
    n.select();
    neighbours(n);
    showNode(n);
    return true;
  }

  // Labels that do not overlap: the most connected (and outlets, stories, documents) first; a
  // label that would cover one already placed, or leave the frame, is not drawn at this zoom.
  function relabel() {
    if (!cy) return;
    const W = cy.width(), H = cy.height();
    const tier = { Story: 0, Outlet: 0, Document: 0, ClaimGroup: 1, Person: 1, Organization: 1, Location: 1, Misc: 2 };
    const nodes = cy.nodes(':visible').not('.faded').toArray();
    nodes.sort((a, b) => ((tier[a.data('kind')] ?? 3) - (tier[b.data('kind')] ?? 3)) || (b.data('deg') - a.data('deg')) || (a.data('gi') - b.data('gi')));
    cy.batch(() => cy.nodes().removeClass('nolabel'));
    const placed = [];
    const hide = [];
    for (const n of nodes) {
      const b = n.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false });
      const ok = b.w > 0 && b.x1 >= 0 && b.y1 >= 0 && b.x2 <= W && b.y2 <= H &&
        placed.every(p => b.x2 < p.x1 || p.x2 < b.x1 || b.y2 < p.y1 || p.y2 < b.y1);
      if (ok) placed.push(b); else hide.push(n);
    }
    cy.batch(() => { cy.nodes('.faded').addClass('nolabel'); hide.forEach(n => n.addClass('nolabel')); });
  }

  // What the browser test reads: for the graph on screen, nodes outside the frame and pairs of
  // drawn labels that overlap.
  function graphCheck() {
    if (!cy) return null;
    const W = cy.width(), H = cy.height();
    const vis = cy.nodes(':visible');
    let outside = 0;
    vis.forEach(n => { const p = n.renderedPosition(); if (p.x < 0 || p.y < 0 || p.x > W || p.y > H) outside++; });
    const boxes = vis.not('.nolabel').map(n => n.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false })).filter(b => b.w > 0);
    let overlaps = 0;
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (!(a.x2 < b.x1 || b.x2 < a.x1 || a.y2 < b.y1 || b.y2 < a.y1)) overlaps++;
    }
    return { nodes: cy.nodes().length, visible: vis.length, edges: cy.edges().length, outside, labels: boxes.length, overlaps, width: W, height: H };
  }

  // ---- routing ----
  let afterRender = null;
  function done(after) {
    // The graph is laid out once its container is in the document.
    if (after) after();
    document.body.setAttribute('data-rendered', location.hash || '#');
    // Milliseconds from the start of navigation to this render (scripts/bench-report reads it).
    document.body.setAttribute('data-ms', Math.round(performance.now()));
    const f = afterRender; afterRender = null;
    if (f) setTimeout(f, 0);
  }
  function route() {
    const q = new URLSearchParams(location.hash.replace(/^#/, ''));
    if (cy) { cy.destroy(); cy = null; }
    app.textContent = '';
    document.body.classList.remove('only');
    if (q.has('selftest')) { selftest(); return; }
    const view = q.get('view');
    if (view === 'blank') { document.body.classList.add('only'); done(); return; }
    if (view === 'chart') {
      document.body.classList.add('only');
      const gi = +q.get('group');
      drawMarks = q.get('marks') !== '0';
      if (D.groups[gi]) { const g = D.groups[gi]; app.append(chart(g, g.claims.map(c => D.claims[c]), h('div'))); }
      done();
      return;
    }
    const id = q.get('story');
    const si = id == null ? null : storyIndex[id === '-' ? '' : id];
    if (view === 'graph' && si != null) {
      document.body.classList.add('only');
      done(graphView(G.stories[si]));
      return;
    }
    window.scrollTo(0, 0);
    if (si != null) renderStory(si, q.get('focus')); else renderIndex();
  }
  window.addEventListener('hashchange', route);

  function waitRender(trigger) {
    return new Promise(resolve => { afterRender = resolve; trigger(); });
  }
  async function selftest() {
    const out = { stories: [] };
    try { await openStories(out); } catch (e) { errors.push(String(e && e.stack || e)); }
    out.errors = errors;
    document.body.setAttribute('data-selftest', JSON.stringify(out));
  }
  async function openStories(out) {
    await waitRender(() => renderIndex());
    const links = [...document.querySelectorAll('a.story-link')].length;
    out.index_links = links;
    for (let k = 0; k < Math.min(links, 12); k++) {
      const link = document.querySelectorAll('a.story-link')[k];
      const si = storyIndex[decodeURIComponent(link.getAttribute('href').replace('#story=', '')).replace(/^-$/, '')];
      await waitRender(() => link.click());
      const st = G.stories[si];
      const groups = [...document.querySelectorAll('.group')];
      out.stories.push({
        id: st.id,
        title: (document.getElementById('story-title') || {}).textContent,
        groups: st.groups.length,
        boxes: groups.length,
        charts: groups.filter(b => b.querySelector('svg.chart')).length,
        marks_ok: groups.filter(b => b.querySelectorAll('svg.chart .mark').length === +b.dataset.claims).length,
        updated: groups.filter(b => b.classList.contains('g-updated')).length,
        steps: groups.filter(b => b.querySelector('svg.series path.step')).length,
        timeline_docs: document.querySelectorAll('svg.timeline .mark.doc').length,
        docs: st.docs.length,
        graph: graphCheck(),
      });
      await waitRender(() => { location.hash = ''; });
    }
    // Find the most connected name of the first story's graph from the index, open its first
    // story, and see it focused there.
    const first = G.stories.find(st => st.graph);
    const name = first && first.graph.nodes.filter(i => NAMED.has(N[i].kind))
      .map(i => [first.graph.edges.filter(e => first.graph.nodes[e[0]] === i || first.graph.nodes[e[1]] === i).length, i])
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])[0];
    if (name) {
      const input = document.getElementById('name-search');
      input.value = N[name[1]].label;
      input.dispatchEvent(new Event('input'));
      const links = [...document.querySelectorAll('#name-results a.name-link')];
      const found = { name: N[name[1]].label, links: links.length };
      if (links.length) {
        await waitRender(() => links[0].click());
        const sel = cy ? cy.$(':selected') : null;
        found.selected = sel && sel.length === 1 ? N[sel.data('gi')].label : null;
        found.faded = cy ? cy.elements('.faded').length : 0;
        found.details = (document.getElementById('details') || {}).textContent.split('\n')[0];
        await waitRender(() => { location.hash = ''; });
      }
      out.name_search = found;
    }
  }

  route();
})();
