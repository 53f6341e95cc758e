/**
 * The `kalshi-actor` CLI as a real child process, for the process-level supervisor tests: the
 * real `src/main/bin.ts` under tsx's loader (as test/main/kill-command.test.ts runs it), stdout
 * and stderr captured line by line, waits for a line matching a pattern (never a fixed sleep),
 * signals, and a cleanup that leaves no child behind.
 *
 * Every child spawned here is registered until it has exited; `killAllChildren()` (call it in
 * `afterEach`) SIGKILLs whatever is still alive and waits for its exit. A test process that ends
 * some other way still SIGKILLs its children synchronously on 'exit'.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const TSX_LOADER = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
const BIN = join(REPO, 'src/main/bin.ts');

/**
 * One captured line, with its stream and when it arrived. A JSON log record of `kalshi-actor run`
 * (stdout is a pipe here, so its log is pino JSON: src/main/logger.ts) is shown in `text` as
 * `<ISO time> <msg>` — the host's old plain format, which the tests' patterns expect — and kept
 * whole in `record`; any other line (the `kill` command's output, stderr) is `text` as is.
 */
export interface Line {
  stream: 'out' | 'err';
  text: string;
  atMs: number;
  record?: Record<string, unknown>;
}

/** A pino JSON record (`{"level":…,"time":…,"msg":…}`) from one line, or undefined for any other line. */
export function logRecord(raw: string): Record<string, unknown> | undefined {
  if (!raw.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.msg !== 'string' || (typeof r.time !== 'string' && typeof r.time !== 'number') || !('level' in r)) return undefined;
  if (Number.isNaN(new Date(r.time).getTime())) return undefined;
  return r;
}

/** A record's level (if not info) and fields beyond the standard ones, for failure messages. */
function extraFields(l: Line): string {
  if (l.record === undefined) return '';
  const { level, time: _time, pid: _pid, hostname: _hostname, msg: _msg, ...fields } = l.record;
  const lvl = level === 'info' || level === 30 ? '' : ` [${String(level)}]`;
  return Object.keys(fields).length === 0 ? lvl : `${lvl} ${JSON.stringify(fields)}`;
}

/** A captured line: a log record as `<ISO time> <msg>` (and the record), anything else unchanged. */
export function captureLine(stream: 'out' | 'err', raw: string, atMs: number): Line {
  const record = logRecord(raw);
  if (record === undefined) return { stream, text: raw, atMs };
  return { stream, text: `${new Date(record.time as string | number).toISOString()} ${record.msg as string}`, atMs, record };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const live = new Set<ChildCli>();
process.once('exit', () => {
  for (const c of live) c.child.kill('SIGKILL');
});

/**
 * The environment a child gets: this one without anything that would change the host's settings
 * behind the test's back (the KALSHI_* and DATABASE_URL variables a developer may have set).
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('KALSHI_') || k === 'DATABASE_URL') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export class ChildCli {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  private waiters: Array<() => void> = [];

  constructor(readonly label: string, argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
    this.child = spawn(process.execPath, ['--import', TSX_LOADER, BIN, ...argv], {
      cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this);
    const capture = (stream: 'out' | 'err', from: NodeJS.ReadableStream) => {
      const rl = createInterface({ input: from, crlfDelay: Infinity });
      rl.on('line', (text) => {
        this.lines.push(captureLine(stream, text, Date.now()));
        this.wake();
      });
      return new Promise<void>((resolve) => rl.once('close', () => resolve()));
    };
    const outDone = capture('out', this.child.stdout!);
    const errDone = capture('err', this.child.stderr!);
    const exited = new Promise<Exit>((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
      this.child.once('error', () => resolve({ code: null, signal: null })); // spawn failed
    });
    // Exited and every captured line read.
    this.exited = Promise.all([exited, outDone, errDone]).then(([e]) => {
      this.exit = e;
      live.delete(this);
      this.wake();
      return e;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The lines' text, both streams, in arrival order. */
  texts(): string[] {
    return this.lines.map((l) => l.text);
  }

  /** The last `n` lines, for failure messages. */
  tail(n = 40): string {
    return this.lines.slice(-n).map((l) => `  [${this.label} ${l.stream}] ${l.text}${extraFields(l)}`).join('\n');
  }

  /**
   * The first line at or after index `from` that matches `pattern`; rejects after `timeoutMs`, or
   * when the process exits without printing one (both with the last lines in the message).
   */
  async waitForLine(pattern: RegExp, timeoutMs = 60_000, from = 0): Promise<{ text: string; index: number }> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      for (let i = from; i < this.lines.length; i++) {
        if (pattern.test(this.lines[i].text)) return { text: this.lines[i].text, index: i };
      }
      from = Math.max(from, this.lines.length);
      if (this.exit !== undefined) {
        throw new Error(`${this.label} exited (${JSON.stringify(this.exit)}) without a line matching ${pattern}\n${this.tail()}`);
      }
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${this.label} to print ${pattern}\n${this.tail()}`);
      await this.nextEvent(Math.min(left, 1_000));
    }
  }

  /** Send `signal` (no-op once exited). */
  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** SIGKILL and wait for the exit. */
  async sigkill(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** Wait for the exit, at most `timeoutMs` (then SIGKILL it and fail). */
  async waitExit(timeoutMs = 60_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const r = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (r === 'timeout') {
      await this.sigkill();
      throw new Error(`${this.label} did not exit within ${timeoutMs} ms (killed)\n${this.tail()}`);
    }
    return r;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private nextEvent(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}

/** `kalshi-actor <argv…>` as a child process. */
export function spawnCli(label: string, argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): ChildCli {
  return new ChildCli(label, argv, options);
}

/** Run a short command to its end: exit code and the lines of each stream. */
export async function runCli(argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ code: number | null; out: string[]; err: string[] }> {
  const c = new ChildCli(`kalshi-actor ${argv[0] ?? ''}`, argv, options);
  const e = await c.waitExit(options.timeoutMs ?? 60_000);
  return { code: e.code, out: c.lines.filter((l) => l.stream === 'out').map((l) => l.text), err: c.lines.filter((l) => l.stream === 'err').map((l) => l.text) };
}

/** SIGKILL every child still alive and wait for each to exit (afterEach). */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...live].map((c) => c.sigkill()));
}

/** A TCP port free right now on 127.0.0.1 (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (port === 0) throw new Error('no free port found');
  return port;
}

/** Poll an async condition every `everyMs` until it holds; fail after `timeoutMs` naming `what`. */
export async function untilAsync(cond: () => Promise<boolean>, what: string, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Write `key`'s private key as a PKCS#8 PEM file (mode 0600) for a child's --private-key; returns the path. */
export function writeKeyPem(dir: string, key: { privateKey: KeyObject }, name = 'key.pem'): string {
  const file = join(dir, name);
  writeFileSync(file, key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  return file;
}

/**
 * Up to `n` tickers of open simulator markets that close at least `minCloseInMs` from now
 * (so no closing-market rule of the supervisor interferes), in index order.
 */
export function openTickers(markets: ReadonlyArray<{ ticker: string; status: string; closeMs: number }>, n: number, minCloseInMs = 6 * 3_600_000): string[] {
  const now = Date.now();
  return markets.filter((m) => m.status === 'active' && m.closeMs > now + minCloseInMs).slice(0, n).map((m) => m.ticker);
}

/** The id a host prints in `trading N markets on … session <id>`. */
export const SESSION_LINE = /^\S+ trading \d+ markets on .*, session ([A-Za-z0-9]{1,12})\b/;

/**
 * A TCP gate in front of a server: connections are accepted at once but held — nothing is read
 * or forwarded — until `open()`; from then on every connection (held or new) is piped to the
 * target. `connections` counts those that arrived, so a test knows the moment a child reaches
 * for the target (e.g. its first WebSocket), and holds it there while it does something else.
 */
export class TcpGate {
  private server: Server | undefined;
  private readonly held: Socket[] = [];
  private readonly sockets = new Set<Socket>();
  private opened = false;
  connections = 0;
  port = 0;

  constructor(private readonly targetHost: string, private readonly targetPort: number) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      this.connections++;
      client.pause();
      client.on('error', () => client.destroy());
      this.sockets.add(client);
      client.once('close', () => this.sockets.delete(client));
      if (this.opened) this.forward(client);
      else this.held.push(client);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  open(): void {
    this.opened = true;
    for (const c of this.held.splice(0)) if (!c.destroyed) this.forward(c);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  private forward(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', drop).on('close', drop);
    client.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }
}
