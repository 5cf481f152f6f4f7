/** The logical rewrite rules, one file each, in the order they run. */
import type { LogicalPlan } from '../logical/logical-plan.js';
import { readJoinKeyRule } from './read-join-key.js';
import { pushDownFilterRule } from './push-down-filter.js';
import { readPartitionKeysRule } from './read-partition-keys.js';
import { rewriteMagicTimestampsRule } from './rewrite-magic-timestamps.js';

export type Rule = (plan: LogicalPlan) => LogicalPlan;

export const RULES: readonly Rule[] = [rewriteMagicTimestampsRule, readPartitionKeysRule, readJoinKeyRule, pushDownFilterRule];

export function applyRules(plan: LogicalPlan, rules: readonly Rule[] = RULES): LogicalPlan {
  return rules.reduce((p, rule) => rule(p), plan);
}
