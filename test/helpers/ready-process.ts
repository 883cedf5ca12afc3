import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

export interface ReadyProcess {
  logs(): string;
  /** SIGTERM, SIGKILL after 10 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A server binary (Prometheus, Alertmanager) as a child process, returned once `readyUrl` answers
 * 2xx. One that exits first, or is not ready within 30 s, fails with what it wrote to stderr (and is
 * stopped).
 */
export async function startUntilReady(
  name: string,
  binary: string,
  args: readonly string[],
  readyUrl: string,
): Promise<ReadyProcess> {
  const logs: string[] = [];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${logs.join('')}`);
    const ready = await fetch(readyUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} not ready after 30 s:\n${logs.join('')}`);
    }
    // Polling a real process start-up; there is nothing to fake here.
    await delay(100);
  }
  return { logs: () => logs.join(''), stop };
}
