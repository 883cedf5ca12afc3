/** commander's accumulator for a repeatable flag (`--link a --link b`). */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
