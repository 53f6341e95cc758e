/** The pino sink of `kalshi-actor run`: JSON lines or pretty text, level threshold, secrets never written. */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LogLevel } from '../../src/main/log-line.js';
import { createLogger, lineStream, MIN_SECRET_LENGTH, type LoggerOptions } from '../../src/main/logger.js';
import { loadConfig } from '../../src/main/config/load.js';
import { logSecrets } from '../../src/main/run-command.js';
import { captureLine } from '../supervisor/process/child-host.js';

/** A logger writing into an array of lines (synchronously: no waiting needed). */
function capture(options: Partial<LoggerOptions> & { tty?: boolean } = {}) {
  const lines: string[] = [];
  const destination = lineStream((l) => lines.push(l));
  const { tty, ...rest } = options;
  const made = createLogger({ format: 'auto', level: 'info', destination, ...(tty === undefined ? {} : { isTty: tty }), ...rest });
  return { ...made, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('auto on a non-TTY: one JSON record per line, level label, ISO time, msg, fields', () => {
    const before = Date.now();
    const { log, records, lines } = capture();
    log('trading 3 markets', 'info', { markets: 3, venue: { name: 'sim' } });
    log('book silent', 'warn');
    expect(lines).toHaveLength(2);
    const [first, second] = records();
    expect(first).toMatchObject({ level: 'info', msg: 'trading 3 markets', markets: 3, venue: { name: 'sim' }, pid: process.pid });
    expect(typeof first.time).toBe('string');
    expect(first.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const t = Date.parse(first.time as string);
    expect(t).toBeGreaterThanOrEqual(before - 1);
    expect(t).toBeLessThanOrEqual(Date.now() + 1);
    expect(first).not.toHaveProperty('hostname');
    expect(second).toMatchObject({ level: 'warn', msg: 'book silent' });
  });

  it('a destination stream that is not a TTY gets JSON; one that is gets pretty text', () => {
    const out = new PassThrough();
    const { log } = createLogger({ format: 'auto', level: 'info', destination: out });
    log('plain pipe');
    expect(JSON.parse(String(out.read()))).toMatchObject({ level: 'info', msg: 'plain pipe' });

    const tty = Object.assign(new PassThrough(), { isTTY: true });
    createLogger({ format: 'auto', level: 'info', destination: tty }).log('on a terminal', 'warn');
    const text = String(tty.read());
    expect(text).toContain('on a terminal');
    expect(text).not.toContain('{"level"');
  });

  it('pretty: readable, with the level name and the message, no JSON', () => {
    const { log, lines } = capture({ format: 'pretty' });
    log('kill switch engaged: drill (flatten)', 'error');
    log('status', 'info', { orders: 4 });
    const text = lines.join('\n');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] ERROR: kill switch engaged: drill \(flatten\)$/m);
    expect(text).toMatch(/INFO: status/);
    expect(text).toMatch(/orders: 4/);
    expect(text).not.toContain('{"level"');
    expect(text).not.toContain('pid');
    expect(text).not.toContain('\u001b['); // not a TTY: no colours
  });

  it('the status line\'s figures: fields in JSON, left out of pretty text (its message says them)', () => {
    const figures = { status: { markets: 3, ordersSent: 7, cashMicros: 995_550_000 } };
    const json = capture({ format: 'json' });
    json.log('markets 3/3 | orders 7', 'info', figures);
    expect(json.records()[0]).toMatchObject({ msg: 'markets 3/3 | orders 7', ...figures });
    const pretty = capture({ format: 'pretty' });
    pretty.log('markets 3/3 | orders 7', 'info', figures);
    expect(pretty.lines.join('\n')).toContain('markets 3/3 | orders 7');
    expect(pretty.lines.join('\n')).not.toContain('cashMicros');
  });
  it('pretty on a TTY is coloured; json forced on a TTY is JSON', () => {
    const coloured = capture({ format: 'auto', tty: true });
    coloured.log('hello', 'warn');
    expect(coloured.lines.join('\n')).toContain('\u001b[');
    expect(coloured.lines.join('\n')).toContain('hello');
    const json = capture({ format: 'json', tty: true });
    json.log('hello');
    expect(json.records()[0]).toMatchObject({ level: 'info', msg: 'hello' });
  });

  it('drops lines below the level', () => {
    const { log, records } = capture({ level: 'info' });
    log('trace line', 'trace');
    log('debug line', 'debug');
    log('info line');
    log('fatal line', 'fatal');
    expect(records().map((r) => r.msg)).toEqual(['info line', 'fatal line']);
    const debug = capture({ level: 'debug' });
    debug.log('debug line', 'debug');
    debug.log('trace line', 'trace');
    expect(debug.records().map((r) => r.msg)).toEqual(['debug line']);
  });

  it('log maps each level, info by default', () => {
    const { log, records } = capture({ level: 'trace' });
    const levels: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
    for (const level of levels) log(`at ${level}`, level);
    log('no level');
    expect(records().map((r) => [r.level, r.msg])).toEqual([...levels.map((l) => [l, `at ${l}`]), ['info', 'no level']]);
  });

  it('secret fields are redacted, in JSON and in pretty text', () => {
    const fields = {
      token: 'secret-token-123456',
      headers: { authorization: 'Bearer x-very-secret', 'KALSHI-ACCESS-SIGNATURE': 'sig-abcdefgh', 'kalshi-access-key': 'key-abcdefgh', accept: 'application/json' },
      config: { apiKey: 'abc-api-key', controlToken: 'ctl-token-0123456789', keyId: 'key-id-12345678', privateKeyPath: '/keys/demo.pem' },
      request: { privateKey: '-----BEGIN PRIVATE KEY-----xyz' },
      'KALSHI-ACCESS-KEY': 'top-level-key-id',
    };
    const secrets = ['secret-token-123456', 'Bearer x-very-secret', 'x-very-secret', 'sig-abcdefgh', 'key-abcdefgh', 'abc-api-key', 'ctl-token-0123456789', 'key-id-12345678', 'PRIVATE KEY', 'top-level-key-id'];
    const json = capture();
    json.log('request sent', 'info', fields);
    const text = json.lines.join('\n');
    for (const s of secrets) expect(text).not.toContain(s);
    const [r] = json.records();
    expect(r).toMatchObject({
      token: '[redacted]',
      headers: { authorization: '[redacted]', 'KALSHI-ACCESS-SIGNATURE': '[redacted]', 'kalshi-access-key': '[redacted]', accept: 'application/json' },
      config: { apiKey: '[redacted]', controlToken: '[redacted]', keyId: '[redacted]', privateKeyPath: '/keys/demo.pem' },
      request: { privateKey: '[redacted]' },
      'KALSHI-ACCESS-KEY': '[redacted]',
    });
    const unset = capture();
    unset.log('config', 'info', { config: { controlToken: undefined, keyId: undefined, exchange: 'sim' } });
    expect(unset.records()[0].config).toEqual({ exchange: 'sim' }); // an unset secret is not shown as set

    const pretty = capture({ format: 'pretty' });
    pretty.log('request sent', 'info', fields);
    const prettyText = pretty.lines.join('\n');
    for (const s of secrets) expect(prettyText).not.toContain(s);
    expect(prettyText).toContain('/keys/demo.pem');
  });

  it('a configured secret is redacted wherever it occurs: message, nested field, error', () => {
    const token = 'ctl-token-0123456789abcdef';
    const keyId = '5b6f2c1e-0000-4000-8000-123456789abc';
    const { log, lines, records } = capture({ secrets: [keyId, token, undefined] });
    log(`signed in as ${keyId} with token ${token}`, 'warn');
    log('request failed', 'error', { detail: { url: `http://x/?t=${token}` }, err: new Error(`bad token ${token}`) });
    const text = lines.join('\n');
    expect(text).not.toContain(token);
    expect(text).not.toContain(keyId);
    const [first, second] = records();
    expect(first.msg).toBe('signed in as [redacted] with token [redacted]');
    expect((second.detail as { url: string }).url).toBe('http://x/?t=[redacted]');
    expect((second.err as { message: string }).message).toBe('bad token [redacted]');

    const pretty = capture({ format: 'pretty', secrets: [token] });
    pretty.log(`token ${token}`);
    expect(pretty.lines.join('\n')).toContain('token [redacted]');
    expect(pretty.lines.join('\n')).not.toContain(token);
  });

  it('a secret with JSON-escaped characters is redacted too', () => {
    const secret = 'quote"and\\slash-1234';
    const { log, lines, records } = capture({ secrets: [secret] });
    log(`the secret is ${secret}`);
    expect(lines.join('\n')).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(records()[0].msg).toBe('the secret is [redacted]');
  });

  it(`a secret shorter than ${MIN_SECRET_LENGTH} characters is not used (it would redact ordinary words)`, () => {
    const { log, records } = capture({ secrets: ['k', 'info', 'trading', '', 'trading-key'] });
    log('trading 3 markets, key k, trading-key used');
    expect(records()[0]).toMatchObject({ level: 'info', msg: 'trading 3 markets, key k, [redacted] used' });
  });

  it('writes synchronously: the line is out before the call returns, also to a plain Writable', () => {
    const chunks: string[] = [];
    const destination = new Writable({ write(chunk: Buffer, _e, cb) { chunks.push(chunk.toString()); cb(); } });
    for (const format of ['json', 'pretty'] as const) {
      const { log, flush } = createLogger({ format, level: 'info', destination });
      const n = chunks.length;
      log(`now ${format}`);
      expect(chunks.length).toBeGreaterThan(n);
      expect(chunks.slice(n).join('')).toContain(`now ${format}`);
      flush();
    }
  });

  it("run's secrets: the API key id, the control token and the database password, never the key file's path", () => {
    const config = loadConfig(
      ['--exchange', 'demo', '--key-id', 'key-id-0123456789', '--private-key', '/keys/demo.pem', '--control-token', 'ctl-token-0123456789', '--db', 'postgres://u:p%40ss-word-99@db/x'],
      {},
    );
    expect(logSecrets(config)).toEqual(['key-id-0123456789', 'ctl-token-0123456789', 'p%40ss-word-99', 'p@ss-word-99']);
    expect(logSecrets(loadConfig([], {}))).toEqual([]);
  });

  it("child-host's reader turns a JSON record back into `<ISO time> <msg>`, other lines unchanged", () => {
    const { log, lines } = capture();
    log('supervisor: trading → halted (kill_switch)', 'warn');
    const line = captureLine('out', lines[0], 0);
    expect(line.text).toMatch(/^\d{4}-\d\d-\d\dT\S+Z supervisor: \w+ → halted \(kill_switch\)$/);
    expect(line.record).toMatchObject({ level: 'warn' });
    expect(captureLine('out', 'kill switch ENGAGED (reason: "drill", flatten yes)', 0).text).toBe('kill switch ENGAGED (reason: "drill", flatten yes)');
    expect(captureLine('err', '{"not":"a record"}', 0)).toEqual({ stream: 'err', text: '{"not":"a record"}', atMs: 0 });
  });
});
