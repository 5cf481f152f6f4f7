/** The Sluice web console: sign-in, views, and the catalog shared by the editor and the data browser. */
import { ApiError, getJson, setCredentials, signOut } from './api.js';
import { DataBrowser } from './data.js';
import type { CatalogInfo } from './editor.js';
import { Connectors } from './connectors.js';
import { el } from './grid.js';
import { Pipelines } from './pipelines.js';
import { Workbench } from './workbench.js';

type View = 'workbench' | 'pipelines' | 'data' | 'connectors';

interface Session {
  user: string;
  role: 'admin' | 'read-only';
  authenticated: boolean;
  version: string;
  properties: Record<string, string>;
}

let workbench: Workbench | undefined;
let pipelines: Pipelines | undefined;
let data: DataBrowser | undefined;
let connectors: Connectors | undefined;
let current: View = 'workbench';

function showLogin(message = ''): void {
  for (const v of document.querySelectorAll('.view')) v.classList.add('hidden');
  document.getElementById('tabs')!.classList.add('hidden');
  document.getElementById('view-login')!.classList.remove('hidden');
  document.getElementById('login-error')!.textContent = message;
}

async function refreshCatalog(): Promise<void> {
  try {
    const catalog = await getJson<CatalogInfo>('/console/api/catalog');
    workbench?.editor.setCatalog(catalog);
    data?.setCatalog(catalog);
  } catch {
    // shown on the next action
  }
}

function switchTo(view: View): void {
  current = view;
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', (b as HTMLElement).dataset.view === view);
  for (const v of document.querySelectorAll('.view')) v.classList.toggle('hidden', v.id !== `view-${view}`);
  if (view === 'pipelines') pipelines?.show();
  else pipelines?.hide();
  if (view === 'data') void refreshCatalog().then(() => data?.show());
  else data?.hide();
  if (view === 'connectors') connectors?.show();
  else connectors?.hide();
  location.hash = view;
}

async function start(): Promise<void> {
  let session: Session;
  try {
    session = await getJson<Session>('/console/api/session');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return showLogin();
    return showLogin(`The server did not answer: ${(e as Error).message}`);
  }
  document.getElementById('view-login')!.classList.add('hidden');
  document.getElementById('tabs')!.classList.remove('hidden');
  document.body.classList.toggle('read-only', session.role !== 'admin');
  const who = document.getElementById('who')!;
  who.replaceChildren(el('span', '', session.user), el('span', 'role', session.role), el('span', '', `v${session.version}`));
  if (session.authenticated) {
    const out = el('button', '', 'Sign out');
    out.addEventListener('click', () => {
      signOut();
      location.reload();
    });
    who.append(out);
  }
  workbench ??= new Workbench(session.properties, () => void refreshCatalog());
  pipelines ??= new Pipelines(() => void refreshCatalog());
  data ??= new DataBrowser();
  connectors ??= new Connectors();
  await refreshCatalog();
  const wanted = location.hash.slice(1) as View;
  switchTo(['workbench', 'pipelines', 'data', 'connectors'].includes(wanted) ? wanted : 'workbench');
}

document.getElementById('tabs')!.addEventListener('click', (e) => {
  const view = (e.target as HTMLElement).dataset.view as View | undefined;
  if (view && view !== current) switchTo(view);
});

document.getElementById('login-form')!.addEventListener('submit', (e) => {
  e.preventDefault();
  const f = new FormData(e.target as HTMLFormElement);
  setCredentials(String(f.get('user') ?? ''), String(f.get('password') ?? ''), String(f.get('apiKey') ?? ''));
  void getJson('/console/api/session').then(
    () => start(),
    (err) => {
      signOut();
      showLogin(err instanceof ApiError && err.status === 401 ? 'Wrong user, password or API key.' : (err as Error).message);
    },
  );
});

void start();
