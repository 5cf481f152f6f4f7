/**
 * bench/server's load for the delivery run, on its own thread: N push-query clients on
 * /query-stream and one producer pacing rows into /inserts-stream. Posts one report line.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, clients: CLIENTS, rate: RATE, seconds: SECONDS } = workerData as { url: string; clients: number; rate: number; seconds: number };
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** `onLine` gets each line and the time its chunk arrived (one clock read per chunk, not per row) */
function post(path: string, body: string, onLine: (line: string, now: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        const now = Date.now();
        buf += c;
        let from = 0;
        let nl: number;
        while ((nl = buf.indexOf('\n', from)) >= 0) {
          onLine(buf.slice(from, nl), now);
          from = nl + 1;
        }
        buf = buf.slice(from);
      });
      res.on('end', () => resolve());
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** delivery latencies as a histogram of whole milliseconds (10 M samples would not sort quickly) */
const histogram = new Float64Array(600_001);
let maxLatency = 0;

function percentile(p: number): number {
  const wanted = Math.ceil((p / 100) * delivered);
  let seen = 0;
  for (let ms = 0; ms < histogram.length; ms++) if ((seen += histogram[ms]!) >= wanted) return ms;
  return NaN;
}

let delivered = 0;
const started: Promise<void>[] = [];
const streams: Promise<void>[] = [];
for (let c = 0; c < CLIENTS; c++) {
  let ready!: () => void;
  started.push(new Promise((r) => (ready = r)));
  let header = false;
  streams.push(
    post('/query-stream', JSON.stringify({ sql: 'SELECT id, sent FROM c EMIT CHANGES;', properties: { 'auto.offset.reset': 'latest' } }), (line, now) => {
      if (!header) {
        header = true;
        return ready();
      }
      // rows are `[id,sent]`: read the send time without a JSON.parse per row, so the clients'
      // thread is not what limits the figures
      const sent = Number(line.slice(line.lastIndexOf(',') + 1, line.length - 1));
      const latency = Math.max(0, Math.min(histogram.length - 1, now - sent));
      histogram[latency]!++;
      if (latency > maxLatency) maxLatency = latency;
      delivered++;
    }).catch(() => {}),
  );
}
await Promise.all(started);
const total = RATE * SECONDS;
// paced producer: one /inserts-stream request, rows written on a 10 ms tick
await new Promise<void>((resolve, reject) => {
  const req = http.request(new URL('/inserts-stream', url), { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
    res.resume();
    res.on('end', () => resolve());
  });
  req.on('error', reject);
  req.write(`${JSON.stringify({ target: 'C' })}\n`);
  let sent = 0;
  const begin = Date.now();
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((Date.now() - begin) / 1000) * RATE));
    let chunk = '';
    for (; sent < due; sent++) chunk += `${JSON.stringify({ ID: sent, V: 'v', SENT: Date.now() })}\n`;
    if (chunk) req.write(chunk);
    if (sent >= total) {
      clearInterval(tick);
      req.end();
    }
  }, 10);
});
// let the last rows arrive
const deadline = Date.now() + 30_000;
while (delivered < total * CLIENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
parentPort!.postMessage(
  `delivery: ${CLIENTS} push clients, ${RATE} rows/s for ${SECONDS} s: delivered ${delivered}/${total * CLIENTS} ` +
    `(${((100 * delivered) / (total * CLIENTS)).toFixed(1)}%), latency p50 ${percentile(50)} ms, p99 ${percentile(99)} ms, max ${maxLatency} ms`,
);
agent.destroy();

void streams;
