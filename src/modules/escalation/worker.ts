import type { EscalationService } from './service.ts';

export interface EscalationWorker {
  stop(): Promise<void>;
}

/**
 * Notifies due escalation levels and pages for unacknowledged alerts every `tickMs`. A tick never
 * overlaps the previous one; a failed tick is logged and the next one tries again (each level is
 * its own transaction, so nothing is notified twice).
 */
export function startEscalationWorker(d: {
  escalation: EscalationService;
  tickMs: number;
  log: { error(obj: object, msg?: string): void };
}): EscalationWorker {
  let running: Promise<void> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = d.escalation.tick()
      .then(() => undefined, (err: unknown) => d.log.error({ err }, 'escalation tick failed'))
      .finally(() => { running = null; });
  }, d.tickMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
