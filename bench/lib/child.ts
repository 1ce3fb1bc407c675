import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A server running in its own Node process, so it does not share an event loop with autocannon. */
export interface ChildServer {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

export interface ChildOptions {
  /** A .ts file, run as `node --import tsx <script>` (how the orchestrator runs in production). */
  script: string;
  cwd: string;
  env: Record<string, string | undefined>;
  /**
   * How to learn the port: `ipc` waits for `process.send({ port })` from the child; a number is
   * the port the child was told to use, and `readyPath` is polled until it answers 200.
   */
  port: 'ipc' | number;
  readyPath?: string;
  timeoutMs?: number;
}

const TSX_LOADER = import.meta.resolve('tsx');

function describeExit(child: ChildProcess, logFile: string): string {
  let output = '';
  try {
    output = readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n');
  } catch {
    // no output
  }
  return `exited (code ${child.exitCode}, signal ${child.signalCode})${output ? `:\n${output}` : ' without output'}`;
}

export async function startChildServer(options: ChildOptions): Promise<ChildServer> {
  // BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers (node
  // refuses --cpu-prof in NODE_OPTIONS).
  const extra = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // The server's output goes to a file, not through this process: reading it here would cost
  // the load generator CPU (it matters with BENCH_APP_LOG_LEVEL=info). Shown if start-up fails.
  const logDir = mkdtempSync(path.join(tmpdir(), 'afenda-bench-log-'));
  const logFile = path.join(logDir, 'server.log');
  const fd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...extra, '--import', TSX_LOADER, options.script], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', fd, fd, 'ipc'],
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(logDir, { recursive: true, force: true });
  };

  try {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.script} did not become ready in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done = (err: Error | null, value?: number) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as number);
      };
      void exited.then(() => done(new Error(`${options.script} ${describeExit(child, logFile)}`)));
      if (options.port === 'ipc') {
        child.once('message', (msg: { port?: number }) =>
          typeof msg?.port === 'number'
            ? done(null, msg.port)
            : done(new Error('bad ready message')),
        );
        return;
      }
      const port = options.port;
      const url = `http://127.0.0.1:${port}${options.readyPath ?? '/'}`;
      const poll = async () => {
        while (child.exitCode === null && child.signalCode === null) {
          try {
            const res = await fetch(url);
            await res.arrayBuffer();
            if (res.ok) return done(null, port);
          } catch {
            // not listening yet
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      void poll();
    });
    return { pid: child.pid as number, port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
