// The live dashboard: readings from a WebSocket stage drawn as they arrive, and messages back.
import { StageConnection, State } from './connection.js';
import { SeqTracker } from './series.js';
import { Charts, METRICS } from './charts.js';
import { startOperationsPanel } from './operations.js';

const params = new URLSearchParams(location.search);
/** Points kept per device and metric (10 min at 1 reading/s; 1 min at 10/s). */
const POINTS = clampInt(params.get('points'), 600, 10, 100_000);
const LOG_ENTRIES = 200;
/**
 * A seq still missing this long after a later one arrived counts as lost (`?settle=S` in seconds):
 * until then it is late. Readings can be late for a while: a device's outbox sends what waited
 * after its reconnect, and the readings queue hands out a failed batch again after its visibility
 * timeout. One that arrives after all is counted back.
 */
const SETTLE_MS = clampInt(params.get('settle'), 60, 1, 3_600) * 1_000;
/** Draw and arrival times kept for reading back (tests, benchmarks). */
const DRAWN_KEPT = 5_000;
/** At most this share of the main thread goes to drawing. */
const DRAW_SHARE = 0.25;

const $ = (id) => document.getElementById(id);
const stateLine = $('state');
const stageForm = $('stage-form');
const messageForm = $('message-form');
const watchForm = $('watch-form');
const tableBody = document.querySelector('#devices tbody');
const logList = $('log');

const charts = new Charts($('charts'), POINTS);
const devices = new Map();
const dirtyRows = new Set();
const drawn = new Map();
const arrived = new Map();
const frames = { count: 0, totalMs: 0, maxMs: 0 };
let pendingDraw = [];
let frameRequested = false;
let nextFrameAt = 0;
let received = 0;
const transitions = [];
let connection = null;
let stageHost = '';
/** The devices whose readings this page asked for; null for every device. Sent again on each new connection. */
let watched = parseDevices(params.get('devices') ?? '');
/** The operations panel's latest figures, when served by local mode. */
let operations = () => null;

function clampInt(text, fallback, min, max) {
  const n = Number.parseInt(text ?? '', 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function now() {
  return performance.timeOrigin + performance.now();
}

// --- connection ---------------------------------------------------------------------------

function connect(url, token) {
  connection?.close();
  try {
    stageHost = new URL(url).host;
  } catch {
    stageHost = url;
  }
  connection = new StageConnection({ url, token, onEnvelope, onState: showState });
  connection.open();
}

function showState(state, detail) {
  stateLine.dataset.state = state;
  transitions.push(state);
  if (transitions.length > 50) {
    transitions.shift();
  }
  const text = {
    [State.CONNECTING]: () => `Connecting to ${stageHost}…`,
    [State.CONNECTED]: () => `Connected to ${stageHost}`,
    [State.RECONNECTING]: () => detail.delayMs === undefined
      ? `Reconnecting to ${stageHost} (attempt ${detail.attempt})…`
      : `Connection lost (code ${detail.code}); reconnecting in ${(detail.delayMs / 1000).toFixed(1)} s…`,
    [State.REFUSED]: () => `Refused: ${detail.reason}`,
    [State.CLOSED]: () => 'Disconnected',
  }[state];
  stateLine.textContent = text ? text() : 'Not connected';
  if (state === State.CONNECTED && watched !== null) {
    // A choice belongs to a connection: a reconnected page asks again.
    subscribe(watched);
  }
  if (state === State.REFUSED || state === State.CONNECTED) {
    log(state === State.REFUSED ? 'error' : 'info', stateLine.textContent);
  }
}

// --- envelopes ----------------------------------------------------------------------------

function onEnvelope(envelope) {
  switch (envelope?.type) {
    case 'telemetry':
      onTelemetry(envelope);
      break;
    case 'message':
      log('message', `${envelope.from ?? '?'}: ${text(envelope.message)}`, envelope.sentAt);
      break;
    case 'error':
      log('error', `${envelope.error ?? 'Error'}: ${envelope.detail ?? ''}`);
      break;
    case 'subscribed':
      showWatching(envelope.devices);
      break;
    default:
      // API Gateway's own replies (for example "Internal server error") have no type.
      log('error', `Unexpected frame: ${text(envelope).slice(0, 200)}`);
  }
}

function onTelemetry(envelope) {
  const id = typeof envelope.deviceId === 'string' && envelope.deviceId ? envelope.deviceId : '(unknown)';
  const reading = envelope.reading && typeof envelope.reading === 'object' ? envelope.reading : {};
  const at = typeof envelope.receivedAt === 'number' ? envelope.receivedAt : (Date.parse(reading.ts) || Date.now());
  received++;
  let device = devices.get(id);
  if (!device) {
    device = { deviceId: id, count: 0, lastSeen: 0, newestSeq: -Infinity, seq: new SeqTracker(), values: {} };
    devices.set(id, device);
    addDeviceOption(id);
  }
  device.count++;
  const lostBefore = device.seq.lost;
  device.seq.observe(reading.seq, Date.now());
  if (device.seq.lost < lostBefore) {
    log('late', `${id}: seq ${reading.seq} arrived late; ${device.seq.lost} lost now`);
  }
  const seq = Number.isFinite(reading.seq) ? reading.seq : device.count;
  // A reading delivered late must not overwrite the newer values already shown.
  const newest = at > device.lastSeen || (at === device.lastSeen && seq >= device.newestSeq);
  if (newest) {
    device.lastSeen = at;
    device.newestSeq = seq;
  }
  for (const { key } of METRICS) {
    const value = reading[key];
    if (typeof value === 'number' && Number.isFinite(value)) {
      charts.add(key, id, at / 1000, value, seq);
      if (newest) {
        device.values[key] = value;
      }
    }
  }
  dirtyRows.add(device);
  const key = `${id}#${reading.seq}`;
  arrived.set(key, now());
  pendingDraw.push(key);
  requestFrame();
}

/**
 * Draws on the next animation frame, but leaves the main thread to the socket when drawing gets
 * expensive (many devices, long series): after a frame that took t ms, the next waits about 3t.
 */
function requestFrame() {
  if (frameRequested) {
    return;
  }
  frameRequested = true;
  const wait = nextFrameAt - performance.now();
  if (wait > 0) {
    setTimeout(() => requestAnimationFrame(frame), wait);
  } else {
    requestAnimationFrame(frame);
  }
}

function frame() {
  frameRequested = false;
  const started = performance.now();
  charts.drawAll();
  for (const device of dirtyRows) {
    renderRow(device);
  }
  dirtyRows.clear();
  const keys = pendingDraw;
  pendingDraw = [];
  // uPlot commits its drawing in a microtask queued by setData; this one runs after it.
  queueMicrotask(() => {
    const t = now();
    const took = performance.now() - started;
    nextFrameAt = performance.now() + took * (1 / DRAW_SHARE - 1);
    frames.count++;
    frames.totalMs += took;
    frames.maxMs = Math.max(frames.maxMs, took);
    for (const key of keys) {
      drawn.set(key, t);
    }
    forgetOldest(drawn);
    forgetOldest(arrived);
  });
}

/** Turns gaps that stayed open past the grace period into lost readings. */
function settleLosses() {
  const at = Date.now();
  for (const device of devices.values()) {
    const lost = device.seq.settle(at, SETTLE_MS);
    if (lost.length > 0) {
      const range = lost.length === 1 ? `seq ${lost[0]}` : `seq ${lost[0]}–${lost[lost.length - 1]}`;
      log('lost', `${device.deviceId}: ${lost.length} reading${lost.length === 1 ? '' : 's'} lost (${range}), missing for ${SETTLE_MS / 1000} s`);
      dirtyRows.add(device);
      requestFrame();
    }
  }
}
setInterval(settleLosses, 500);

function forgetOldest(map) {
  for (const key of map.keys()) {
    if (map.size <= DRAWN_KEPT) {
      break;
    }
    map.delete(key);
  }
}

// --- device table -------------------------------------------------------------------------

const COLUMNS = ['device', 'last-seen', 'count', 'late', 'lost', 'seq', ...METRICS.map((m) => m.key)];

function renderRow(device) {
  let row = tableBody.querySelector(`tr[data-device="${CSS.escape(device.deviceId)}"]`);
  if (!row) {
    row = document.createElement('tr');
    row.dataset.device = device.deviceId;
    for (const column of COLUMNS) {
      const cell = document.createElement(column === 'device' ? 'th' : 'td');
      if (column === 'device') {
        cell.scope = 'row';
      }
      cell.className = column;
      row.append(cell);
    }
    tableBody.append(row);
    $('no-devices').hidden = true;
  }
  const cells = Object.fromEntries([...row.children].map((c) => [c.className, c]));
  cells.device.textContent = device.deviceId;
  const seen = new Date(device.lastSeen);
  cells['last-seen'].innerHTML = '';
  const time = document.createElement('time');
  time.dateTime = seen.toISOString();
  time.textContent = seen.toLocaleTimeString();
  cells['last-seen'].append(time);
  cells.count.textContent = device.count;
  cells.late.textContent = device.seq.late;
  cells.lost.textContent = device.seq.lost;
  row.classList.toggle('has-loss', device.seq.lost > 0);
  cells.seq.textContent = device.seq.highest ?? '';
  for (const { key } of METRICS) {
    const value = device.values[key];
    cells[key].textContent = value === undefined ? '' : String(value);
  }
}

function addDeviceOption(id) {
  const option = document.createElement('option');
  option.value = id;
  $('device-ids').append(option);
}

// --- log and messages ---------------------------------------------------------------------

function text(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function log(kind, message, at = Date.now()) {
  const item = document.createElement('li');
  item.dataset.kind = kind;
  const time = document.createElement('time');
  const date = new Date(typeof at === 'number' ? at : Date.now());
  time.dateTime = date.toISOString();
  time.textContent = date.toLocaleTimeString();
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = message;
  item.append(time, ' ', body);
  logList.prepend(item);
  while (logList.children.length > LOG_ENTRIES) {
    logList.lastElementChild.remove();
  }
}

messageForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const message = $('message-text').value;
  const deviceId = $('message-device').value.trim();
  const body = { action: 'sendMessage', message };
  if (deviceId) {
    body.deviceId = deviceId;
  }
  if (connection?.send(body)) {
    log('sent', `sent to ${deviceId || 'all devices'}: ${message}`);
    $('message-text').value = '';
  } else {
    log('error', 'Not connected: the message was not sent.');
  }
});

// --- device filter ------------------------------------------------------------------------

/** "thing-1, thing-2" as a list of names; empty text for every device (null). */
function parseDevices(value) {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  return names.length === 0 ? null : [...new Set(names)];
}

/** Asks the stage for these devices' readings only (null: every device); messages still come. */
function subscribe(devices) {
  return connection?.send({ action: 'subscribe', devices: devices ?? 'all' }) ?? false;
}

function showWatching(devices) {
  const text = Array.isArray(devices)
    ? (devices.length === 0 ? 'Watching no devices (messages only).' : `Watching ${devices.join(', ')}.`)
    : 'Watching every device.';
  $('watching').textContent = text;
  log('info', text);
}

watchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  watched = parseDevices($('watch-devices').value);
  if (!subscribe(watched)) {
    log('error', 'Not connected: the choice applies once the page connects.');
  }
});

// --- stage form and start -----------------------------------------------------------------

stageForm.addEventListener('submit', (event) => {
  event.preventDefault();
  connect($('stage-url').value.trim(), $('stage-token').value.trim());
});
$('disconnect').addEventListener('click', () => connection?.close());

document.addEventListener('securitypolicyviolation', (event) => {
  log('error', `Blocked by the page's security policy: ${event.violatedDirective} ${event.blockedURI}`);
});

async function start() {
  $('settle').textContent = `${SETTLE_MS / 1000} s`;
  let url = params.get('url');
  let token = params.get('token');
  if (token) {
    // Keep the bearer token out of the address bar, history and bookmarks.
    const clean = new URL(location.href);
    clean.searchParams.delete('token');
    history.replaceState(null, '', clean);
  }
  if (!url) {
    // Served by local mode: it says where its stage is and gives a token.
    try {
      const response = await fetch('/config.json', { cache: 'no-store' });
      if (response.ok) {
        const config = await response.json();
        url = config.url;
        token = token || config.token;
      }
    } catch {
      // Not served by local mode: the form asks.
    }
  }
  if (watched !== null) {
    $('watch-devices').value = watched.join(', ');
  }
  startOperationsPanel().then((latest) => { operations = latest; });
  if (url) {
    $('stage-url').value = url;
    $('stage-token').value = token ?? '';
    connect(url, token ?? '');
  } else {
    stateLine.textContent = 'Not connected: enter the stage URL and a token.';
  }
}

/** Read-only view of what the page holds, for tests, benchmarks and the browser console. */
window.edgewireDashboard = Object.freeze({
  get state() {
    return connection?.state ?? State.IDLE;
  },
  /** The last 50 connection states, oldest first. */
  transitions: () => [...transitions],
  get received() {
    return received;
  },
  get pointsPerSeries() {
    return POINTS;
  },
  /** The devices this page asked for, or null for every device. */
  get watched() {
    return watched === null ? null : [...watched];
  },
  devices: () => [...devices.values()].map((d) => ({
    deviceId: d.deviceId, count: d.count, late: d.seq.late, lost: d.seq.lost, lateAfterSettle: d.seq.lateAfterSettle,
    duplicates: d.seq.duplicates,
    restarts: d.seq.restarts, missing: d.seq.pending, lastSeq: d.seq.highest, lastSeen: d.lastSeen, values: { ...d.values },
  })),
  points: (metric, deviceId) => charts.points(metric, deviceId),
  pointCount: () => charts.pointCount(),
  /** When the reading was on the chart (epoch ms, sub-ms precision), or undefined. */
  drawnAt: (deviceId, seq) => drawn.get(`${deviceId}#${seq}`),
  /** When its envelope reached the page (epoch ms), or undefined. */
  arrivedAt: (deviceId, seq) => arrived.get(`${deviceId}#${seq}`),
  /** Frames drawn so far and the time spent drawing them (ms). */
  frames: () => ({ ...frames }),
  /** The operations panel's latest figures (local mode's /operations.json), or null. */
  operations: () => operations(),
  /** Log entries, newest first. */
  log: () => [...logList.children].map((li) => ({
    kind: li.dataset.kind, at: li.querySelector('time').dateTime, text: li.querySelector('.text').textContent,
  })),
});

start();
