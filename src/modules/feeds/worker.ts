import { everyTick, type Ticker } from '../../lib/rounds.ts';
import type { FeedService } from './service.ts';

/**
 * `vigil serve`'s feed worker: reads the reports feeds delivered, oldest first, one after the other,
 * and takes over a report whose reader died once its lease has run out. Each tick reads every
 * report waiting.
 */
export function startFeedWorker(d: { feeds: FeedService; pollMs: number; log: { error(obj: object, msg?: string): void } }): Ticker {
  let stopping = false;
  const ticker = everyTick('feed worker', async () => {
    while (!stopping && (await d.feeds.readNext())) {
      /* the next one */
    }
  }, d.pollMs, d.log);
  return {
    async stop() {
      stopping = true;
      d.feeds.halt();
      await ticker.stop();
    },
  };
}
