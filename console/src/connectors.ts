/**
 * Connectors: the embedded Connect worker's connectors with the state of each task (and its trace
 * when it failed), pause / resume / restart, and a create form generated from the plugin's config
 * definition. Everything goes through Kafka Connect's own REST API on the server (/connectors,
 * /connector-plugins/{type}/config/validate), so the console obeys the same checks and the same
 * read-only refusal as any Connect client; the list comes from /console/api/connectors in one call.
 */
import { getJson, sendJson } from './api.js';
import { el } from './grid.js';
import { actionBar } from './actions.js';

interface TaskStatus {
  id: number;
  state: string;
  worker_id: string;
  trace?: string;
}

interface ConnectorView {
  name: string;
  info: { name: string; type: string; config: Record<string, string>; tasks: { connector: string; task: number }[] };
  status: { name: string; type: string; connector: { state: string; worker_id: string; trace?: string }; tasks: TaskStatus[] };
}

interface ConfigDefinition {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string;
  group: string | null;
  display_name: string;
  order: number;
}

interface Validation {
  name: string;
  error_count: number;
  groups: string[];
  configs: { definition: ConfigDefinition; value: { name: string; value: string | null; errors: string[]; visible: boolean } }[];
}

/** Connect's common keys a user always sets; the other common keys (converters, transforms...) fold away */
const MAIN_COMMON = ['name', 'connector.class', 'tasks.max', 'topics', 'topics.regex'];

const shortName = (cls: string): string => cls.slice(cls.lastIndexOf('.') + 1);

export class Connectors {
  private selected: string | undefined;
  private creating = false;
  private timer: number | undefined;
  private connectors: ConnectorView[] = [];
  private shownFor: string | undefined;

  show(): void {
    void this.refresh();
    this.timer ??= window.setInterval(() => void this.refresh(), 1500);
  }

  hide(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
  }

  async refresh(): Promise<void> {
    let data: { available: boolean; connectors: ConnectorView[] };
    try {
      data = await getJson('/console/api/connectors');
    } catch {
      return;
    }
    const list = document.getElementById('connector-list')!;
    const detail = document.getElementById('connectors-detail')!;
    if (!data.available) {
      list.replaceChildren(el('h3', '', 'Connectors'));
      detail.replaceChildren(el('p', 'muted', 'Kafka Connect is not available on this server.'));
      return;
    }
    this.connectors = data.connectors;
    const names = data.connectors.map((c) => c.name).join('\n');
    // rebuilt only when the connectors change, so an item is never replaced under the pointer
    if (list.dataset.names !== names || !list.firstChild) {
      list.dataset.names = names;
      const create = el('button', 'admin-only', 'New connector');
      create.id = 'connector-new';
      create.addEventListener('click', () => void this.openForm());
      const head = el('div', 'row-form');
      head.style.margin = '8px 12px';
      head.append(create);
      list.replaceChildren(el('h3', '', `Connectors (${data.connectors.length})`), head);
      for (const c of data.connectors) {
        const item = el('div', 'item');
        item.dataset.connector = c.name;
        item.append(el('span', 'name', c.name), el('span', 'badge'));
        item.addEventListener('click', () => {
          this.creating = false;
          this.selected = c.name;
          void this.refresh();
        });
        list.append(item);
      }
    }
    if (!this.creating && (!this.selected || !data.connectors.some((c) => c.name === this.selected))) this.selected = data.connectors[0]?.name;
    for (const c of data.connectors) {
      const item = list.querySelector(`.item[data-connector="${CSS.escape(c.name)}"]`) as HTMLElement;
      item.classList.toggle('active', !this.creating && c.name === this.selected);
      const badge = item.querySelector('.badge')!;
      badge.className = `badge ${c.status.connector.state}`;
      badge.textContent = c.status.connector.state;
    }
    if (this.creating) return;
    const c = data.connectors.find((x) => x.name === this.selected);
    if (!c) {
      this.shownFor = undefined;
      detail.replaceChildren(el('p', 'muted', 'No connector yet: create one with New connector, with CREATE SOURCE|SINK CONNECTOR in the editor, or through Connect\'s REST API (POST /connectors).'));
      return;
    }
    if (this.shownFor !== c.name) this.layout(detail, c);
    this.update(c);
  }

  /** The detail's fixed parts, built once per selected connector. */
  private layout(detail: HTMLElement, c: ConnectorView): void {
    this.shownFor = c.name;
    const path = `/connectors/${encodeURIComponent(c.name)}`;
    const head = el('div');
    head.style.cssText = 'display:flex;gap:10px;align-items:center';
    const state = el('span', 'badge');
    state.id = 'c-state';
    head.append(el('h2', '', c.name), state);
    const actions = actionBar(() => this.refresh());
    const act = actions.add;
    act('Pause', () => sendJson('PUT', `${path}/pause`));
    act('Resume', () => sendJson('PUT', `${path}/resume`));
    // the connector and all its tasks, as Connect's restart with includeTasks does
    act('Restart', () => sendJson('POST', `${path}/restart?includeTasks=true`));
    act(
      'Delete',
      async () => {
        if (!confirm(`Delete connector ${c.name}? Its offsets stay; the topics it wrote keep their data.`)) return;
        await sendJson('DELETE', path);
        this.selected = undefined;
      },
      'danger',
    );
    const kv = el('dl', 'kv');
    kv.id = 'c-kv';
    const trace = el('pre', 'error');
    trace.id = 'c-trace';
    const tasks = el('table', 'plain');
    tasks.id = 'c-tasks';
    const config = el('pre');
    config.id = 'c-config';
    detail.replaceChildren(head, actions.element, kv, trace, el('h3', 'section', 'Tasks'), tasks, el('h3', 'section', 'Configuration'), config);
  }

  private update(c: ConnectorView): void {
    const state = document.getElementById('c-state')!;
    state.className = `badge ${c.status.connector.state}`;
    state.textContent = c.status.connector.state;
    const paused = c.status.connector.state === 'PAUSED';
    (document.querySelector('#connectors-detail [data-action=pause]') as HTMLElement).classList.toggle('hidden', paused);
    (document.querySelector('#connectors-detail [data-action=resume]') as HTMLElement).classList.toggle('hidden', !paused);
    const kv = document.getElementById('c-kv')!;
    kv.replaceChildren();
    for (const [k, v] of [
      ['Type', c.info.type],
      ['Class', c.info.config['connector.class'] ?? ''],
      ['Worker', c.status.connector.worker_id],
      ['Tasks', `${c.status.tasks.filter((t) => t.state === 'RUNNING').length} running of ${c.status.tasks.length}`],
    ]) kv.append(el('dt', '', k), el('dd', '', v));
    const trace = document.getElementById('c-trace')!;
    trace.textContent = c.status.connector.trace ?? '';
    trace.classList.toggle('hidden', !c.status.connector.trace);
    const tasks = document.getElementById('c-tasks')!;
    const header = el('tr');
    header.append(el('th', '', 'Task'), el('th', '', 'State'), el('th', '', 'Worker'), el('th', '', 'Trace'));
    const rows = c.status.tasks.map((t) => {
      const tr = el('tr');
      tr.dataset.task = String(t.id);
      const badge = el('span', `badge ${t.state}`, t.state);
      const st = el('td');
      st.append(badge);
      const tr_ = el('td');
      if (t.trace) tr_.append(el('pre', 'error', t.trace));
      tr.append(el('td', '', `${c.name}-${t.id}`), st, el('td', '', t.worker_id), tr_);
      return tr;
    });
    if (!rows.length) {
      const none = el('tr');
      const td = el('td', 'muted', 'No task yet');
      td.colSpan = 4;
      none.append(td);
      rows.push(none);
    }
    tasks.replaceChildren(header, ...rows);
    const shown = Object.entries(c.info.config)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    const config = document.getElementById('c-config')!;
    if (config.textContent !== shown) config.textContent = shown;
  }

  /** The create form: pick a plugin, then fields from its config definition. */
  private async openForm(): Promise<void> {
    this.creating = true;
    this.shownFor = undefined;
    for (const item of document.querySelectorAll('#connector-list .item')) item.classList.remove('active');
    const detail = document.getElementById('connectors-detail')!;
    let plugins: { class: string; type: string; version: string }[];
    try {
      plugins = await getJson('/connector-plugins');
    } catch (e) {
      detail.replaceChildren(el('pre', 'error', (e as Error).message));
      return;
    }
    const select = el('select') as HTMLSelectElement;
    select.id = 'plugin-select';
    for (const p of plugins) {
      const o = el('option', '', `${shortName(p.class)} (${p.type})`) as HTMLOptionElement;
      o.value = p.class;
      select.append(o);
    }
    const form = el('form') as HTMLFormElement;
    form.id = 'connector-form';
    const fields = el('div');
    const status = el('div', 'error');
    status.id = 'connector-form-status';
    const submit = el('button', 'primary', 'Create') as HTMLButtonElement;
    submit.type = 'submit';
    submit.id = 'connector-create';
    const cancel = el('button', '', 'Cancel') as HTMLButtonElement;
    cancel.type = 'button';
    cancel.addEventListener('click', () => {
      this.creating = false;
      void this.refresh();
    });
    const buttons = el('div', 'actions');
    buttons.append(submit, cancel);
    form.append(fields, status, buttons);
    const pick = el('div', 'row-form');
    pick.append(el('label', '', 'Plugin'), select);
    detail.replaceChildren(el('h2', '', 'New connector'), pick, form);

    const load = async () => {
      status.textContent = '';
      try {
        // an all-defaults validation gives every key's definition (its errors are not shown yet)
        const v = await sendJson<Validation>('PUT', `/connector-plugins/${encodeURIComponent(select.value)}/config/validate`, { 'connector.class': select.value });
        fields.replaceChildren(...this.renderFields(v, select.value));
      } catch (e) {
        fields.replaceChildren(el('pre', 'error', (e as Error).message));
      }
    };
    select.addEventListener('change', () => void load());
    await load();

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      status.textContent = '';
      try {
        const config: Record<string, string> = {};
        for (const input of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-key]')) {
          if (input.value.trim() !== '') config[input.dataset.key!] = input.value.trim();
        }
        config['connector.class'] = select.value;
        const v = await sendJson<Validation>('PUT', `/connector-plugins/${encodeURIComponent(select.value)}/config/validate`, config);
        for (const box of form.querySelectorAll<HTMLElement>('[data-error-for]')) box.textContent = '';
        for (const field of form.querySelectorAll<HTMLElement>('.field')) field.classList.remove('invalid');
        if (v.error_count > 0) {
          for (const c of v.configs) {
            if (!c.value.errors.length) continue;
            const box = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(c.value.name)}"]`);
            if (box) {
              box.textContent = c.value.errors.join('\n');
              box.closest('.field')?.classList.add('invalid');
              (box.closest('details') as HTMLDetailsElement | null)?.setAttribute('open', '');
            } else status.append(el('div', '', `${c.value.name}: ${c.value.errors.join('; ')}`));
          }
          status.prepend(el('div', '', `${v.error_count} error${v.error_count === 1 ? '' : 's'} in the configuration`));
          return;
        }
        const name = config['name']!;
        await sendJson('POST', '/connectors', { name, config });
        this.creating = false;
        this.selected = name;
        await this.refresh();
      } catch (err) {
        status.textContent = (err as Error).message;
      } finally {
        submit.disabled = false;
      }
    });
  }

  private renderFields(v: Validation, pluginClass: string): HTMLElement[] {
    const main = el('fieldset');
    main.append(el('legend', '', 'Connector'));
    const plugin = el('fieldset');
    plugin.append(el('legend', '', shortName(pluginClass)));
    const more = el('details');
    more.append(el('summary', '', 'Converters, transforms and other common settings'));
    const groups = new Map<string, HTMLElement>();
    for (const c of v.configs) {
      if (!c.value.visible) continue;
      const d = c.definition;
      const field = this.field(d, d.name === 'connector.class' ? pluginClass : null);
      if (d.group === 'Common') (MAIN_COMMON.includes(d.name) ? main : more).append(field);
      else if (!d.group) plugin.append(field);
      else {
        let g = groups.get(d.group);
        if (!g) {
          g = el('fieldset');
          g.append(el('legend', '', d.group));
          groups.set(d.group, g);
        }
        g.append(field);
      }
    }
    // name, class, tasks.max (then a sink's topics) in that order, whatever order validation gave
    const rank = (e: Element) => MAIN_COMMON.indexOf((e as HTMLElement).dataset.field ?? '');
    main.append(...[...main.querySelectorAll(':scope > .field')].sort((a, b) => rank(a) - rank(b)));
    const tasksMax = main.querySelector<HTMLInputElement>('[data-key="tasks.max"]');
    if (tasksMax && !tasksMax.placeholder) tasksMax.placeholder = '1';
    return [main, ...(plugin.children.length > 1 ? [plugin] : []), ...groups.values(), more];
  }

  private field(d: ConfigDefinition, fixed: string | null): HTMLElement {
    const field = el('div', 'field');
    field.dataset.field = d.name;
    const required = d.required || d.name === 'name';
    const label = el('label', '', d.display_name + (required ? ' *' : ''));
    let input: HTMLInputElement | HTMLSelectElement;
    if (d.type === 'BOOLEAN') {
      input = el('select') as HTMLSelectElement;
      for (const o of ['', 'true', 'false']) {
        const opt = el('option', '', o || `(default${d.default_value !== null ? `: ${d.default_value}` : ''})`) as HTMLOptionElement;
        opt.value = o;
        input.append(opt);
      }
    } else {
      input = el('input') as HTMLInputElement;
      input.type = d.type === 'PASSWORD' ? 'password' : 'text';
      if (d.default_value !== null) input.placeholder = d.default_value;
      if (fixed !== null) {
        input.value = fixed;
        input.readOnly = true;
      }
    }
    input.name = d.name;
    input.dataset.key = d.name;
    input.title = d.documentation;
    label.append(input);
    const doc = el('div', 'muted doc', [d.type, d.documentation].filter(Boolean).join(' · '));
    const error = el('div', 'error field-error');
    error.dataset.errorFor = d.name;
    field.append(label, doc, error);
    return field;
  }
}
