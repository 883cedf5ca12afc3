import { formatDuration } from '../core/duration.js';
import { ExitCode } from '../core/errors.js';
import { controlClient } from '../chaos/local/control-client.js';
import { processAlive, readState } from '../chaos/state-file.js';
import type { CommandContext } from './context.js';
import { statePathOf } from '../chaos/state-path.js';

/**
 * `chaos status`: the faults in the state file, with age and time left, and whether the run that
 * injected them is alive (a dead one's faults are leftovers for `chaos revert`). With --proxy-url,
 * also the toxics the proxies hold that no state file here knows of.
 */
export async function runChaosStatus(
  options: { readonly state?: string; readonly proxyUrl?: string; readonly json: boolean },
  ctx: CommandContext,
): Promise<ExitCode> {
  const state = await readState(statePathOf(options.state, ctx.io.cwd));
  const now = ctx.clock.now();
  const known = new Set(
    state.faults.flatMap((f) => (f.handle.kind === 'local' ? f.handle.toxics.map((t) => t.toxic) : [])),
  );
  const unknown: { fault: string; target: string; startedAt: null; expiresAt: string; proxy: string }[] = [];
  if (options.proxyUrl) {
    for (const proxy of Object.values(await controlClient(options.proxyUrl).proxies())) {
      for (const toxic of proxy.toxics) {
        if (!known.has(toxic.name)) {
          unknown.push({
            fault: `${toxic.type} (${toxic.name})`,
            target: 'local',
            startedAt: null,
            expiresAt: toxic.expiresAt,
            proxy: proxy.name,
          });
        }
      }
    }
  }
  const faults = state.faults.map((f) => ({
    id: f.id,
    fault: f.fault,
    target: f.target,
    status: f.status,
    startedAt: f.startedAt,
    expiresAt: f.expiresAt,
    ageMs: now - Date.parse(f.startedAt),
    remainingMs: Math.max(0, Date.parse(f.expiresAt) - now),
    pid: f.pid,
    injectorAlive: processAlive(f.pid),
    params: f.params,
  }));
  if (options.json) {
    ctx.io.stdout.write(`${JSON.stringify([...faults, ...unknown], null, 2)}\n`);
    return ExitCode.ok;
  }
  if (faults.length === 0 && unknown.length === 0) {
    ctx.io.stdout.write('no active faults\n');
    return ExitCode.ok;
  }
  for (const f of faults) {
    const who = f.injectorAlive ? `pid ${f.pid}` : `pid ${f.pid} gone: run shopsre chaos revert`;
    ctx.io.stdout.write(
      `${f.fault.padEnd(18)} ${f.target.padEnd(10)} ${f.status.padEnd(9)} age ${formatDuration(Math.max(1, f.ageMs))}, ${formatDuration(Math.max(1, f.remainingMs))} left  (${who})\n`,
    );
  }
  for (const u of unknown) {
    ctx.io.stdout.write(
      `${u.fault.padEnd(18)} local      on proxy ${u.proxy}, expires ${u.expiresAt} (not in this state file)\n`,
    );
  }
  return ExitCode.ok;
}
