/**
 * The base of record-level serde failures: such an error is shown by its message alone, and
 * capturing a stack is most of its cost (a bad record would otherwise cost 30-50 µs to reject).
 */
export class StacklessError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message, options);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
