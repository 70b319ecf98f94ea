// Bounded per-series memory and per-device sequence bookkeeping. Readings may arrive out of
// order (fan-out runs concurrently, as Lambda does), so both sort or wait before they conclude.

/** The last `capacity` points of one series, as they arrived; read back sorted by (x, seq). */
export class Ring {
  #xs;
  #ys;
  #seqs;
  #start = 0;
  #sorted = true;
  length = 0;

  constructor(capacity) {
    this.#xs = new Float64Array(capacity);
    this.#ys = new Float64Array(capacity);
    this.#seqs = new Float64Array(capacity);
  }

  push(x, y, seq = 0) {
    const capacity = this.#xs.length;
    const last = (this.#start + this.length - 1) % capacity;
    if (this.length > 0 && (x < this.#xs[last] || (x === this.#xs[last] && seq < this.#seqs[last]))) {
      this.#sorted = false;
    }
    const at = (this.#start + this.length) % capacity;
    this.#xs[at] = x;
    this.#ys[at] = y;
    this.#seqs[at] = seq;
    if (this.length < capacity) {
      this.length++;
    } else {
      this.#start = (this.#start + 1) % capacity;
    }
  }

  /** Copies, oldest first, as uPlot wants them: [xs, ys]. */
  toArrays() {
    const order = Array.from({ length: this.length }, (_, i) => (this.#start + i) % this.#xs.length);
    if (!this.#sorted) {
      order.sort((a, b) => this.#xs[a] - this.#xs[b] || this.#seqs[a] - this.#seqs[b]);
    }
    return [order.map((i) => this.#xs[i]), order.map((i) => this.#ys[i])];
  }
}

/** Gaps this long are not tracked one by one; they count as lost at once. */
const MAX_TRACKED_GAP = 10_000;

/**
 * What a device's `seq` says. A jump forward leaves seqs missing: they are late. A late one that
 * arrives fills its gap; one still missing after the settle time counts as lost, and if it still
 * arrives after that it is counted back (late, never lost). A step back to a seq already seen is
 * a duplicate, except a 0 after a run, which is a restart.
 */
export class SeqTracker {
  #missing = new Map(); // seq -> when it was first missed (ms)
  #counted = new Set(); // seqs counted as lost, in case they still arrive
  highest = null;
  lowest = null;
  lost = 0;
  /** Readings that arrived after they had been counted as lost. */
  lateAfterSettle = 0;
  duplicates = 0;
  restarts = 0;

  observe(seq, now) {
    if (!Number.isInteger(seq) || seq < 0) {
      return;
    }
    if (this.highest === null) {
      this.highest = this.lowest = seq;
    } else if (seq > this.highest) {
      const gap = seq - this.highest - 1;
      if (gap > MAX_TRACKED_GAP) {
        this.lost += gap;
      } else {
        for (let s = this.highest + 1; s < seq; s++) {
          this.#missing.set(s, now);
        }
      }
      this.highest = seq;
    } else if (this.#missing.delete(seq)) {
      // a late arrival filled its gap
    } else if (this.#counted.delete(seq)) {
      // counted as lost, and here it is: late, not lost
      this.lost--;
      this.lateAfterSettle++;
    } else if (seq < this.lowest) {
      // Earlier than anything seen yet: late, not lost, and so are the seqs between it and the
      // first one seen (the first reading to arrive need not be the first sent).
      if (this.lowest - seq - 1 <= MAX_TRACKED_GAP) {
        for (let s = seq + 1; s < this.lowest; s++) {
          this.#missing.set(s, now);
        }
      }
      this.lowest = seq;
    } else if (seq === 0 && this.highest > 0) {
      this.restarts++;
      this.settle(Infinity, 0);
      this.highest = this.lowest = 0;
    } else {
      this.duplicates++;
    }
  }

  /** Counts as lost what has been missing longer than `graceMs`; returns those seqs, ascending. */
  settle(now, graceMs) {
    const lostNow = [];
    for (const [seq, since] of this.#missing) {
      if (now - since >= graceMs) {
        lostNow.push(seq);
      }
    }
    for (const seq of lostNow) {
      this.#missing.delete(seq);
      if (this.#counted.size < MAX_TRACKED_GAP) {
        this.#counted.add(seq);
      }
    }
    this.lost += lostNow.length;
    return lostNow.sort((a, b) => a - b);
  }

  /** Seqs missing now, within the settle time: late. */
  get late() {
    return this.#missing.size;
  }

  /** Seqs missing now, not yet given up on (the same as `late`). */
  get pending() {
    return this.#missing.size;
  }
}
