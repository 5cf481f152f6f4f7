/**
 * A bare Kafka protocol connection for tests that must send what real clients never do (bad
 * frames, unknown API keys, a batch resent by hand). Requests are encoded with the broker's own
 * generated schemas; everything else in test/broker uses real clients.
 */
import { connect, type Socket } from 'node:net';
import { SERVED } from '../../src/broker/api-versions.js';
import { readStruct, writeStruct, type Msg } from '../../src/broker/protocol/codec.js';
import { Reader } from '../../src/broker/protocol/reader.js';
import { Writer } from '../../src/broker/protocol/writer.js';

export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: ((frame: Buffer) => void)[] = [];
  private closedWaiters: (() => void)[] = [];
  closed = false;
  private correlation = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const n = this.buf.readInt32BE(0);
        const frame = this.buf.subarray(4, 4 + n);
        this.buf = this.buf.subarray(4 + n);
        this.waiters.shift()?.(frame);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.closedWaiters) w();
    });
    socket.on('error', () => {});
  }

  static open(address: string): Promise<RawClient> {
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  nextFrame(timeoutMs = 5000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no response')), timeoutMs);
      this.waiters.push((f) => {
        clearTimeout(t);
        resolve(f);
      });
    });
  }

  whenClosed(timeoutMs = 5000): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.closedWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  encode(apiKey: number, version: number, body: Msg): Buffer {
    const api = SERVED.get(apiKey)!;
    const flexible = version >= api.schema.flexible;
    const w = new Writer();
    const fill = w.sizePrefix();
    w.int16(apiKey).int16(version).int32(++this.correlation);
    const id = Buffer.from('raw-test');
    w.int16(id.length).raw(id);
    if (flexible) w.uvarint(0);
    writeStruct(api.schema.request, body, version, flexible, w);
    fill();
    return w.toBuffer();
  }

  async request(apiKey: number, version: number, body: Msg): Promise<Msg> {
    const reply = this.nextFrame();
    this.writeRaw(this.encode(apiKey, version, body));
    return this.decode(apiKey, version, await reply);
  }

  decode(apiKey: number, version: number, frame: Buffer): Msg {
    const api = SERVED.get(apiKey)!;
    const r = new Reader(frame);
    r.int32();
    const flexible = version >= api.schema.responseFlexible;
    if (flexible && apiKey !== 18) {
      const n = r.uvarint();
      for (let i = 0; i < n; i++) {
        r.uvarint();
        r.bytesRaw(r.uvarint());
      }
    }
    return readStruct(api.schema.response, version, flexible, r);
  }

  close(): void {
    this.socket.destroy();
  }
}
