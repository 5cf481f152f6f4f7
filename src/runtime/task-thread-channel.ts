/**
 * Calls both ways over one worker-thread port: `call` sends and waits for the answer, incoming
 * calls go to the handlers given, events are one-way. Used on both sides of a task thread.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import type { CallMessage, EventMessage, ThreadMessage } from './task-thread-protocol.js';
import { fromWireError, toWireError } from './task-thread-protocol.js';

export type CallHandler = (...args: any[]) => unknown;

type Port = Pick<MessagePort | Worker, 'postMessage' | 'on' | 'ref' | 'unref'>;

export class ThreadChannel {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closedWith: Error | undefined;

  constructor(
    private readonly port: Port,
    private readonly handlers: Record<string, CallHandler>,
    private readonly onEvent: (event: string, args: unknown[]) => void = () => {},
    /** keep the process alive only while a call is waiting (the main side) */
    private readonly refWhileWaiting = false,
  ) {
    port.on('message', (m: ThreadMessage) => this.receive(m));
    if (refWhileWaiting) port.unref();
  }

  call<T>(op: string, args: unknown[], transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    if (this.refWhileWaiting && this.waiting.size === 0) this.port.ref();
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ type: 'call', id, op, args } satisfies CallMessage, transfer);
    });
  }

  event(event: string, args: unknown[]): void {
    this.port.postMessage({ type: 'event', event, args } satisfies EventMessage);
  }

  /** every waiting call fails with `error` (the other side is gone) */
  fail(error: Error): void {
    // once only: a later unref would undo the ref Worker.terminate() holds until the thread exits
    if (this.closedWith) return;
    this.closedWith = error;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
    if (this.refWhileWaiting) this.port.unref();
  }

  private receive(m: ThreadMessage): void {
    if (m.type === 'reply') {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (this.refWhileWaiting && this.waiting.size === 0) this.port.unref();
      if (m.error) w.reject(fromWireError(m.error));
      else w.resolve(m.value);
      return;
    }
    if (m.type === 'event') return this.onEvent(m.event, m.args);
    void this.answer(m);
  }

  private async answer(m: CallMessage): Promise<void> {
    const handler = this.handlers[m.op];
    try {
      if (!handler) throw new Error(`unknown call ${m.op}`);
      const result = await handler(...m.args);
      const transfer = result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : ((result as { transfer?: ArrayBuffer[] } | undefined)?.transfer ?? []);
      this.port.postMessage({ type: 'reply', id: m.id, value: result }, transfer);
    } catch (e) {
      this.port.postMessage({ type: 'reply', id: m.id, error: toWireError(e) });
    }
  }
}
