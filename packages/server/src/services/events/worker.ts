import type { WebhookDeliveryRow } from "../../storage/repos/webhooks.js";
import { type DeliveryDeps, type DeliveryOutcomes, runLane, windowWriter } from "./delivery.js";
import { FAN_OUT_BATCH, fanOut } from "./fan-out.js";
import type { StreamedEvent } from "./stream.js";
import { streamedEvent } from "./stream.js";

export interface WorkerOptions {
  /** How often the outbox and the due deliveries are looked at when nothing nudges (ms). */
  pollMs: number;
  /** Webhooks this node sends to at once (one lane each). */
  maxLanes: number;
  /** Deliveries claimed per look. */
  claimBatch: number;
  /**
   * Looks are at least this far apart (ms), whoever asks: an event's nudge, a lane that finished,
   * the poll. A backlog (a full batch) is looked at again at once; start() and drain() look at once.
   */
  minGapMs?: number;
}

/**
 * The background half of events (docs/events.md#delivery): fans committed events out to
 * deliveries (and to the live stream), claims due deliveries and sends them, one lane per
 * webhook so a slow receiver holds up only its own. Runs on every node; the database decides who
 * sends what.
 */
export function createEventWorker(
  deps: DeliveryDeps,
  options: WorkerOptions,
  onDispatched: (e: StreamedEvent) => void,
) {
  const outcomes: DeliveryOutcomes = { delivered: 0, retried: 0, failed: 0 };
  const busy = new Set<string>();
  /** The lanes' window writes, grouped when they end together. */
  const writer = windowWriter(deps, () => busy.size);
  const lanes = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  /** A nudge came while a look ran: look again once it ends (and the gap allows). */
  let again = false;
  let stopped = true;
  const minGapMs = options.minGapMs ?? 25;
  /** When the last look started (performance.now), and the look waiting for the gap. */
  let lastLook = Number.NEGATIVE_INFINITY;
  let later: NodeJS.Timeout | undefined;
  /**
   * Whether the next look also claims due deliveries. A look nudged by a new event claims only if
   * its fan-out made deliveries; the poll, a finished lane and start() look at everything (a
   * retry falls due with time, not with an event).
   */
  let claimDue = true;

  async function dispatch(): Promise<{ events: number; deliveries: number }> {
    const { events, deliveries } = await fanOut(deps);
    for (const e of events) onDispatched(streamedEvent(e));
    return { events: events.length, deliveries };
  }

  /**
   * Whether a lane that ends should make the worker claim again: a claim passed over its webhook
   * (busy) or every lane was taken, or the lane handed deliveries back. Otherwise nothing of its
   * webhook was left behind by it — retries falling due are the poll's — and a look after every
   * lane cost two statements a webhook (docs/performance.md, "The event path in batches").
   */
  const passedOver = new Set<string>();
  let lanesFull = false;

  async function claim(): Promise<number> {
    const free = options.maxLanes - busy.size;
    if (free <= 0) {
      lanesFull = true;
      return 0;
    }
    for (const hookId of busy) passedOver.add(hookId);
    const now = deps.clock.now();
    // One statement on PostgreSQL: the deliveries with their webhooks and events.
    const {
      deliveries: claimed,
      hooks,
      events,
    } = await deps.repos.webhooks.claimDueDeliveriesWithRows(now, now + deps.leaseMs, options.claimBatch, [
      ...busy,
    ]);
    if (claimed.length === 0) return 0;
    const byHook = new Map<string, WebhookDeliveryRow[]>();
    for (const d of claimed) {
      const lane = byHook.get(d.webhook_id) ?? [];
      lane.push(d);
      byHook.set(d.webhook_id, lane);
    }
    for (const [hookId, lane] of byHook) {
      busy.add(hookId);
      const p = runLane(deps, outcomes, hooks.get(hookId), lane, events, writer)
        .catch((err) => {
          deps.logger.error(
            { err, webhookId: hookId },
            "webhook lane stopped; its deliveries lapse and are retried",
          );
          return false;
        })
        .then((handedBack) => {
          busy.delete(hookId);
          lanes.delete(p);
          const more = passedOver.delete(hookId) || handedBack || lanesFull;
          if (more) lanesFull = false;
          if (more && !stopped) nudge(true);
        });
      lanes.add(p);
    }
    return claimed.length;
  }

  async function round(): Promise<void> {
    let backlog: boolean;
    do {
      backlog = false;
      lastLook = performance.now();
      const all = claimDue;
      claimDue = false;
      try {
        const dispatched = await dispatch();
        const claimed = all || dispatched.deliveries > 0 ? await claim() : 0;
        // Look again at once only after a full batch (more may be waiting). An event committed
        // meanwhile nudges (`again`), a lane that finishes nudges, and the poll finds the rest:
        // an empty look after every event cost four statements on PostgreSQL (docs/performance.md,
        // "The event worker's looks").
        if (claimed >= options.claimBatch) claimDue = true;
        if (dispatched.events >= FAN_OUT_BATCH || claimed >= options.claimBatch) backlog = true;
      } catch (err) {
        claimDue = true;
        deps.logger.warn({ err }, "event worker round failed; retrying at the next poll");
      }
    } while (backlog && !stopped);
  }

  /**
   * `everything`: claim due deliveries too, not only fan out new events. Looks are at least
   * `minGapMs` apart whoever nudges: a lane's end looked at once, and under a steady stream the
   * lanes' ends alone made about one look per event — a fan-out, a claim and a window's write each
   * (docs/performance.md, "The event path: one look per gap").
   */
  function nudge(everything = false): void {
    if (everything) claimDue = true;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    const wait = lastLook + minGapMs - performance.now();
    if (wait > 0) {
      if (!later) {
        later = setTimeout(() => {
          later = undefined;
          nudge();
        }, wait);
        later.unref();
      }
      return;
    }
    running = round().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        nudge();
      }
    });
  }

  return {
    outcomes,
    /** Deliveries being sent now. */
    get inFlight() {
      return busy.size;
    },
    start(): void {
      if (!stopped) return;
      stopped = false;
      lastLook = Number.NEGATIVE_INFINITY;
      timer = setInterval(() => nudge(true), options.pollMs);
      timer.unref();
      nudge(true);
    },
    /** Look now (an event was just written; the look after commit finds it). */
    nudge: () => nudge(false),
    /** Runs rounds until nothing is left to fan out or claim now, and every lane has finished. */
    async drain(): Promise<void> {
      for (;;) {
        await running;
        claimDue = true;
        await round();
        if (lanes.size === 0) return;
        await Promise.all([...lanes]);
      }
    },
    /** Stops looking; waits for the sends under way (their leases would cover a crash anyway). */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      if (later) clearTimeout(later);
      later = undefined;
      await running;
      await Promise.all([...lanes]);
    },
  };
}
export type EventWorker = ReturnType<typeof createEventWorker>;
