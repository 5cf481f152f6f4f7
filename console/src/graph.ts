/**
 * A query's topology drawn as SVG: operators laid out left to right by dagre, grouped in boxes by
 * sub-topology, repartition topics between them, state stores hanging off their operators, and
 * per-operator rates. The operator holding the query back is drawn red with a badge.
 */
import dagre from '@dagrejs/dagre';

export interface TopologyNode {
  id: string;
  kind: string;
  subTopology: number;
  inputs: string[];
  topic?: string;
  source?: string;
  stores: string[];
}

export interface OperatorRate {
  id: string;
  inPerSecond: number;
  outPerSecond: number;
  recordsIn: number;
  recordsOut: number;
  busy: number;
  bottleneck: boolean;
}

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 176;
const NODE_H = 62;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function formatRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M/s`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k/s`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k/s`;
  if (n >= 10 || n === 0) return `${n.toFixed(0)}/s`;
  return `${n.toFixed(1)}/s`;
}

function title(n: TopologyNode): { kind: string; detail: string; cls: string } {
  const k = n.kind;
  if (k === 'StreamSource' || k === 'TableSource') return { kind: k.replace('Source', ' source'), detail: n.source ?? n.topic ?? '', cls: 'source' };
  if (k === 'StreamSink' || k === 'TableSink') return { kind: k.replace('Sink', ' sink'), detail: n.topic ?? '', cls: 'sink' };
  if (k === 'StreamRepartition') return { kind: 'Repartition', detail: n.id, cls: 'repartition' };
  return { kind: k.replace(/^(Stream|Table)(?=[A-Z])/, '$1 '), detail: n.id, cls: '' };
}

export function drawTopology(container: HTMLElement, nodes: TopologyNode[], rates: OperatorRate[], lag: number): void {
  const g = new dagre.graphlib.Graph({ compound: true });
  g.setGraph({ rankdir: 'LR', nodesep: 22, ranksep: 34, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const subs = new Set(nodes.map((n) => n.subTopology));
  for (const s of subs) g.setNode(`sub-${s}`, { label: `sub-topology ${s}`, paddingTop: 24 } as never);
  for (const n of nodes) {
    g.setNode(n.id, { width: NODE_W, height: NODE_H });
    // a repartition topic sits between the sub-topology writing it and the one reading it
    if (n.kind !== 'StreamRepartition') g.setParent(n.id, `sub-${n.subTopology}`);
    for (const s of n.stores) {
      const id = `store:${s}`;
      g.setNode(id, { width: 150, height: 28 });
      g.setParent(id, `sub-${n.subTopology}`);
      g.setEdge(n.id, id, { store: true } as never);
    }
  }
  for (const n of nodes) for (const i of n.inputs) g.setEdge(i, n.id);
  dagre.layout(g);
  const graph = g.graph() as { width?: number; height?: number };
  const width = Math.ceil(graph.width ?? 400);
  const height = Math.ceil(graph.height ?? 200);
  // scaled down to fit the panel's width, never up
  const root = svg('svg', { width: '100%', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'query topology' });
  root.style.maxWidth = `${width}px`;
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#94a3b8' }));
  defs.append(marker);
  root.append(defs);
  for (const s of subs) {
    const b = g.node(`sub-${s}`) as { x: number; y: number; width: number; height: number } | undefined;
    if (!b) continue;
    root.append(svg('rect', { class: 'sub', x: b.x - b.width / 2, y: b.y - b.height / 2, width: b.width, height: b.height, rx: 8 }));
    root.append(svg('text', { class: 'sub-label', x: b.x - b.width / 2 + 8, y: b.y - b.height / 2 + 14 }, `sub-topology ${s}`));
  }
  for (const e of g.edges()) {
    const edge = g.edge(e) as { points: { x: number; y: number }[]; store?: boolean };
    const d = edge.points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    root.append(svg('path', { class: edge.store ? 'edge store-edge' : 'edge', d }));
  }
  const byId = new Map(rates.map((r) => [r.id, r]));
  for (const n of nodes) {
    const box = g.node(n.id) as { x: number; y: number };
    const r = byId.get(n.id);
    const t = title(n);
    const group = svg('g', { class: `node ${t.cls}${r?.bottleneck ? ' slow' : ''}`, transform: `translate(${box.x - NODE_W / 2},${box.y - NODE_H / 2})`, 'data-operator': n.id });
    group.append(svg('rect', { width: NODE_W, height: NODE_H, rx: 6 }));
    group.append(svg('text', { class: 'kind', x: 10, y: 18 }, t.kind));
    group.append(svg('text', { class: 'sub-text', x: 10, y: 34 }, t.detail.length > 24 ? `${t.detail.slice(0, 23)}…` : t.detail));
    const rateText = r ? `in ${formatRate(r.inPerSecond)} · out ${formatRate(r.outPerSecond)}` : 'no records yet';
    const rate = svg('text', { class: 'rate', x: 10, y: 52 }, rateText);
    group.append(rate);
    const tip = svg('title', {}, `${n.id} (${n.kind})${n.topic ? `\ntopic ${n.topic}` : ''}${r ? `\nrecords in ${r.recordsIn}, out ${r.recordsOut}\nbusy ${(r.busy * 100).toFixed(1)}%` : ''}`);
    group.append(tip);
    if (r?.bottleneck) {
      const label = lag > 0 ? `LAG ${lag}` : `BUSY ${(r.busy * 100).toFixed(0)}%`;
      const badge = svg('g', { class: 'slow-badge', transform: `translate(${NODE_W - 8 - label.length * 6.4},-9)` });
      badge.append(svg('rect', { width: label.length * 6.4 + 8, height: 16, rx: 8 }));
      badge.append(svg('text', { x: 4, y: 12 }, label));
      group.append(badge);
    }
    root.append(group);
  }
  for (const n of nodes) {
    for (const s of n.stores) {
      const box = g.node(`store:${s}`) as { x: number; y: number };
      const group = svg('g', { class: 'store', transform: `translate(${box.x - 75},${box.y - 14})` });
      group.append(svg('rect', { width: 150, height: 28, rx: 12 }));
      group.append(svg('text', { x: 10, y: 18 }, `store ${s.length > 16 ? `${s.slice(0, 15)}…` : s}`));
      group.append(svg('title', {}, `state store ${s}`));
      root.append(group);
    }
  }
  container.replaceChildren(root);
}

/** A small line chart of recent values. */
export function sparkline(values: number[], width = 120, height = 24): SVGSVGElement {
  const root = svg('svg', { class: 'spark', width, height, viewBox: `0 0 ${width} ${height}` });
  if (values.length < 2) return root;
  const max = Math.max(1, ...values);
  const step = width / (values.length - 1);
  const d = values.map((v, i) => `${i ? 'L' : 'M'}${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  root.append(svg('path', { d }));
  return root;
}
