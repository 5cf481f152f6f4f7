/** The column types ksqlDB's ordering aggregates (MIN, MAX, TOPK, TOPKDISTINCT) accept. */
export const COMPARABLE_TYPES = ['INT', 'BIGINT', 'DOUBLE', 'DECIMAL', 'STRING', 'BYTES', 'DATE', 'TIME', 'TIMESTAMP'] as const;
