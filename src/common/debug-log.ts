/** SLUICE_DEBUG=1: failure and recovery details on stderr (the Kafka failover runs read them) */
export const debugEnabled = !!process.env.SLUICE_DEBUG;

export function debugLog(line: string): void {
  if (debugEnabled) process.stderr.write(`[sluice-debug ${process.pid} ${new Date().toISOString()}] ${line}\n`);
}
