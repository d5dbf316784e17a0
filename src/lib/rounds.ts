// The polling loop of Vigil's delivery workers (reporter mail, notifications): run a round, run
// the next one at once when the round was full, otherwise wait; never two rounds at a time.

export interface RoundResult {
  claimed: number;
  sent: number;
  deferred: number;
  failed: number;
}

export interface RoundLoop {
  /** One round now (after the one in progress, if any). Tests drive workers with this. */
  runOnce(): Promise<RoundResult>;
  start(): void;
  /** Stops polling and lets the round in progress finish. */
  stop(): Promise<void>;
}

export function roundLoop(o: {
  round: () => Promise<RoundResult>;
  batch: number;
  pollMs: number;
  /** Names the worker in its log lines ("outgoing mail", "notifications"). */
  name: string;
  log: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}): RoundLoop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<RoundResult> | undefined;
  let stopped = true;

  async function runOnce(): Promise<RoundResult> {
    while (running) await running.catch(() => undefined);
    running = o.round();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  }

  async function tick() {
    timer = undefined;
    let again = false;
    try {
      const r = await runOnce();
      if (r.deferred || r.failed) o.log.warn({ ...r }, `${o.name}: some deliveries failed`);
      again = r.claimed === o.batch;
    } catch (err) {
      o.log.error({ err }, `${o.name}: round failed`);
    }
    if (!stopped) timer = setTimeout(() => void tick(), again ? 0 : o.pollMs);
  }

  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setTimeout(() => void tick(), 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}

export interface Ticker {
  stop(): Promise<void>;
}

/**
 * Runs `tick` every `tickMs`. A tick never overlaps the previous one; a failed tick is logged as
 * `<what> tick failed` and the next one tries again. `stop` waits for a running tick.
 */
export function everyTick(what: string, tick: () => Promise<unknown>, tickMs: number, log: { error(obj: object, msg?: string): void }): Ticker {
  let running: Promise<void> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = tick()
      .then(() => undefined, (err: unknown) => log.error({ err }, `${what} tick failed`))
      .finally(() => { running = null; });
  }, tickMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
