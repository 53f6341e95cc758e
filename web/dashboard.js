// kalshi-actor dashboard (issue 10): plain browser JavaScript, no framework, no build step, no
// external resource. Reads the host's WebSocket state stream (docs/dashboard.md), renders it,
// and sends the operator's actions (kill switch, markets, order groups) after a confirmation.
//
// Every string from the server reaches the DOM through textContent (never innerHTML). Money is
// µ$ integers formatted with integer arithmetic (BigInt), never through a float.

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------- formatting

/** Narrow no-break space: groups digits without looking like a decimal separator. */
const GROUP = '\u202f';
const DASH = '—';

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const groupDigits = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
const pad = (n, w = 2) => String(n).padStart(w, '0');

/** A count: a whole number, digits grouped. */
function count(v) {
  if (!isNum(v)) return DASH;
  const r = Math.round(v);
  return (r < 0 ? '-' : '') + groupDigits(String(Math.abs(r)));
}

/** A rate per second: one decimal under 10, whole above. */
function rate(v) {
  if (!isNum(v)) return DASH;
  if (Math.abs(v) >= 10) return count(v);
  return (Math.round(v * 10) / 10).toFixed(1);
}

/**
 * µ$ (an integer) as dollars with `decimals` (2 or 6) decimals, rounded half away from zero with
 * integer arithmetic: 1234567 → "$1.23"; with 6 decimals "$1.234567".
 */
function money(micros, { signed = false, decimals = 2 } = {}) {
  if (!isNum(micros)) return DASH;
  let m = BigInt(Math.trunc(micros));
  const negative = m < 0n;
  if (negative) m = -m;
  const unit = 10n ** BigInt(6 - decimals);
  const q = decimals === 6 ? m : (m + unit / 2n) / unit;
  const scale = 10n ** BigInt(decimals);
  const sign = negative && q !== 0n ? '-' : signed && q !== 0n ? '+' : '';
  return `${sign}$${groupDigits((q / scale).toString())}.${(q % scale).toString().padStart(decimals, '0')}`;
}

/** A money figure into an element: rounded to cents, exact to the µ$ in its title, coloured by sign. */
function setMoney(el, micros, { signed = false, colour = false } = {}) {
  setText(el, money(micros, { signed }));
  const exact = isNum(micros) ? `${money(micros, { decimals: 6 })} (${count(micros)} µ$)` : '';
  if (el.title !== exact) el.title = exact;
  if (colour) setSign(el, micros);
}

function setSign(el, v) {
  const cls = !isNum(v) || v === 0 ? '' : v > 0 ? 'pos' : 'neg';
  if (el._sign === cls) return;
  el._sign = cls;
  el.classList.remove('pos', 'neg');
  if (cls !== '') el.classList.add(cls);
}

/** A price in $0.0001 units as cents: 4500 → "45.00¢". */
function price(p) {
  if (!isNum(p)) return DASH;
  const v = Math.round(p);
  return `${Math.trunc(v / 100)}.${pad(v % 100)}¢`;
}

/** Hundredths of a contract: 1000 → "10", 1050 → "10.50". */
function contracts(q) {
  if (!isNum(q)) return DASH;
  const v = Math.round(Math.abs(q));
  const whole = groupDigits(String(Math.trunc(v / 100)));
  return (q < 0 ? '-' : '') + (v % 100 === 0 ? whole : `${whole}.${pad(v % 100)}`);
}

/** A signed position in hundredths: "+5 YES", "-3.50 NO", "0". */
function position(q) {
  if (!isNum(q)) return DASH;
  if (q === 0) return '0';
  return `${q > 0 ? '+' : '-'}${contracts(Math.abs(q))} ${q > 0 ? 'YES' : 'NO'}`;
}

/** A duration in ms: "35 ms", "1.2 s", "4m05s", "3h07m", "2d04h". */
function age(ms) {
  if (!isNum(ms) || ms < 0) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${pad(Math.floor((s % 86_400) / 3600))}h`;
}

/** Up to 3 significant figures, no trailing zeros. */
function sig(x) {
  const d = x >= 100 ? 0 : x >= 10 ? 1 : 2;
  return String(Number(x.toFixed(d)));
}

/** A latency in µs: "23.5 µs", "1.23 ms", "2.1 s". */
function micros(us) {
  if (!isNum(us)) return DASH;
  if (us < 1000) return `${sig(us)} µs`;
  if (us < 1e6) return `${sig(us / 1000)} ms`;
  return `${sig(us / 1e6)} s`;
}

/** A bucket's upper bound, short: "10µs", "1.5ms", "2s". */
function boundLabel(us) {
  if (us < 1000) return `${sig(us)}µs`;
  if (us < 1e6) return `${sig(us / 1000)}ms`;
  return `${sig(us / 1e6)}s`;
}

/** Local wall-clock time "14:03:05" (with the date when not today). */
function clock(ms) {
  if (!isNum(ms) || ms <= 0) return DASH;
  const d = new Date(ms);
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return t;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${t}`;
}

const clockMs = (ms) => (isNum(ms) && ms > 0 ? `${clock(ms)}.${pad(new Date(ms).getMilliseconds(), 3)}` : DASH);

/** A CSS class suffix from a server value: lower-case letters, digits and _ only. */
const token = (v) => (typeof v === 'string' && /^[a-z0-9_]{1,32}$/.test(v) ? v : 'other');

// ------------------------------------------------------------------------------ DOM helpers

/** textContent, written only when it changed (no layout work for unchanged cells). */
function setText(el, text) {
  const t = text === undefined || text === null ? DASH : String(text);
  if (el._text === t) return;
  el._text = t;
  el.textContent = t;
}

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'className') e.className = v;
    else e.setAttribute(k, v);
  }
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function badge(kind, text) {
  return el('span', { className: `badge badge-${token(kind)}` }, text);
}

/** Badges (and an optional trailing text) into a cell, rebuilt only when they changed. */
function setBadges(cell, badges, tail = '') {
  const list = badges.filter(Boolean);
  const key = JSON.stringify([list, tail]);
  if (cell._badges === key) return;
  cell._badges = key;
  cell.replaceChildren(...list.map(([kind, text]) => badge(kind, text)), ...(tail === '' ? [] : [document.createTextNode(tail)]));
}

function toggleClass(e, cls, on) {
  if (e.classList.contains(cls) !== on) e.classList.toggle(cls, on);
}

function show(e, on) {
  if (e.hidden === on) e.hidden = !on;
}

/**
 * Table rows kept by key: a row element is made once per key and updated in place; rows follow
 * the order of the items; rows whose key is gone are removed.
 */
class KeyedRows {
  constructor(tbody, columns, setup) {
    this.tbody = tbody;
    this.columns = columns;
    this.setup = setup;
    this.rows = new Map();
  }

  update(items, keyOf, fill) {
    const seen = new Set();
    let i = 0;
    for (const item of items) {
      const key = keyOf(item);
      if (typeof key !== 'string' || seen.has(key)) continue;
      seen.add(key);
      let row = this.rows.get(key);
      if (row === undefined) {
        const tr = document.createElement('tr');
        const cells = [];
        for (let c = 0; c < this.columns; c++) cells.push(tr.appendChild(document.createElement('td')));
        row = { tr, cells };
        this.setup?.(row, key);
        this.rows.set(key, row);
      }
      fill(row, item);
      const at = this.tbody.children[i];
      if (at !== row.tr) this.tbody.insertBefore(row.tr, at ?? null);
      i++;
    }
    for (const [key, row] of this.rows) {
      if (!seen.has(key)) {
        row.tr.remove();
        this.rows.delete(key);
      }
    }
    return seen.size;
  }
}

// ------------------------------------------------------------------------------------- state

const params = new URLSearchParams(location.search);
const urlToken = params.get('token');
const TOKEN_KEY = 'kalshi-actor.control-token';
const MAX_EVENTS = 500;
const PNL_WINDOW_MS = 3_600_000;

const view = {
  /** Client clock of the last message, and the server's at_ms in it. */
  lastMessageAt: 0,
  lastAtMs: 0,
  connected: false,
  retryAt: 0,
  host: null,
  supervisor: null,
  transitionsKey: '',
  /** [at_ms, pnl_micros, cash_micros], oldest first. */
  pnl: [],
  latencyKey: { decision: '', wire: '' },
  latency: { decision: null, wire: null },
  /** The newest health event shown (its seq). */
  eventSeq: 0,
};

/** The server's clock now, as far as the last message tells. */
const serverNow = () => (view.lastAtMs > 0 ? view.lastAtMs + (Date.now() - view.lastMessageAt) : Date.now());

// -------------------------------------------------------------------------------- connection

let socket;
let backoffMs = 500;
let retryTimer;

function streamUrl() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = urlToken === null ? '' : `?token=${encodeURIComponent(urlToken)}`;
  return `${proto}//${location.host}/stream${query}`;
}

function connect() {
  clearTimeout(retryTimer);
  setConnection('connecting');
  let ws;
  try {
    ws = new WebSocket(streamUrl());
  } catch (err) {
    console.error('dashboard: cannot open the stream', err);
    scheduleReconnect();
    return;
  }
  socket = ws;
  ws.onopen = () => {
    if (socket === ws) setConnection('connected');
  };
  ws.onmessage = (ev) => {
    if (socket !== ws) return;
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    backoffMs = 500;
    onMessage(msg);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = undefined;
    scheduleReconnect();
  };
  ws.onerror = () => undefined; // a close follows
}

function scheduleReconnect() {
  const delay = Math.round(backoffMs * (0.8 + Math.random() * 0.4));
  backoffMs = Math.min(backoffMs * 2, 15_000);
  view.retryAt = Date.now() + delay;
  setConnection('disconnected');
  retryTimer = setTimeout(connect, delay);
}

function setConnection(state) {
  view.connected = state === 'connected';
  const c = $('connection');
  const text = state === 'disconnected'
    ? `disconnected — retrying in ${Math.max(0, Math.ceil((view.retryAt - Date.now()) / 1000))} s`
    : state === 'connecting' ? 'disconnected — connecting…' : 'connected';
  setText(c, text);
  c.dataset.state = state;
  toggleClass(c, 'conn-up', view.connected);
  toggleClass(c, 'conn-down', !view.connected);
  toggleClass(document.body, 'disconnected', !view.connected);
}

// ---------------------------------------------------------------------------------- messages

function onMessage(m) {
  if (m === null || typeof m !== 'object' || (m.type !== 'hello' && m.type !== 'state')) return;
  view.lastMessageAt = Date.now();
  if (isNum(m.at_ms)) view.lastAtMs = m.at_ms;
  const hello = m.type === 'hello';
  const parts = [
    () => renderHost(m),
    () => renderSupervisor(m.supervisor, m.totals),
    () => renderTotals(m.totals, m.rates),
    () => renderAccount(m.account, m.totals),
    () => renderPnl(m, hello),
    () => renderLatency(m.latency),
    () => renderMarkets(m.markets),
    () => renderGroups(m.groups),
    () => renderEvents(m.events, hello),
    () => (hello || m.calibration !== undefined ? renderCalibration(m.calibration) : undefined),
  ];
  for (const part of parts) {
    try {
      part();
    } catch (err) {
      console.error('dashboard: render failed', err);
    }
  }
  tick();
}

function renderHost(m) {
  if (typeof m.session_id === 'string') setText($('session-id'), m.session_id);
  const h = m.host;
  if (h === null || typeof h !== 'object') return;
  view.host = h;
  setText($('host-venue'), h.venue);
  setText($('host-topology'), h.topology);
  setText($('host-policy'), h.policy);
}

const STATE_CLASSES = ['state-trading', 'state-reducing', 'state-recovering', 'state-halted', 'state-booting', 'state-calibrating', 'state-ready', 'state-unknown', 'state-other'];

function renderSupervisor(s, totals) {
  const stateEl = $('trading-state');
  const sup = s !== null && typeof s === 'object' ? s : null;
  view.supervisor = sup;
  const state = typeof sup?.state === 'string' ? sup.state : typeof totals?.state === 'string' ? totals.state : null;
  setText(stateEl, state ?? DASH);
  stateEl.dataset.state = state ?? '';
  const cls = state === null ? 'state-unknown' : STATE_CLASSES.includes(`state-${token(state)}`) ? `state-${token(state)}` : 'state-other';
  if (!stateEl.classList.contains(cls)) {
    stateEl.classList.remove(...STATE_CLASSES);
    stateEl.classList.add(cls);
  }
  setText($('trading-reason'), sup === null ? 'the supervisor has not reported yet' : sup.reason);

  const kill = sup?.killSwitch ?? null;
  const banner = $('kill-banner');
  if (kill !== null && typeof kill === 'object') {
    setText(banner, `KILL SWITCH ENGAGED${kill.flatten ? ' (flatten)' : ''}: ${kill.reason ?? ''} — trading stays halted until it is cleared`);
    show(banner, true);
    show($('clear-kill-button'), true);
  } else {
    show(banner, false);
    show($('clear-kill-button'), false);
  }
  view.killSwitch = kill;
  if (sup === null) return;

  // Transitions: oldest first in the message, newest first on the page.
  const transitions = Array.isArray(sup.transitions) ? sup.transitions : [];
  const last = transitions.at(-1);
  const key = `${transitions.length}:${last?.atMs}:${last?.to}:${transitions[0]?.atMs}`;
  if (key !== view.transitionsKey) {
    view.transitionsKey = key;
    const rows = [];
    for (let i = transitions.length - 1; i >= 0; i--) {
      const t = transitions[i];
      const tr = el('tr');
      tr.append(el('td', { className: 'mono' }, clock(t.atMs)));
      const move = el('td');
      move.append(badge(t.from, t.from), document.createTextNode(' → '), badge(t.to, t.to));
      tr.append(move, el('td', { className: 'wrap' }, t.reason ?? ''));
      rows.push(tr);
    }
    $('transitions').tBodies[0].replaceChildren(...rows);
  }

  setText($('sup-passes'), count(sup.passes));
  setText($('sup-books'), sup.books && sup.books.newestAgeMs >= 0 ? age(sup.books.newestAgeMs) : DASH);
  setText($('sup-stale'), sup.books ? `${count(sup.books.stale)}${sup.books.silent ? ' (silent)' : ''}` : DASH);
  setText($('sup-drifts'), count(sup.driftsSeen));
  setText($('sup-restarts'), count(sup.restarts));
  setMoney($('sup-cash-short'), sup.cashShortMicros);
  const exits = sup.exits && typeof sup.exits === 'object' ? Object.entries(sup.exits).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') : '';
  setText($('sup-exits'), exits === '' ? 'none' : exits);
  threadRows.update(Array.isArray(sup.threads) ? sup.threads : [], (t) => t.name, ({ cells }, t) => {
    setText(cells[0], t.name);
    setBadges(cells[1], [t.alive ? ['ok', 'alive'] : ['error', 'dead']]);
    setText(cells[2], age(t.silentMs));
    setText(cells[3], count(t.restarts));
  });
}

const threadRows = new KeyedRows($('threads').tBodies[0], 4, ({ cells }) => {
  cells[2].className = 'num';
  cells[3].className = 'num';
});

function renderTotals(t, r) {
  if (t && typeof t === 'object') {
    setText($('book-messages-total'), count(t.bookMessages));
    setText($('decisions-total'), count(t.decisions));
    setText($('intents-total'), count(t.intents));
    setText($('orders-total'), count(t.ordersSent));
    setText($('fills-total'), count(t.fills));
    latencyRow('dec', t.decisionLatency);
    latencyRow('wire', t.wireLatency);
  }
  if (r && typeof r === 'object') {
    setText($('rate-book'), rate(r.bookMessagesPerS));
    setText($('rate-decisions'), rate(r.decisionsPerS));
    setText($('rate-intents'), rate(r.intentsPerS));
    setText($('rate-orders'), rate(r.ordersPerS));
    setText($('rate-fills'), rate(r.fillsPerS));
  }
}

function latencyRow(name, l) {
  const ok = l !== null && typeof l === 'object';
  setText($(`lat-${name}-count`), ok ? count(l.count) : DASH);
  setText($(`lat-${name}-p50`), ok ? micros(l.p50Us) : DASH);
  setText($(`lat-${name}-p99`), ok ? micros(l.p99Us) : DASH);
  setText($(`lat-${name}-max`), ok ? micros(l.maxUs) : DASH);
}

function renderAccount(a, t) {
  const acc = a !== null && typeof a === 'object' ? a : {};
  setMoney($('cash'), acc.cash_micros ?? t?.cash);
  setMoney($('reserve'), acc.reserve_micros);
  setMoney($('portfolio'), acc.portfolio_value_micros);
  setMoney($('pnl'), acc.pnl_micros ?? t?.pnl, { signed: true, colour: true });
  setMoney($('fees'), acc.fees_micros);
  setText($('open-positions'), count(t?.openPositions));
}

// ------------------------------------------------------------------------------------ P&L chart

function renderPnl(m, hello) {
  if (hello && Array.isArray(m.pnl_history)) {
    view.pnl = m.pnl_history.filter((p) => Array.isArray(p) && isNum(p[0])).map((p) => [p[0], p[1], p[2]]);
  }
  const pnl = m.account?.pnl_micros ?? m.totals?.pnl;
  const cash = m.account?.cash_micros ?? m.totals?.cash;
  if (isNum(m.at_ms) && (isNum(pnl) || isNum(cash))) {
    const lastAt = view.pnl.at(-1)?.[0] ?? -Infinity;
    if (m.at_ms > lastAt) view.pnl.push([m.at_ms, isNum(pnl) ? pnl : null, isNum(cash) ? cash : null]);
  }
  const newest = view.pnl.at(-1)?.[0];
  if (newest !== undefined) {
    let cut = 0;
    while (cut < view.pnl.length && view.pnl[cut][0] < newest - PNL_WINDOW_MS) cut++;
    if (cut > 0) view.pnl.splice(0, cut);
  }
  drawPnl();
}

/** A canvas sized to its box in device pixels; returns its 2D context in CSS pixels. */
function canvasContext(canvas) {
  if (canvas._cssHeight === undefined) {
    canvas._cssHeight = Number(canvas.getAttribute('height')) || 150;
    canvas.style.height = `${canvas._cssHeight}px`;
  }
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(50, canvas.clientWidth);
  const h = canvas._cssHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = '10px ui-monospace, "DejaVu Sans Mono", monospace';
  return { ctx, w, h };
}

/** A step of 1, 2 or 5 × 10^k µ$, at least a cent, giving about `n` intervals over `range`. */
function niceStep(range, n, least = 10_000) {
  const raw = Math.max(range / n, least);
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

function axisRange(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return null;
  if (lo === hi) {
    lo -= 10_000;
    hi += 10_000;
  }
  const step = niceStep(hi - lo, 4);
  return { lo: Math.floor(lo / step) * step, hi: Math.ceil(hi / step) * step, step };
}

/**
 * A cleared canvas and its plot area inside the margins (left and right hold the axes' labels).
 * With `empty` (a message) or a plot area too narrow to draw in, writes it and returns undefined.
 */
function plotArea(canvas, left, right, empty) {
  const { ctx, w, h } = canvasContext(canvas);
  const top = 8;
  const bottom = 18;
  const pw = w - left - right;
  const ph = h - top - bottom;
  ctx.fillStyle = '#6b7280';
  if (empty !== undefined || pw < 20) {
    ctx.fillText(empty ?? '', left, top + ph / 2);
    return undefined;
  }
  return { ctx, left, top, pw, ph };
}

function drawPnl() {
  const canvas = $('pnl-chart');
  const pts = view.pnl;
  canvas.dataset.points = String(pts.length);
  const area = plotArea(canvas, 78, 84, pts.length === 0 ? 'no P&L figures yet' : pts.length < 2 ? 'collecting…' : undefined);
  if (area === undefined) return;
  const { ctx, left, top, pw, ph } = area;
  const t1 = pts.at(-1)[0];
  const t0 = Math.min(pts[0][0], t1 - 60_000);
  const x = (t) => left + ((t - t0) / (t1 - t0)) * pw;
  const pnlVals = pts.map((p) => p[1]).filter(isNum);
  const cashVals = pts.map((p) => p[2]).filter(isNum);
  const pr = axisRange([...pnlVals, 0]);
  const cr = axisRange(cashVals);

  // grid and left axis (P&L)
  ctx.strokeStyle = '#e2e5e9';
  ctx.lineWidth = 1;
  ctx.textBaseline = 'middle';
  if (pr !== null) {
    const y = (v) => top + ph - ((v - pr.lo) / (pr.hi - pr.lo)) * ph;
    ctx.textAlign = 'right';
    for (let v = pr.lo; v <= pr.hi + pr.step / 2; v += pr.step) {
      const yy = Math.round(y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, yy);
      ctx.lineTo(left + pw, yy);
      ctx.stroke();
      ctx.fillStyle = '#1a56db';
      ctx.fillText(money(Math.round(v)), left - 4, yy);
    }
    // zero
    ctx.strokeStyle = '#9aa0a6';
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(left, Math.round(y(0)) + 0.5);
    ctx.lineTo(left + pw, Math.round(y(0)) + 0.5);
    ctx.stroke();
    ctx.setLineDash([]);
    line(ctx, pts, 1, x, y, '#1a56db', 1.6);
  }
  if (cr !== null) {
    const y = (v) => top + ph - ((v - cr.lo) / (cr.hi - cr.lo)) * ph;
    ctx.textAlign = 'left';
    ctx.fillStyle = '#80868b';
    for (let v = cr.lo; v <= cr.hi + cr.step / 2; v += cr.step) ctx.fillText(money(Math.round(v)), left + pw + 4, Math.round(y(v)) + 0.5);
    line(ctx, pts, 2, x, y, '#9aa0a6', 1.2);
  }
  // time axis
  ctx.fillStyle = '#6b7280';
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(clock(t0), left, top + ph + 4);
  ctx.textAlign = 'right';
  ctx.fillText(clock(t1), left + pw, top + ph + 4);
  ctx.textAlign = 'center';
  ctx.fillText(clock(Math.round((t0 + t1) / 2)), left + pw / 2, top + ph + 4);
  ctx.strokeStyle = '#c4c8ce';
  ctx.strokeRect(left + 0.5, top + 0.5, pw, ph);
}

function line(ctx, pts, i, x, y, colour, width) {
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.beginPath();
  let pen = false;
  for (const p of pts) {
    if (!isNum(p[i])) {
      pen = false;
      continue;
    }
    const px = x(p[0]);
    const py = y(p[i]);
    if (pen) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    pen = true;
  }
  ctx.stroke();
  ctx.lineWidth = 1;
}

// ------------------------------------------------------------------------------ latency histograms

function renderLatency(l) {
  if (l === null || typeof l !== 'object') return;
  for (const [name, id] of [['decision', 'latency-histogram'], ['wire', 'wire-histogram']]) {
    const h = l[name];
    // [upper bound µs, count]; a null bound is the last bucket: everything above the bounds
    const buckets = h && Array.isArray(h.buckets) ? h.buckets.filter((b) => Array.isArray(b) && (isNum(b[0]) || b[0] === null) && isNum(b[1])) : [];
    const key = `${h?.count}:${buckets.length}:${buckets.reduce((a, b) => a + b[1], 0)}`;
    if (key === view.latencyKey[name]) continue;
    view.latencyKey[name] = key;
    view.latency[name] = buckets;
    drawHistogram($(id), buckets);
  }
}

function drawHistogram(canvas, buckets) {
  canvas.dataset.buckets = String(buckets.length);
  const area = plotArea(canvas, 44, 8, buckets.length === 0 ? 'no samples yet' : undefined);
  if (area === undefined) return;
  const { ctx, left, top, pw, ph } = area;
  const max = Math.max(...buckets.map((b) => b[1]), 1);
  const total = buckets.reduce((a, b) => a + b[1], 0);
  const bw = pw / buckets.length;
  ctx.fillStyle = '#1a56db';
  for (let i = 0; i < buckets.length; i++) {
    const bh = Math.max(buckets[i][1] > 0 ? 1 : 0, (buckets[i][1] / max) * ph);
    ctx.fillRect(left + i * bw + Math.min(1, bw * 0.15), top + ph - bh, Math.max(1, bw - Math.min(2, bw * 0.3)), bh);
  }
  // axes: counts (left), upper bounds (below), spaced so the labels do not overlap
  ctx.fillStyle = '#6b7280';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  ctx.fillText(count(max), left - 4, top);
  ctx.textBaseline = 'bottom';
  ctx.fillText('0', left - 4, top + ph);
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  const every = Math.max(1, Math.ceil(44 / bw));
  const label = (i) => {
    const b = buckets[i][0];
    if (b !== null) return `≤${boundLabel(b)}`;
    const below = buckets.slice(0, i).map((x) => x[0]).filter(isNum);
    return below.length > 0 ? `>${boundLabel(below.at(-1))}` : 'above';
  };
  for (let i = 0; i < buckets.length; i += every) ctx.fillText(label(i), left + i * bw + bw / 2, top + ph + 4);
  ctx.textAlign = 'right';
  ctx.fillText(`${count(total)} samples`, left + pw, top);
  ctx.strokeStyle = '#c4c8ce';
  ctx.beginPath();
  ctx.moveTo(left + 0.5, top);
  ctx.lineTo(left + 0.5, top + ph + 0.5);
  ctx.lineTo(left + pw, top + ph + 0.5);
  ctx.stroke();
}

// ------------------------------------------------------------------------------------ markets

const MARKET_COLUMNS = 14;
const marketRows = new KeyedRows($('markets-table').tBodies[0], MARKET_COLUMNS, (row, ticker) => {
  row.tr.setAttribute('data-testid', 'market-row');
  row.tr.dataset.ticker = ticker;
  for (const i of [2, 3, 4, 5, 6, 8, 9, 10]) row.cells[i].className = 'num';
  const button = el('button', { type: 'button', className: 'small', 'data-testid': 'market-toggle' });
  row.cells[13].append(button);
  row.button = button;
});

function renderMarkets(mk) {
  if (mk === null || typeof mk !== 'object') return;
  const rows = Array.isArray(mk.rows) ? mk.rows : [];
  const shown = marketRows.update(rows, (m) => m.ticker, fillMarket);
  setText($('markets-count'), `showing ${count(shown)} of ${count(isNum(mk.total) ? mk.total : shown)}`);
  renderPositions(rows);
}

function fillMarket(row, m) {
  const c = row.cells;
  setText(c[0], m.ticker);
  if (c[0].title !== m.ticker) c[0].title = m.ticker;
  setBadges(c[1], [[m.state, m.state ?? '?'], m.disabled === true && ['disabled', 'disabled'], m.stale === true && ['stale', 'stale']]);
  setText(c[2], contracts(m.yes_bid_size));
  setText(c[3], price(m.yes_bid));
  setText(c[4], price(m.yes_ask));
  setText(c[5], contracts(m.no_bid_size));
  setText(c[6], age(m.message_age_ms));
  setText(c[7], m.last_action ?? DASH);
  setText(c[8], age(m.last_decision_age_ms));
  setText(c[9], position(m.position));
  setSign(c[9], m.position);
  setMoney(c[10], m.pnl_micros, { signed: true, colour: true });
  const detail = `realized ${money(m.realized_micros, { decimals: 6 })}, fees ${money(m.fees_micros, { decimals: 6 })}, unrealized ${money(m.unrealized_micros, { decimals: 6 })}`;
  if (c[10].title !== detail) c[10].title = detail;
  setBadges(c[11], [[m.breaker, typeof m.breaker === 'string' ? m.breaker.replace('_', ' ') : '?']], isNum(m.breaker_errors) && m.breaker_errors > 0 ? ` ${m.breaker_errors} err` : '');
  const w = m.working;
  setText(c[12], w && typeof w === 'object' ? `${w.side} ${price(w.price)} × ${contracts(w.remaining)}` : DASH);
  const disabled = m.disabled === true;
  setText(row.button, disabled ? 'Enable' : 'Disable');
  const action = disabled ? 'enable' : 'disable';
  if (row.button.dataset.action !== action) row.button.dataset.action = action;
  toggleClass(row.tr, 'row-disabled', disabled);
  toggleClass(row.tr, 'row-stale', m.stale === true);
}

const positionRows = new KeyedRows($('positions-table').tBodies[0], 5, ({ cells }) => {
  for (let i = 1; i < 5; i++) cells[i].className = 'num';
  cells[0].className = 'mono';
});

function renderPositions(rows) {
  const held = rows.filter((m) => isNum(m.position) && m.position !== 0);
  positionRows.update(held, (m) => m.ticker, ({ cells }, m) => {
    setText(cells[0], m.ticker);
    setText(cells[1], position(m.position));
    setSign(cells[1], m.position);
    setMoney(cells[2], m.realized_micros, { signed: true, colour: true });
    setMoney(cells[3], m.unrealized_micros, { signed: true, colour: true });
    setMoney(cells[4], m.pnl_micros, { signed: true, colour: true });
  });
  show($('positions-empty'), held.length === 0);
}

// ------------------------------------------------------------------------------- order groups

const groupRows = new KeyedRows($('groups-table').tBodies[0], 5, (row) => {
  row.tr.setAttribute('data-testid', 'group-row');
  row.cells[0].className = 'mono';
  row.cells[3].className = 'num';
  const button = el('button', { type: 'button', className: 'small', 'data-action': 'reset', 'data-testid': 'group-reset' }, 'Reset');
  row.cells[4].append(button);
  row.button = button;
});

function renderGroups(g) {
  if (g === null || typeof g !== 'object') return;
  setText($('groups-mode'), typeof g.mode === 'string' ? `(${g.mode})` : '');
  const rows = Array.isArray(g.rows) ? g.rows : [];
  groupRows.update(rows, (r) => r.id, (row, r) => {
    row.tr.dataset.id = r.id;
    setText(row.cells[0], r.id);
    setText(row.cells[1], r.scope);
    setBadges(row.cells[2], [[r.status, r.status ?? '?']], isNum(r.triggered_at_ms) && r.status === 'triggered' ? ` at ${clock(r.triggered_at_ms)}` : '');
    setText(row.cells[3], count(r.limit_contracts));
    show(row.button, r.status === 'triggered');
  });
  show($('groups-empty'), rows.length === 0);
}

// -------------------------------------------------------------------------------------- events

function renderEvents(events, hello) {
  if (!Array.isArray(events)) return;
  const tbody = $('events').tBodies[0];
  if (hello) {
    tbody.replaceChildren();
    view.eventSeq = 0;
  }
  // Events carry an increasing `seq`: one already shown (a hello's backlog repeated by the next
  // state) is skipped.
  const fresh = document.createDocumentFragment();
  const after = view.eventSeq;
  // newest first: the message has them oldest first
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e === null || typeof e !== 'object') continue;
    if (isNum(e.seq)) {
      if (e.seq <= after) continue;
      if (e.seq > view.eventSeq) view.eventSeq = e.seq;
    }
    const level = token(e.level);
    const tr = el('tr', { className: `level-${level}` });
    tr.append(el('td', { className: 'mono' }, clockMs(e.at_ms)));
    const lv = el('td');
    lv.append(badge(level, e.level ?? '?'));
    tr.append(lv, el('td', { className: 'msg' }, e.msg ?? ''));
    fresh.append(tr);
  }
  tbody.insertBefore(fresh, tbody.firstChild);
  while (tbody.children.length > MAX_EVENTS) tbody.lastElementChild.remove();
}

// --------------------------------------------------------------------------------- calibration

function renderCalibration(c) {
  const box = $('calibration');
  if (c === null || c === undefined || typeof c !== 'object') {
    box.replaceChildren(el('p', { className: 'muted' }, 'no calibration report'));
    return;
  }
  const parts = [];
  const verdict = c.verdict && typeof c.verdict === 'object' ? c.verdict : null;
  const v = typeof verdict?.verdict === 'string' ? verdict.verdict : typeof c.verdict === 'string' ? c.verdict : null;
  if (v !== null) {
    const p = el('p');
    p.append(document.createTextNode('verdict '), el('span', { className: `verdict badge badge-${token(v)}`, 'data-testid': 'calibration-verdict' }, v));
    parts.push(p);
  }
  const facts = [];
  if (isNum(c.startedMs)) facts.push(['started', clock(c.startedMs)]);
  if (isNum(c.durationMs)) facts.push(['took', age(c.durationMs)]);
  if (Array.isArray(c.markets)) facts.push(['markets', count(c.markets.length)]);
  if (Array.isArray(c.viability?.replace)) facts.push(['not viable', count(c.viability.replace.length)]);
  if (isNum(c.connection?.latencyMs)) facts.push(['exchange latency', age(c.connection.latencyMs)]);
  if (c.connection?.clock?.measured === true && isNum(c.connection.clock.skewMs)) facts.push(['clock skew', `${c.connection.clock.skewMs} ms`]);
  if (Array.isArray(c.health?.positions)) facts.push(['positions', count(c.health.positions.length)]);
  if (isNum(c.health?.cash?.available)) facts.push(['cash', money(c.health.cash.available)]);
  if (isNum(c.health?.totalPnl)) facts.push(['P&L', money(c.health.totalPnl, { signed: true })]);
  if (typeof c.act === 'boolean') facts.push(['mode', c.act ? 'acted' : 'report only']);
  // Anything else simple at the top level (a report of another shape).
  for (const [k, val] of Object.entries(c)) {
    if (['startedMs', 'durationMs', 'act', 'verdict', 'version'].includes(k)) continue;
    if (typeof val === 'string' || typeof val === 'boolean' || isNum(val)) facts.push([k, String(val)]);
  }
  if (facts.length > 0) {
    const dl = el('dl', { className: 'figures small' });
    for (const [k, val] of facts) {
      const d = el('div');
      d.append(el('dt', {}, k), el('dd', { className: 'mono' }, val));
      dl.append(d);
    }
    parts.push(dl);
  }
  for (const [label, list] of [['reasons', verdict?.reasons], ['warnings', verdict?.warnings]]) {
    if (!Array.isArray(list) || list.length === 0) continue;
    parts.push(el('h3', {}, label));
    const ul = el('ul');
    for (const item of list) ul.append(el('li', {}, typeof item === 'string' ? item : JSON.stringify(item)));
    parts.push(ul);
  }
  if (typeof c.reconcile?.note === 'string') parts.push(el('p', { className: 'muted' }, c.reconcile.note));
  if (Array.isArray(c.steps) && c.steps.length > 0) {
    const table = el('table', { className: 'grid' });
    const head = el('tr');
    for (const h of ['#', 'step', 'status', 'time', 'summary']) head.append(el('th', {}, h));
    table.append(el('thead'));
    table.tHead.append(head);
    const body = table.createTBody();
    for (const s of c.steps) {
      const tr = el('tr');
      const st = el('td');
      st.append(badge(s.status, s.status ?? '?'));
      tr.append(el('td', { className: 'num' }, `${s.index ?? ''}/${s.total ?? ''}`), el('td', {}, s.name ?? ''), st, el('td', { className: 'num' }, age(s.durationMs)), el('td', { className: 'wrap' }, s.summary ?? ''));
      body.append(tr);
    }
    parts.push(table);
  }
  const details = el('details');
  details.append(el('summary', {}, 'the whole report (JSON)'), el('pre', {}, JSON.stringify(c, null, 2)));
  parts.push(details);
  box.replaceChildren(...parts);
}

// ------------------------------------------------------------------------------ the 1 s ticker

function tick() {
  const now = Date.now();
  const lu = $('last-update');
  if (view.lastMessageAt === 0) setText(lu, 'no update yet');
  else {
    const s = Math.floor((now - view.lastMessageAt) / 1000);
    setText(lu, `last update ${s} s ago`);
    toggleClass(lu, 'neg', s >= 5);
  }
  if (!view.connected && socket === undefined && view.retryAt > 0) setConnection('disconnected');
  const sup = view.supervisor;
  setText($('trading-since'), sup && isNum(sup.sinceMs) && sup.sinceMs > 0 ? `since ${clock(sup.sinceMs)} (${age(serverNow() - sup.sinceMs)})` : '');
  const started = view.host?.started_ms;
  setText($('host-uptime'), isNum(started) && started > 0 ? age(serverNow() - started) : DASH);
}

// ------------------------------------------------------------------------------------- actions

const dialog = $('confirm-dialog');
const tokenInput = $('confirm-token');
const errorBox = $('confirm-error');
const okButton = $('confirm-ok');
let pending = null;

function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function keepToken(t) {
  try {
    sessionStorage.setItem(TOKEN_KEY, t);
  } catch {
    // storage refused (private mode): the token is asked again next time
  }
}

/** Opens the confirmation of one action: `{title, text, path, body(), fields?, done}`. */
function ask(action) {
  pending = action;
  setText($('confirm-title'), action.title);
  setText($('confirm-text'), action.text);
  show($('kill-fields'), action.fields === 'kill');
  show($('disable-fields'), action.fields === 'disable');
  if (action.fields === 'kill') {
    $('kill-reason').value = '';
    $('kill-flatten').checked = false;
  }
  if (action.fields === 'disable') $('disable-reason').value = '';
  tokenInput.value = storedToken() ?? urlToken ?? '';
  errorBox.textContent = '';
  show(errorBox, false);
  okButton.disabled = false;
  setText(okButton, action.confirm ?? 'Confirm');
  if (!dialog.open) dialog.showModal();
  (action.fields === 'kill' ? $('kill-reason') : action.fields === 'disable' ? $('disable-reason') : tokenInput.value === '' ? tokenInput : $('confirm-cancel')).focus();
}

function fail(text) {
  errorBox.textContent = text;
  show(errorBox, true);
}

async function confirm() {
  const action = pending;
  if (action === null || okButton.disabled) return;
  const t = tokenInput.value.trim();
  if (t === '') {
    fail('the control token is required (see <data-dir>/control-token on the host)');
    tokenInput.focus();
    return;
  }
  okButton.disabled = true;
  show(errorBox, false);
  let res;
  let reply = null;
  try {
    res = await fetch(action.path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(action.body()),
      cache: 'no-store',
      credentials: 'same-origin',
    });
    const text = await res.text();
    try {
      reply = text === '' ? null : JSON.parse(text);
    } catch {
      reply = text;
    }
  } catch (err) {
    if (pending === action) {
      okButton.disabled = false;
      fail(`the request failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return;
  }
  if (pending !== action) return; // cancelled meanwhile
  okButton.disabled = false;
  if (!res.ok) {
    const why = reply !== null && typeof reply === 'object' && typeof reply.error === 'string' ? reply.error : typeof reply === 'string' && reply !== '' ? reply.slice(0, 500) : res.statusText;
    const hint = res.status === 401 ? ' (wrong or missing control token)' : res.status === 403 ? ' (refused: host or origin)' : '';
    fail(`${res.status}${hint}: ${why}`);
    return;
  }
  keepToken(t);
  pending = null;
  dialog.close();
  const warning = reply !== null && typeof reply === 'object' && typeof reply.error === 'string' ? reply.error : null;
  notify(warning === null ? action.done : `${action.done}, but: ${warning}`, warning !== null);
}

let noticeTimer;
function notify(text, failed = false) {
  const n = $('notice');
  n.textContent = text;
  toggleClass(n, 'failed', failed);
  show(n, true);
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => show(n, false), 10_000);
}

$('confirm-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void confirm();
});
$('confirm-cancel').addEventListener('click', () => {
  pending = null;
  dialog.close();
});
dialog.addEventListener('close', () => {
  pending = null;
});

$('kill-button').addEventListener('click', () => {
  ask({
    title: 'Engage the kill switch',
    text: 'The host halts trading now: it stops sending orders, triggers its order groups and cancels every resting order. '
      + 'Positions are kept unless "flatten" is checked. The kill switch stays engaged, across restarts too, until it is cleared.',
    fields: 'kill',
    confirm: 'Kill',
    path: '/kill',
    body: () => {
      const reason = $('kill-reason').value.trim();
      return { ...(reason === '' ? {} : { reason }), flatten: $('kill-flatten').checked };
    },
    done: 'kill switch engaged',
  });
});

$('clear-kill-button').addEventListener('click', () => {
  const k = view.killSwitch;
  ask({
    title: 'Clear the kill switch',
    text: `The kill switch${k?.reason ? ` (engaged: ${k.reason})` : ''} is cleared: the host recalibrates against the exchange, then trades again.`,
    confirm: 'Clear and trade',
    path: '/kill/clear',
    body: () => ({}),
    done: 'kill switch cleared: the host recalibrates',
  });
});

$('markets-table').tBodies[0].addEventListener('click', (e) => {
  const button = e.target instanceof Element ? e.target.closest('button[data-action]') : null;
  const ticker = button?.closest('tr')?.dataset.ticker;
  if (!button || ticker === undefined) return;
  if (button.dataset.action === 'disable') {
    ask({
      title: `Disable market ${ticker}`,
      text: `The host stops opening positions in ${ticker}. What it holds there it may still close. Enable undoes it.`,
      fields: 'disable',
      confirm: 'Disable',
      path: '/markets/disable',
      body: () => {
        const reason = $('disable-reason').value.trim();
        return { ticker, ...(reason === '' ? {} : { reason }) };
      },
      done: `market ${ticker} disabled`,
    });
  } else {
    ask({
      title: `Enable market ${ticker}`,
      text: `The host may open positions in ${ticker} again.`,
      confirm: 'Enable',
      path: '/markets/enable',
      body: () => ({ ticker }),
      done: `market ${ticker} enabled`,
    });
  }
});

$('groups-table').tBodies[0].addEventListener('click', (e) => {
  const button = e.target instanceof Element ? e.target.closest('button[data-action="reset"]') : null;
  const tr = button?.closest('tr');
  const id = tr?.dataset.id;
  if (!button || id === undefined) return;
  const scope = tr.children[1]?.textContent ?? '';
  ask({
    title: `Reset order group ${id}`,
    text: `Order group ${id} (${scope}) was triggered: its orders are cancelled and no new one can rest in it. Resetting it now lets the host's orders in it trade again, without waiting for the cool-down.`,
    confirm: 'Reset',
    path: '/order-groups/reset',
    body: () => ({ id }),
    done: `order group ${id} reset`,
  });
});

let resizeTimer;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    drawPnl();
    drawHistogram($('latency-histogram'), view.latency.decision ?? []);
    drawHistogram($('wire-histogram'), view.latency.wire ?? []);
  }, 150);
});

setInterval(tick, 1000);
drawPnl();
drawHistogram($('latency-histogram'), []);
drawHistogram($('wire-histogram'), []);
connect();
