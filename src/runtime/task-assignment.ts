/**
 * How a query's tasks are spread over several processes (a Kafka backend: the query's consumer
 * group, see src/log/kafka/task-group-member.ts). The runtime asks which tasks are this process's
 * in the current generation; when the group rebalances it commits and closes every task it runs
 * (eager rebalancing), then rejoins offering the tasks it had, so the assignor can keep them here.
 * A task assigned here restores its stores from their changelogs (only the tail when this process
 * ran it before) and resumes at its committed offsets. A standby task (num.standby.replicas) only
 * keeps its stores' local copies up to their changelogs, so that the tail is short if it moves here.
 */
export interface TaskMembership {
  /** this process's tasks in the current generation; undefined while joining */
  assigned(): { readonly generation: number; readonly tasks: ReadonlySet<string>; readonly standbys?: ReadonlySet<string> } | undefined;
  /** the group moved on (a member joined, left or died): revoke and rejoin */
  readonly stale: boolean;
  readonly isJoining: boolean;
  /** joins in the background offering every task id, asking to keep `owned` (and the warm `standbys`) */
  rejoin(tasks: readonly string[], owned: readonly string[], standbys?: readonly string[]): void;
  /** leaves the group (the tasks move at once); idempotent */
  leave(): Promise<void>;
}
