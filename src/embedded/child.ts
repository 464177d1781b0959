import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/**
 * A server process the demo or the tests started. It runs in its own process group, so a Ctrl+C in
 * the terminal reaches only Node, which then stops the service first and this server after it (in
 * the same group the server would quit at once, under the still-running service). Its output goes to
 * a log file, whose tail is shown if it fails.
 */
export interface ServerChild {
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process has exited (at once if it already has). */
  exited: Promise<void>;
  isRunning(): boolean;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
  /** Sends `signal`, waits up to `graceMs`, then kills its whole process group. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
}

export function spawnServer(command: string, args: string[], opts: { logFile: string; uid?: number; gid?: number; env?: NodeJS.ProcessEnv }): Promise<ServerChild> {
  const fd = openSync(opts.logFile, 'a');
  const options: SpawnOptions = { detached: true, stdio: ['ignore', fd, fd], env: opts.env };
  if (opts.uid !== undefined) Object.assign(options, { uid: opts.uid, gid: opts.gid });
  const child = spawn(command, args, options);
  closeSync(fd);
  let running = true;
  const exited = new Promise<void>((resolve) => child.once('exit', () => ((running = false), resolve())));
  const logTail = (n = 8) => {
    try {
      return readFileSync(opts.logFile, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
    } catch {
      return '';
    }
  };
  const stop = async (signal: NodeJS.Signals, graceMs: number) => {
    if (!running) return;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
    clearTimeout(timer);
    if (late && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    }
  };
  // A command that cannot be started (ENOENT, EACCES) rejects here instead of leaving a dead handle.
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      running = false;
      reject(err);
    });
    child.once('spawn', () => resolve({ child, logFile: opts.logFile, exited, isRunning: () => running, logTail, stop }));
  });
}

/** Polls `ready` until it is true; fails early with the log tail if the process exits, or after `timeoutMs`. */
export async function waitUntilReady(server: ServerChild, what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.isRunning()) throw new Error(`${what} exited during start-up (log: ${server.logFile}):\n${server.logTail()}`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s (log: ${server.logFile}):\n${server.logTail()}`);
}
