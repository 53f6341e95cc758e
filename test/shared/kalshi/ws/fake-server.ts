/**
 * A scripted Kalshi-like WebSocket server for the client's tests (`ws`'s WebSocketServer on
 * loopback): it checks the signed upgrade like Kalshi does, records every handshake and command,
 * and lets a test answer commands and push frames by hand — for what the simulator cannot
 * produce on demand (error codes 10/17/25, refused get_snapshot, acks carrying seq, silence,
 * refused upgrades).
 */
import type { IncomingMessage } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { WebSocket, WebSocketServer } from 'ws';
import { HEADER_KEY, HEADER_SIGNATURE, HEADER_TIMESTAMP, verifySignature, WS_SIGNED_PATH } from '../../../../src/shared/kalshi-signing.js';

export interface Handshake {
  keyId: string;
  timestamp: string;
  signature: string;
}

export interface ReceivedCommand {
  socket: FakeSocket;
  id: number;
  cmd: string;
  params?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export class FakeSocket {
  pongs = 0;
  closed = false;
  constructor(readonly ws: WebSocket) {
    ws.on('pong', () => this.pongs++);
    ws.on('close', () => (this.closed = true));
  }

  send(frame: unknown): void {
    if (!this.closed) this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  ping(): void {
    if (!this.closed) this.ws.ping('heartbeat');
  }

  /** Cut without a close frame. */
  drop(): void {
    this.ws.terminate();
  }
}

export class FakeKalshiServer {
  readonly handshakes: Handshake[] = [];
  readonly sockets: FakeSocket[] = [];
  readonly commands: ReceivedCommand[] = [];
  /** Refuse upgrades with 401 while true. */
  refuse = false;
  /** Called for every command (after it is recorded). */
  onCommand: ((c: ReceivedCommand) => void) | undefined;
  private readonly wss: WebSocketServer;
  private waiters: Array<() => void> = [];

  private constructor(wss: WebSocketServer, readonly url: string) {
    this.wss = wss;
  }

  static async start(publicKey: KeyObject): Promise<FakeKalshiServer> {
    let server!: FakeKalshiServer;
    const wss = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      path: WS_SIGNED_PATH,
      verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number) => void) => {
        const h = info.req.headers;
        const keyId = String(h[HEADER_KEY.toLowerCase()] ?? '');
        const timestamp = String(h[HEADER_TIMESTAMP.toLowerCase()] ?? '');
        const signature = String(h[HEADER_SIGNATURE.toLowerCase()] ?? '');
        const ok = !server.refuse && verifySignature(publicKey, timestamp, 'GET', WS_SIGNED_PATH, signature);
        if (ok) server.handshakes.push({ keyId, timestamp, signature });
        done(ok, 401);
      },
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const port = (wss.address() as { port: number }).port;
    server = new FakeKalshiServer(wss, `ws://127.0.0.1:${port}${WS_SIGNED_PATH}`);
    wss.on('connection', (ws) => {
      const socket = new FakeSocket(ws);
      server.sockets.push(socket);
      ws.on('message', (data) => {
        const cmd = JSON.parse(data.toString()) as Omit<ReceivedCommand, 'socket'>;
        const c = { socket, ...cmd };
        server.commands.push(c);
        server.onCommand?.(c);
        server.wake();
      });
      ws.on('close', () => server.wake());
      server.wake();
    });
    return server;
  }

  /** The socket that connected last. */
  get last(): FakeSocket {
    return this.sockets[this.sockets.length - 1];
  }

  openSockets(): number {
    return this.sockets.filter((s) => !s.closed).length;
  }

  /** Resolves once `pred()` holds (checked on every connection, command and close, and every 20 ms). */
  async until(pred: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`fake server: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Commands of kind `cmd` (optionally only on `socket`). */
  commandsOf(cmd: string, socket?: FakeSocket): ReceivedCommand[] {
    return this.commands.filter((c) => c.cmd === cmd && (socket === undefined || c.socket === socket));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.wake();
  }
}
