// One WebSocket to a stage, reopened after drops with capped, jittered exponential backoff.

export const State = Object.freeze({
  IDLE: 'idle',
  CONNECTING: 'connecting',
  CONNECTED: 'connected',
  RECONNECTING: 'reconnecting',
  REFUSED: 'refused',
  CLOSED: 'closed',
});

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** Refusals in a row, after the stage once accepted us, before we stop trying (an expired token stays expired). */
const MAX_REFUSALS = 3;
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Delay before reconnect attempt number `attempt` (0-based): doubles up to the cap, then takes a
 * random point in its upper half, so many pages dropped at once do not come back in step.
 */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * ceiling / 2);
}

/** The stage URL with the token in its query, as API Gateway's authorizer reads it. */
export function socketUrl(url, token) {
  const u = new URL(url);
  if (token) {
    u.searchParams.set('token', token);
  }
  return u.toString();
}

/**
 * Whether anything answers HTTP at the stage's address. Browsers hide why a WebSocket upgrade
 * failed (a 401 or 403 looks like close 1006 without open), but if the host answers a plain
 * request, the upgrade was refused rather than unreachable. The token is left out of the probe.
 */
export async function stageAnswers(url) {
  const u = new URL(url);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.search = '';
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), PROBE_TIMEOUT_MS);
  try {
    await fetch(u, { mode: 'no-cors', cache: 'no-store', signal: abort.signal, referrerPolicy: 'no-referrer' });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The ids of the last `capacity` envelopes seen. Messages and readings carry an `id` that stays the
 * same on every delivery of them, so a copy a retry delivered again is dropped; envelopes without
 * an id (errors, subscription answers) always pass.
 */
export class RecentIds {
  #capacity;
  #ids = new Set();
  #ring;
  #next = 0;
  dropped = 0;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
    this.#ring = new Array(capacity);
  }

  /** True the first time `id` is seen, or when there is none; false for a repeat. */
  admit(id) {
    if (typeof id !== 'string' || id === '') {
      return true;
    }
    if (this.#ids.has(id)) {
      this.dropped++;
      return false;
    }
    const evicted = this.#ring[this.#next];
    if (evicted !== undefined) {
      this.#ids.delete(evicted);
    }
    this.#ring[this.#next] = id;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#ids.add(id);
    return true;
  }
}

export class StageConnection {
  #url;
  #token;
  #onEnvelope;
  #onState;
  #ws = null;
  #timer = null;
  #attempt = 0;
  #refusals = 0;
  #everOpened = false;
  #stopped = true;
  #generation = 0;
  /** Kept across reconnects: a delivery retried while the page was away is still recognised. */
  #recent = new RecentIds();
  state = State.IDLE;

  /**
   * @param {{url: string, token: string, onEnvelope: (e: object) => void,
   *          onState: (state: string, detail: object) => void}} options
   */
  /** Copies of messages and readings dropped because the page had them already. */
  get duplicatesDropped() {
    return this.#recent.dropped;
  }

  constructor({ url, token, onEnvelope, onState }) {
    this.#url = url;
    this.#token = token;
    this.#onEnvelope = onEnvelope;
    this.#onState = onState;
  }

  open() {
    this.#generation++;
    this.#stopped = false;
    this.#connect(State.CONNECTING);
  }

  close() {
    this.#generation++;
    this.#stopped = true;
    clearTimeout(this.#timer);
    const ws = this.#ws;
    this.#ws = null;
    ws?.close(1000, 'closed by the user');
    this.#set(State.CLOSED, {});
  }

  /** Sends one JSON frame; false when the socket is not open. */
  send(body) {
    if (this.#ws?.readyState !== WebSocket.OPEN) {
      return false;
    }
    this.#ws.send(JSON.stringify(body));
    return true;
  }

  #set(state, detail) {
    this.state = state;
    this.#onState(state, detail);
  }

  #connect(state) {
    let ws;
    try {
      ws = new WebSocket(socketUrl(this.#url, this.#token));
    } catch (e) {
      this.#stopped = true;
      this.#set(State.REFUSED, { reason: `Not a WebSocket URL: ${e.message}` });
      return;
    }
    this.#ws = ws;
    let opened = false;
    const generation = this.#generation;
    this.#set(state, { attempt: this.#attempt });
    ws.onopen = () => {
      opened = true;
      this.#everOpened = true;
      this.#attempt = 0;
      this.#refusals = 0;
      this.#set(State.CONNECTED, {});
    };
    ws.onmessage = (event) => {
      let envelope;
      try {
        envelope = JSON.parse(event.data);
      } catch {
        envelope = { type: 'unreadable', raw: String(event.data).slice(0, 200) };
      }
      // A batch message carries several envelopes, each as it would be alone (docs/architecture.md, "Frames").
      const items = envelope?.type === 'batch' && Array.isArray(envelope.items) ? envelope.items : [envelope];
      items.filter((item) => this.#recent.admit(item?.id)).forEach((item) => this.#onEnvelope(item));
    };
    ws.onclose = async (event) => {
      if (this.#ws !== ws || this.#stopped) {
        return;
      }
      this.#ws = null;
      const refused = !opened && await stageAnswers(this.#url);
      if (this.#stopped || generation !== this.#generation) {
        return; // closed or reopened by the user while the probe ran
      }
      if (refused) {
        // The host is up but would not upgrade: the token (or the URL's stage) was refused.
        this.#refusals++;
        if (!this.#everOpened || this.#refusals >= MAX_REFUSALS) {
          this.#stopped = true;
          this.#set(State.REFUSED, {
            reason: 'The stage refused the connection: the token is wrong or expired, or the URL names '
              + 'no stage. Enter a valid token and connect again.',
          });
          return;
        }
      }
      const delayMs = backoffDelay(this.#attempt);
      this.#set(State.RECONNECTING, { code: event.code, delayMs, attempt: this.#attempt + 1 });
      this.#attempt++;
      this.#timer = setTimeout(() => this.#connect(State.RECONNECTING), delayMs);
    };
  }
}
