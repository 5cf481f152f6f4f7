/** The SQL workbench: run one or many statements, stream push rows into the grid, session properties. */
import { ApiError, ksql, postJson, print, pullQuery, pushQuery } from './api.js';
import { SqlEditor } from './editor.js';
import { Grid, el } from './grid.js';

interface SplitStatement {
  text: string;
  kind: string;
  push: boolean;
  name?: string;
  value?: string;
  pos: { line: number; column: number; offset: number };
}

const CHANGES_CATALOG = /^(Create|Drop|Register|Alter|Terminate|QueryControl|InsertIntoSelect|CreateAsSelect)/;

/** The statement padded so positions in errors count in the whole editor text. */
function positioned(s: SplitStatement): string {
  const { line, column, offset } = s.pos;
  const lead = Math.max(0, offset - (line - 1) - (column - 1));
  return ' '.repeat(lead) + '\n'.repeat(line - 1) + ' '.repeat(column - 1) + s.text;
}

export class Workbench {
  readonly editor: SqlEditor;
  private readonly grid: Grid;
  private readonly messages: HTMLElement;
  private readonly status: HTMLElement;
  private readonly properties: Record<string, string>;
  private running: { stop(): Promise<void> } | undefined;
  private busy = false;

  constructor(
    defaults: Record<string, string>,
    private readonly onCatalogChange: () => void,
  ) {
    this.properties = { ...defaults };
    const saved = sessionStorage.getItem('sluice.console.sql');
    this.editor = new SqlEditor(document.getElementById('editor')!, saved ?? "-- Ctrl+Enter runs everything, Shift+Ctrl+Enter the statement at the cursor\nSHOW STREAMS;\n", {
      run: () => void this.run(true),
      runCurrent: () => void this.run(false),
    });
    this.grid = new Grid(document.getElementById('grid')!);
    document.getElementById('grid')!.classList.add('hidden');
    this.messages = document.getElementById('messages')!;
    this.status = document.getElementById('run-status')!;
    document.getElementById('run')!.addEventListener('click', () => void this.run(true));
    document.getElementById('run-selection')!.addEventListener('click', () => void this.run(false));
    document.getElementById('stop')!.addEventListener('click', () => void this.stop());
    document.getElementById('toggle-props')!.addEventListener('click', () => document.getElementById('props')!.classList.toggle('hidden'));
    document.getElementById('props-form')!.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = e.target as HTMLFormElement;
      const name = (f.elements.namedItem('name') as HTMLInputElement).value.trim();
      const value = (f.elements.namedItem('value') as HTMLInputElement).value.trim();
      if (name) this.properties[name] = value;
      f.reset();
      this.showProperties();
    });
    this.showProperties();
  }

  private showProperties(): void {
    const table = document.getElementById('props-table')!;
    table.replaceChildren();
    for (const [k, v] of Object.entries(this.properties)) {
      const tr = el('tr');
      tr.append(el('td', '', k), el('td', '', v));
      const td = el('td');
      const x = el('button', '', 'unset');
      x.addEventListener('click', () => {
        delete this.properties[k];
        this.showProperties();
      });
      td.append(x);
      tr.append(td);
      table.append(tr);
    }
    document.getElementById('toggle-props')!.textContent = `Session properties (${Object.keys(this.properties).length})`;
  }

  private note(statement: string, body: string | Node, error = false): void {
    const m = el('div', `msg${error ? ' err' : ''}`);
    m.append(el('div', 'stmt', statement.trim().split('\n')[0]!.slice(0, 160)));
    if (typeof body === 'string') m.append(document.createTextNode(body));
    else m.append(body);
    this.messages.append(m);
    this.messages.scrollTop = this.messages.scrollHeight;
  }

  private setRunning(on: boolean, text = ''): void {
    (document.getElementById('run') as HTMLButtonElement).disabled = on;
    (document.getElementById('run-selection') as HTMLButtonElement).disabled = on;
    (document.getElementById('stop') as HTMLButtonElement).disabled = !on;
    this.status.textContent = text;
  }

  async stop(): Promise<void> {
    await this.running?.stop();
  }

  async run(all: boolean): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const text = this.editor.text;
    sessionStorage.setItem('sluice.console.sql', text);
    this.editor.clearError();
    this.messages.replaceChildren();
    this.setRunning(true, 'running…');
    let changed = false;
    try {
      let statements: SplitStatement[];
      try {
        statements = (await postJson<{ statements: SplitStatement[] }>('/console/api/split', { sql: text })).statements;
      } catch (e) {
        const body = e instanceof ApiError ? e.body : undefined;
        if (body?.pos) this.editor.markError(body.pos.offset, body.error);
        this.note(text, e instanceof Error ? e.message : String(e), true);
        return;
      }
      if (!all) {
        const at = this.editor.cursor;
        const current = statements.filter((s) => s.pos.offset <= at).at(-1) ?? statements[0];
        statements = current ? [current] : [];
      }
      for (const s of statements) {
        const ok = await this.runOne(s);
        if (CHANGES_CATALOG.test(s.kind)) changed = true;
        if (!ok) break;
      }
    } finally {
      this.busy = false;
      this.setRunning(false, '');
      if (changed) this.onCatalogChange();
    }
  }

  private fail(s: SplitStatement, e: unknown): false {
    const body = e instanceof ApiError ? e.body : undefined;
    const message = e instanceof Error ? e.message : String(e);
    const pos = body?.sluice?.position;
    if (pos && typeof pos.offset === 'number') this.editor.markError(pos.offset, body?.sluice?.detail ?? message);
    else if (s.pos) this.editor.markError(s.pos.offset, message);
    this.note(s.text, message, true);
    return false;
  }

  /** Runs one statement; false when it failed (the rest are not run). */
  private async runOne(s: SplitStatement): Promise<boolean> {
    if (s.kind === 'SetProperty' && s.name) {
      this.properties[s.name] = s.value ?? '';
      this.showProperties();
      this.note(s.text, `Successfully changed local property '${s.name}' to '${s.value}'.`);
      return true;
    }
    if (s.kind === 'UnsetProperty' && s.name) {
      delete this.properties[s.name];
      this.showProperties();
      this.note(s.text, `Successfully unset local property '${s.name}'.`);
      return true;
    }
    try {
      if (s.push) return await this.runPush(s);
      if (s.kind === 'QueryStatement') {
        const { header, rows } = await pullQuery(positioned(s), this.properties);
        this.grid.reset(header.columnNames, header.columnTypes);
        this.grid.append(rows);
        this.grid.setStatus('pull query');
        this.note(s.text, `${rows.length} row${rows.length === 1 ? '' : 's'}`);
        return true;
      }
      if (s.kind === 'Print') {
        this.note(s.text, await print(positioned(s), this.properties));
        return true;
      }
      const entities = await ksql(positioned(s), this.properties);
      const own = entities[0]?.sluice as { message?: string; table?: { columns: string[]; rows: unknown[][] } } | undefined;
      if (own?.table) {
        const t = el('table');
        const head = el('tr');
        for (const c of own.table.columns) head.append(el('th', '', c));
        t.append(head);
        for (const r of own.table.rows) {
          const tr = el('tr');
          for (const v of r) tr.append(el('td', '', String(v ?? '')));
          t.append(tr);
        }
        this.note(s.text, t);
      } else this.note(s.text, own?.message ?? (s.kind === 'InsertValues' ? 'Inserted 1 row.' : 'Done.'));
      return true;
    } catch (e) {
      return this.fail(s, e);
    }
  }

  private async runPush(s: SplitStatement): Promise<boolean> {
    const started = performance.now();
    let header = false;
    const q = pushQuery(positioned(s), this.properties, {
      header: (h) => {
        header = true;
        this.grid.reset(h.columnNames, h.columnTypes);
        this.grid.setStatus(`push query ${h.queryId ?? ''} running`);
        this.status.textContent = `streaming (${h.queryId ?? 'push query'})`;
      },
      rows: (rows) => this.grid.append(rows),
      error: (message) => this.note(s.text, message, true),
    });
    this.running = q;
    try {
      await q.done;
    } catch (e) {
      return this.fail(s, e);
    } finally {
      this.running = undefined;
    }
    if (header) this.grid.setStatus(`ended after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    this.note(s.text, `${this.grid.rowCount} row${this.grid.rowCount === 1 ? '' : 's'} streamed`);
    return true;
  }
}
