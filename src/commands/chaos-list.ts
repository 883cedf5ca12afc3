import { ExitCode } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import { catalogue, faultNames, type FaultParam } from '../chaos/catalogue.js';
import type { CommandContext } from './context.js';

/** `chaos list`: the catalogue, one fault per line, or as JSON. */
export function runChaosList(options: { readonly json: boolean }, ctx: CommandContext): Promise<ExitCode> {
  const faults = faultNames.map((name) => catalogue[name]);
  if (options.json) {
    const list = faults.map((f) => ({
      name: f.name,
      description: f.description,
      target: f.target,
      maxDurationMs: f.maxDurationMs,
      defaultDurationMs: f.defaultDurationMs,
      params: Object.entries(f.params).map(([name, param]) => ({ name, ...param })),
    }));
    ctx.io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return Promise.resolve(ExitCode.ok);
  }
  const width = Math.max(...faults.map((f) => f.name.length));
  const lines = faults.flatMap((f) => [
    `${f.name.padEnd(width)}  ${f.description} (at most ${formatDuration(f.maxDurationMs)})`,
    ...Object.entries(f.params).map(
      ([name, param]) => `${''.padEnd(width)}    --param ${name}=${describeParam(param)}`,
    ),
  ]);
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return Promise.resolve(ExitCode.ok);
}

function describeParam(param: FaultParam): string {
  switch (param.kind) {
    case 'number':
      return `${param.default}${param.unit ?? ''}  (${param.min}–${param.max}${param.unit ? ` ${param.unit}` : ''}: ${param.description})`;
    case 'choice':
      return `${param.default}  (${param.choices.join(' | ')}: ${param.description})`;
    case 'text':
      return `${param.default}  (${param.description})`;
  }
}
