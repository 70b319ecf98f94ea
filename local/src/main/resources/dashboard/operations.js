// The operations panel: figures local mode reads from the functions' metrics documents (/operations.json).

const POLL_MS = 1_000;

const $ = (id) => document.getElementById(id);

function show(id, value, text) {
  const cell = $(id);
  cell.dataset.value = value === null || value === undefined ? '' : String(value);
  cell.textContent = text;
}

function rate(perSecond) {
  return `${perSecond.toFixed(perSecond < 10 ? 1 : 0)}/s`;
}

function render(figures) {
  $('ops-stage').textContent = figures.stage;
  $('ops-window').textContent = String(figures.windowSeconds);
  show('ops-readings-in', figures.readingsInPerSecond, rate(figures.readingsInPerSecond));
  show('ops-readings-delivered', figures.readingsDeliveredPerSecond, rate(figures.readingsDeliveredPerSecond));
  show('ops-lag', figures.fanOutLagMs, figures.fanOutLagMs === null ? '–' : `${figures.fanOutLagMs} ms`);
  show('ops-connections', figures.connections, figures.connections === null ? '–' : String(figures.connections));
  const failed = figures.postsGone + figures.postsFailed;
  show('ops-failed', failed, `${failed} (${figures.postsGone} gone, ${figures.postsFailed} failed)`);
}

/** Shows the panel when the page is served by local mode, and keeps it current; elsewhere it stays hidden. */
export async function startOperationsPanel() {
  let last = null;
  const poll = async () => {
    try {
      const response = await fetch('/operations.json', { cache: 'no-store' });
      if (response.ok) {
        last = await response.json();
        render(last);
        $('operations').hidden = false;
        return true;
      }
    } catch {
      // Not served by local mode, or local mode stopped: keep the last figures.
    }
    return false;
  };
  if (await poll()) {
    setInterval(poll, POLL_MS);
  }
  return () => last;
}
