import type { Partition } from './types.js';

export const wholeRun: Partition = { index: 0, count: 1 };

/** This partition's part of `total` units: the units whose index is `partition.index` modulo `count`. */
export function shareOf(total: number, partition: Partition): number {
  return Math.max(0, Math.ceil((total - partition.index) / partition.count));
}
