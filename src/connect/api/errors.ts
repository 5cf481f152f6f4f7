/** Errors a plugin may throw to tell the worker what to do (Connect's org.apache.kafka.connect.errors). */

/** Connect's RetriableException: the operation may succeed if tried again later (the worker restarts the task with backoff). */
export class RetriableError extends Error {
  override readonly name = 'RetriableError';
}
