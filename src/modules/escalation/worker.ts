import { everyTick, type Ticker } from '../../lib/rounds.ts';
import type { EscalationService } from './service.ts';

export type EscalationWorker = Ticker;

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
  return everyTick('escalation', () => d.escalation.tick(), d.tickMs, d.log);
}
