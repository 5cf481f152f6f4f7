/**
 * A result grid that stays fast with many rows: rows are kept in an array and only the visible
 * ones are in the DOM (fixed row height); appends are batched and drawn once per animation frame.
 */
const ROW_HEIGHT = 22;
const MAX_ROWS = 200_000;

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export class Grid {
  private rows: unknown[][] = [];
  private columns: string[] = [];
  private dropped = 0;
  private scheduled = false;
  private readonly info: HTMLElement;
  private readonly scroll: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private status = '';
  private follow = true;

  constructor(private readonly root: HTMLElement) {
    root.innerHTML = '';
    this.info = el('div', 'grid-info');
    this.scroll = el('div', 'grid-scroll');
    this.head = el('div', 'grid-head');
    this.body = el('div', 'grid-body');
    this.body.style.position = 'relative';
    this.scroll.append(this.head, this.body);
    root.append(this.info, this.scroll);
    this.scroll.addEventListener('scroll', () => {
      this.follow = this.scroll.scrollTop + this.scroll.clientHeight >= this.scroll.scrollHeight - ROW_HEIGHT * 2;
      this.schedule();
    });
  }

  reset(columns: string[], types: string[] = []): void {
    this.columns = columns;
    this.rows = [];
    this.dropped = 0;
    this.follow = true;
    this.head.innerHTML = '';
    const n = el('div', 'cell rownum');
    n.textContent = '#';
    this.head.append(n);
    columns.forEach((c, i) => {
      const cell = el('div', 'cell');
      cell.textContent = c;
      cell.title = `${c} ${types[i] ?? ''}`;
      this.head.append(cell);
    });
    this.root.classList.remove('hidden');
    this.schedule();
  }

  append(rows: unknown[][]): void {
    for (const r of rows) this.rows.push(r);
    if (this.rows.length > MAX_ROWS) {
      const extra = this.rows.length - MAX_ROWS;
      this.rows.splice(0, extra);
      this.dropped += extra;
    }
    this.schedule();
  }

  setStatus(text: string): void {
    this.status = text;
    this.schedule();
  }

  get rowCount(): number {
    return this.rows.length + this.dropped;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  private draw(): void {
    const total = this.rows.length;
    this.info.textContent = `${this.rowCount.toLocaleString()} row${this.rowCount === 1 ? '' : 's'}${this.dropped ? ` (oldest ${this.dropped.toLocaleString()} dropped)` : ''}${this.status ? ` · ${this.status}` : ''}`;
    this.body.style.height = `${total * ROW_HEIGHT}px`;
    const width = 56 + this.columns.length * 160;
    this.body.style.width = `${width}px`;
    this.head.style.width = `${width}px`;
    if (this.follow) this.scroll.scrollTop = this.scroll.scrollHeight;
    const top = this.scroll.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - 5);
    const last = Math.min(total, first + Math.ceil(this.scroll.clientHeight / ROW_HEIGHT) + 10);
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const row = el('div', 'grid-row');
      row.style.top = `${i * ROW_HEIGHT}px`;
      const n = el('div', 'cell rownum');
      n.textContent = String(i + 1 + this.dropped);
      row.append(n);
      for (const v of this.rows[i]!) {
        const cell = el('div', 'cell');
        const text = cellText(v);
        cell.textContent = text;
        if (text.length > 18) cell.title = text;
        row.append(cell);
      }
      frag.append(row);
    }
    this.body.replaceChildren(frag);
  }
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
