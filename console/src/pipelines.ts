/** Pipelines: persistent queries with state, actions, topology graph with rates, errors, lag. */
import { getJson, ksql, postJson } from './api.js';
import { drawTopology, formatRate, sparkline, type OperatorRate, type TopologyNode } from './graph.js';
import { el } from './grid.js';
import { actionBar } from './actions.js';

interface QueryView {
  id: string;
  sql: string;
  sink: string;
  sources: string[];
  state: 'RUNNING' | 'PAUSED' | 'ERROR';
  error: string | null;
  topology: { nodes: TopologyNode[]; subTopologies: number } | null;
  rates: { inPerSecond: number; outPerSecond: number; lag: number; operators: OperatorRate[] } | null;
  errors: number;
}

type Tab = 'graph' | 'errors' | 'lag';

export class Pipelines {
  private selected: string | undefined;
  private tab: Tab = 'graph';
  private timer: number | undefined;
  private queries: QueryView[] = [];
  private shownFor: string | undefined;

  constructor(private readonly onChange: () => void) {}

  show(): void {
    void this.refresh();
    this.timer ??= window.setInterval(() => void this.refresh(), 1500);
  }

  hide(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
  }

  select(id: string): void {
    this.selected = id;
    void this.refresh();
  }

  async refresh(): Promise<void> {
    let data: { queries: QueryView[] };
    try {
      data = await getJson('/console/api/queries');
    } catch {
      return;
    }
    this.queries = data.queries;
    const list = document.getElementById('query-list')!;
    if (!this.selected || !data.queries.some((q) => q.id === this.selected)) this.selected = data.queries[0]?.id;
    // rebuilt only when the queries change, so an item is never replaced under the pointer
    const ids = data.queries.map((q) => q.id).join('\n');
    if (list.dataset.ids !== ids || !list.firstChild) {
      list.dataset.ids = ids;
      list.replaceChildren(el('h3', '', `Persistent queries (${data.queries.length})`));
      for (const q of data.queries) {
        const item = el('div', 'item');
        item.dataset.query = q.id;
        item.append(el('span', 'name', q.id), el('span', 'badge'));
        item.addEventListener('click', () => this.select(q.id));
        list.append(item);
      }
    }
    for (const q of data.queries) {
      const item = list.querySelector(`.item[data-query="${CSS.escape(q.id)}"]`) as HTMLElement;
      item.classList.toggle('active', q.id === this.selected);
      const badge = item.querySelector('.badge')!;
      badge.className = `badge ${q.state}`;
      badge.textContent = q.state;
    }
    const q = data.queries.find((x) => x.id === this.selected);
    const detail = document.getElementById('query-detail')!;
    if (!q) {
      this.shownFor = undefined;
      detail.replaceChildren(el('p', 'muted', 'No persistent query yet: create one with CREATE STREAM ... AS SELECT or CREATE TABLE ... AS SELECT.'));
      return;
    }
    if (this.shownFor !== q.id) this.layout(detail, q);
    this.update(q);
  }

  /** The detail's fixed parts, built once per selected query. */
  private layout(detail: HTMLElement, q: QueryView): void {
    this.shownFor = q.id;
    detail.replaceChildren();
    const head = el('div');
    head.style.display = 'flex';
    head.style.gap = '10px';
    head.style.alignItems = 'center';
    head.append(el('h2', '', q.id), el('span', 'badge', ''));
    head.lastElementChild!.id = 'q-state';
    const actions = actionBar(async () => {
      await this.refresh();
      this.onChange();
    });
    const act = actions.add;
    act('Pause', () => ksql(`PAUSE ${q.id};`, {}));
    act('Resume', () => ksql(`RESUME ${q.id};`, {}));
    act('Restart', () => postJson(`/console/api/queries/${encodeURIComponent(q.id)}/restart`, {}));
    act(
      'Terminate',
      async () => {
        if (!confirm(`Terminate ${q.id}? Its sink keeps its data; the query stops for good.`)) return;
        await ksql(`TERMINATE ${q.id};`, {});
        this.selected = undefined;
      },
      'danger',
    );
    const kv = el('dl', 'kv');
    kv.id = 'q-kv';
    const err = el('pre', 'error');
    err.id = 'q-error';
    const sql = el('pre', '', q.sql);
    const tabs = el('div', 'subtabs');
    for (const t of ['graph', 'errors', 'lag'] as Tab[]) {
      const b = el('button', t === this.tab ? 'active' : '', t === 'graph' ? 'Topology' : t === 'errors' ? 'Errors' : 'Lag');
      b.dataset.tab = t;
      b.addEventListener('click', () => {
        this.tab = t;
        for (const x of tabs.children) x.classList.toggle('active', (x as HTMLElement).dataset.tab === t);
        this.update(this.queries.find((x) => x.id === this.selected)!);
      });
      tabs.append(b);
    }
    const body = el('div');
    body.id = 'q-body';
    detail.append(head, actions.element, kv, err, sql, tabs, body);
  }

  private update(q: QueryView): void {
    const state = document.getElementById('q-state')!;
    state.className = `badge ${q.state}`;
    state.textContent = q.state;
    // only what the state allows: RESUME a paused query (a failed one restarts either way)
    const allowed: Record<string, string[]> = { RUNNING: ['pause', 'restart', 'terminate'], PAUSED: ['resume', 'terminate'], ERROR: ['resume', 'restart', 'terminate'] };
    for (const b of document.querySelectorAll<HTMLButtonElement>('#query-detail .actions button')) b.disabled = !allowed[q.state]!.includes(b.dataset.action!);
    const kv = document.getElementById('q-kv')!;
    kv.replaceChildren();
    const add = (k: string, v: string) => kv.append(el('dt', '', k), el('dd', '', v));
    add('sources', q.sources.join(', '));
    add('sink', q.sink);
    if (q.rates) {
      add('records', `in ${formatRate(q.rates.inPerSecond)} · out ${formatRate(q.rates.outPerSecond)}`);
      add('lag', String(q.rates.lag));
    }
    add('processing errors', String(q.errors));
    const err = document.getElementById('q-error')!;
    err.textContent = q.error ?? '';
    err.classList.toggle('hidden', !q.error);
    const body = document.getElementById('q-body')!;
    if (this.tab === 'graph') {
      let graph = body.querySelector('.graph') as HTMLElement | null;
      let inputs = body.querySelector('.inputs') as HTMLElement | null;
      if (!graph || !inputs) {
        graph = el('div', 'graph');
        inputs = el('div', 'inputs');
        body.replaceChildren(graph, el('h3', 'section', 'Input partitions'), inputs);
      }
      if (q.topology) drawTopology(graph, q.topology.nodes, q.rates?.operators ?? [], q.rates?.lag ?? 0);
      const box = inputs;
      void getJson<{ partitions: LagRow[] }>(`/console/api/lag?query=${encodeURIComponent(q.id)}`).then(
        ({ partitions }) => void box.replaceChildren(lagTable(partitions, false)),
        () => undefined,
      );
    } else if (this.tab === 'errors') void this.showErrors(body, q.id);
    else void this.showLag(body, q.id);
  }

  private async showErrors(body: HTMLElement, id: string): Promise<void> {
    const { entries } = await getJson<{ entries: { time: number; type: string; step: string; message: string; topic?: string; partition?: number; offset?: number }[] }>(`/console/api/queries/${encodeURIComponent(id)}/errors`);
    if (this.tab !== 'errors') return;
    if (!entries.length) return void body.replaceChildren(el('p', 'muted', 'No processing-log entries for this query.'));
    const t = el('table', 'plain');
    const h = el('tr');
    for (const c of ['time', 'type', 'step', 'where', 'message']) h.append(el('th', '', c));
    t.append(h);
    for (const e of entries) {
      const tr = el('tr');
      tr.append(el('td', '', new Date(e.time).toISOString().replace('T', ' ').slice(0, 23)), el('td', '', e.type), el('td', '', e.step), el('td', '', e.topic ? `${e.topic}/${e.partition}@${e.offset}` : ''), el('td', '', e.message));
      t.append(tr);
    }
    body.replaceChildren(t);
  }

  private async showLag(body: HTMLElement, id: string): Promise<void> {
    const { partitions } = await getJson<{ partitions: LagRow[] }>(`/console/api/lag?query=${encodeURIComponent(id)}`);
    if (this.tab !== 'lag') return;
    body.replaceChildren(lagTable(partitions, false));
  }
}

export interface LagRow {
  queryId: string;
  topic: string;
  partition: number;
  internal: boolean;
  lag: number;
  position: string;
  end: string;
  history: number[];
}

export function lagTable(rows: LagRow[], withQuery: boolean): HTMLElement {
  if (!rows.length) return el('p', 'muted', 'No input partitions yet.');
  const t = el('table', 'plain');
  const h = el('tr');
  for (const c of [...(withQuery ? ['query'] : []), 'topic', 'partition', 'position', 'end', 'lag', 'recent']) h.append(el('th', '', c));
  t.append(h);
  for (const r of rows) {
    const tr = el('tr');
    if (withQuery) tr.append(el('td', '', r.queryId));
    tr.append(el('td', '', `${r.topic}${r.internal ? ' (repartition)' : ''}`), el('td', '', String(r.partition)), el('td', '', r.position), el('td', '', r.end), el('td', '', String(r.lag)));
    const spark = el('td');
    spark.append(sparkline(r.history.slice(-120)));
    tr.append(spark);
    t.append(tr);
  }
  return t;
}
