/** Buttons that act on a pipeline or connector, and the toast that reports a failed action. */
import { ApiError } from './api.js';
import { el } from './grid.js';

export function alertError(e: unknown): void {
  const message = e instanceof ApiError ? `${e.status}: ${e.message}` : e instanceof Error ? e.message : String(e);
  const bar = document.createElement('div');
  bar.className = 'toast';
  bar.textContent = message;
  bar.style.cssText = 'position:fixed;bottom:16px;right:16px;background:#7f1d1d;color:#fff;padding:8px 12px;border-radius:6px;max-width:480px;z-index:10;font-family:ui-monospace,monospace;white-space:pre-wrap';
  document.body.append(bar);
  setTimeout(() => bar.remove(), 6000);
}

/**
 * An admin-only row of action buttons. A button is disabled while its action runs (so a double
 * click does not send it twice); failures become a toast, and `afterEach` refreshes the view either way.
 */
export function actionBar(afterEach: () => Promise<void>): {
  readonly element: HTMLElement;
  add(label: string, run: () => Promise<unknown>, className?: string): void;
} {
  const element = el('div', 'actions admin-only');
  return {
    element,
    add(label, run, className = '') {
      const b = el('button', className, label);
      b.dataset.action = label.toLowerCase();
      b.addEventListener('click', async () => {
        b.disabled = true;
        try {
          await run();
        } catch (e) {
          alertError(e);
        } finally {
          b.disabled = false;
          await afterEach();
        }
      });
      element.append(b);
    },
  };
}
