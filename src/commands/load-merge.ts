import { readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { EnvironmentError, ExitCode, UsageError } from '../core/errors.js';
import { mergeResults } from '../loadgen/merge.js';
import { parseLoadResults, type LoadResults } from '../loadgen/results.js';
import { renderLoadSummary } from '../loadgen/summary-table.js';
import type { CommandContext } from './context.js';

export interface LoadMergeOptions {
  /** Write the merged document here. */
  readonly out?: string;
  /** Print the merged document on stdout; the default without `out`. */
  readonly json: boolean;
}

/**
 * `load merge a.json b.json`: one results document from several runs or machines, with histograms
 * added so the percentiles are those of the union of samples. Without --out the document goes to
 * stdout; with it, the summary table does (unless --json).
 */
export async function runLoadMerge(
  files: readonly string[],
  options: LoadMergeOptions,
  ctx: CommandContext,
): Promise<ExitCode> {
  const { io } = ctx;
  const documents: LoadResults[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(resolve(io.cwd, file), 'utf8');
    } catch (error) {
      throw new UsageError(`${file}: cannot read it (${errorCode(error)})`);
    }
    documents.push(parseLoadResults(relative(io.cwd, resolve(io.cwd, file)) || file, text).results);
  }
  const [first, ...rest] = documents;
  if (!first) throw new UsageError('give at least one results file to merge');
  const merged = mergeResults(first, ...rest);
  const json = `${JSON.stringify(merged, null, 2)}\n`;
  if (options.out !== undefined) {
    const target = resolve(io.cwd, options.out);
    try {
      await writeFile(target, json);
    } catch (error) {
      throw new EnvironmentError(`cannot write ${target} (${errorCode(error)})`);
    }
  }
  io.stdout.write(options.json || options.out === undefined ? json : renderLoadSummary(merged));
  ctx.logger.info(`merged ${documents.length} results files`, {
    requests: merged.totals.requests,
    out: options.out,
  });
  return ExitCode.ok;
}

function errorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}
