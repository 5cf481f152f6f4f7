/** Data: streams, tables, topics (live tail, search, produce), custom types, functions, consumer lag. */
import { getJson, ksql, postJson } from './api.js';
import type { CatalogInfo } from './editor.js';
import { cellText, el } from './grid.js';
import { lagTable, type LagRow } from './pipelines.js';
import { alertError } from './actions.js';

interface TopicInfo {
  name: string;
  partitions: { partition: number; start: string; end: string }[];
  records: number;
  source: string | null;
  keyFormat: string | null;
  valueFormat: string | null;
}

interface TopicRecord {
  partition: number;
  offset: string;
  timestamp: number;
  key: unknown;
  value: unknown;
  headers: { key: string; value: string | null }[];
}

const TAIL_KEEP = 2000;

export class DataBrowser {
  private catalog: CatalogInfo | undefined;
  private topics: TopicInfo[] = [];
  private selected = '';
  private tailTimer: number | undefined;
  private lagTimer: number | undefined;
  private functionFilter = '';

  setCatalog(c: CatalogInfo): void {
    this.catalog = c;
  }

  async show(): Promise<void> {
    try {
      this.topics = (await getJson<{ topics: TopicInfo[] }>('/console/api/topics')).topics;
    } catch {
      this.topics = [];
    }
    this.drawList();
  }

  hide(): void {
    this.stopTimers();
  }

  private stopTimers(): void {
    if (this.tailTimer !== undefined) window.clearInterval(this.tailTimer);
    if (this.lagTimer !== undefined) window.clearInterval(this.lagTimer);
    this.tailTimer = this.lagTimer = undefined;
  }

  private drawList(): void {
    const list = document.getElementById('data-list')!;
    list.replaceChildren();
    const c = this.catalog;
    const item = (key: string, label: string, extra: string, open: () => void) => {
      const i = el('div', `item${this.selected === key ? ' active' : ''}`);
      i.dataset.item = key;
      i.append(el('span', 'name', label), el('span', 'muted', extra));
      i.addEventListener('click', () => {
        this.selected = key;
        for (const x of list.querySelectorAll('.item')) x.classList.toggle('active', (x as HTMLElement).dataset.item === key);
        this.stopTimers();
        open();
      });
      list.append(i);
    };
    list.append(el('h3', '', 'Health'));
    item('lag', 'Consumer lag', '', () => this.openLag());
    for (const type of ['STREAM', 'TABLE']) {
      const sources = (c?.sources ?? []).filter((s) => s.type === type);
      list.append(el('h3', '', `${type === 'STREAM' ? 'Streams' : 'Tables'} (${sources.length})`));
      for (const s of sources) item(`source:${s.name}`, s.name, s.topic, () => void this.openSource(s.name));
    }
    list.append(el('h3', '', `Topics (${this.topics.length})`));
    for (const t of this.topics) item(`topic:${t.name}`, t.name, `${t.records}`, () => void this.openTopic(t.name));
    list.append(el('h3', '', `Types (${c?.types.length ?? 0})`));
    for (const t of c?.types ?? []) item(`type:${t.name}`, t.name, '', () => this.detail(el('h2', '', t.name), el('pre', '', t.type)));
    list.append(el('h3', '', `Functions (${c?.functions.length ?? 0})`));
    const filter = el('input');
    filter.placeholder = 'filter functions';
    filter.value = this.functionFilter;
    filter.style.margin = '0 12px 6px';
    filter.style.width = 'calc(100% - 24px)';
    filter.addEventListener('input', () => {
      this.functionFilter = filter.value;
      for (const x of list.querySelectorAll('.item.fn')) (x as HTMLElement).classList.toggle('hidden', !(x as HTMLElement).dataset.item!.toLowerCase().includes(filter.value.toLowerCase()));
    });
    list.append(filter);
    for (const f of c?.functions ?? []) {
      item(`fn:${f.name}`, f.name, f.kind.toLowerCase(), () => void this.describe(`DESCRIBE FUNCTION ${f.name};`, f.name));
      const last = list.lastElementChild as HTMLElement;
      last.classList.add('fn');
      if (this.functionFilter && !f.name.toLowerCase().includes(this.functionFilter.toLowerCase())) last.classList.add('hidden');
    }
  }

  private detail(...nodes: Node[]): HTMLElement {
    const d = document.getElementById('data-detail')!;
    d.replaceChildren(...nodes);
    return d;
  }

  private async describe(statement: string, title: string): Promise<void> {
    try {
      const entities = await ksql(statement, {});
      this.detail(el('h2', '', title), el('pre', '', entities[0]?.sluice?.message ?? JSON.stringify(entities[0], null, 2)));
    } catch (e) {
      this.detail(el('h2', '', title), el('pre', 'error', (e as Error).message));
    }
  }

  private async openSource(name: string): Promise<void> {
    const s = this.catalog?.sources.find((x) => x.name === name);
    await this.describe(`DESCRIBE ${name} EXTENDED;`, name);
    if (s) {
      const b = el('button', '', `Tail topic ${s.topic}`);
      b.addEventListener('click', () => void this.openTopic(s.topic));
      document.getElementById('data-detail')!.insertBefore(b, document.getElementById('data-detail')!.children[1]!);
    }
  }

  private openLag(): void {
    const body = el('div');
    this.detail(el('h2', '', 'Consumer lag'), el('p', 'muted', 'Per query and input partition, sampled every second and kept in memory for 5 minutes.'), body);
    const draw = async () => {
      try {
        const { partitions } = await getJson<{ partitions: LagRow[] }>('/console/api/lag');
        body.replaceChildren(lagTable(partitions, true));
      } catch (e) {
        body.replaceChildren(el('pre', 'error', (e as Error).message));
      }
    };
    void draw();
    this.lagTimer = window.setInterval(() => void draw(), 2000);
  }

  /** A topic: partitions, a live tail with search, and a produce form (admins). */
  private async openTopic(topic: string): Promise<void> {
    this.stopTimers();
    this.selected = `topic:${topic}`;
    const info = this.topics.find((t) => t.name === topic);
    const head = el('h2', '', topic);
    const meta = el('p', 'muted', info ? `${info.partitions.length} partition(s)${info.source ? ` · ${info.source} (key ${info.keyFormat}, value ${info.valueFormat})` : ' · no stream or table over it: shown as JSON or text'}` : '');
    const controls = el('div', 'row-form');
    const live = el('button', 'primary', 'Pause tail');
    live.id = 'tail-toggle';
    const search = el('input');
    search.placeholder = 'search key, value, headers';
    search.id = 'tail-search';
    const count = el('span', 'muted');
    count.id = 'tail-count';
    controls.append(live, search, count);
    const produce = el('form', 'row-form admin-only');
    produce.id = 'produce-form';
    const field = (name: string, placeholder: string, width = '160px') => {
      const i = el('input');
      i.name = name;
      i.placeholder = placeholder;
      i.style.width = width;
      produce.append(i);
      return i;
    };
    field('key', 'key');
    field('value', 'value (e.g. JSON)', '280px');
    field('partition', 'partition (auto)', '110px');
    field('headers', 'headers k=v,k2=v2', '160px');
    produce.append(el('button', '', 'Produce'));
    produce.addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = new FormData(produce);
      const headers = String(f.get('headers') ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .map((x) => ({ key: x.split('=')[0]!, value: x.slice(x.indexOf('=') + 1) }));
      try {
        await postJson(`/console/api/topics/${encodeURIComponent(topic)}/records`, { key: f.get('key'), value: f.get('value'), partition: f.get('partition'), headers });
        produce.reset();
      } catch (err) {
        alertError(err);
      }
    });
    const tableBox = el('div', 'tail-table');
    this.detail(head, meta, produce, controls, tableBox);
    const records: TopicRecord[] = [];
    let next: Record<string, string> | undefined;
    let paused = false;
    live.addEventListener('click', () => {
      paused = !paused;
      live.textContent = paused ? 'Resume tail' : 'Pause tail';
      live.className = paused ? '' : 'primary';
    });
    const draw = () => {
      const q = search.value.toLowerCase();
      const shown = q ? records.filter((r) => JSON.stringify(r).toLowerCase().includes(q)) : records;
      count.textContent = `${shown.length} of ${records.length} record(s) ${paused ? '(paused)' : '(live)'}`;
      const t = el('table', 'plain');
      t.id = 'tail';
      const h = el('tr');
      for (const c of ['partition', 'offset', 'timestamp', 'key', 'value', 'headers']) h.append(el('th', '', c));
      t.append(h);
      for (const r of shown.slice(-500).reverse()) {
        const tr = el('tr');
        tr.append(
          el('td', '', String(r.partition)),
          el('td', '', r.offset),
          el('td', '', new Date(r.timestamp).toISOString().replace('T', ' ').slice(0, 23)),
          el('td', '', cellText(r.key)),
          el('td', '', cellText(r.value)),
          el('td', '', r.headers.map((x) => `${x.key}=${x.value ?? 'null'}`).join(', ')),
        );
        t.append(tr);
      }
      tableBox.replaceChildren(t);
    };
    search.addEventListener('input', draw);
    const poll = async () => {
      if (paused) return;
      try {
        const res = await getJson<{ records: TopicRecord[]; next: Record<string, string> }>(`/console/api/topics/${encodeURIComponent(topic)}/records${next ? `?after=${encodeURIComponent(JSON.stringify(next))}` : ''}`);
        next = res.next;
        if (res.records.length || !tableBox.firstChild) {
          records.push(...res.records);
          if (records.length > TAIL_KEEP) records.splice(0, records.length - TAIL_KEEP);
          draw();
        }
      } catch (e) {
        tableBox.replaceChildren(el('pre', 'error', (e as Error).message));
      }
    };
    await poll();
    this.tailTimer = window.setInterval(() => void poll(), 1000);
  }

  /** Opens a topic's tail from elsewhere (the pipelines view). */
  async tail(topic: string): Promise<void> {
    await this.show();
    await this.openTopic(topic);
    this.drawList();
  }
}
