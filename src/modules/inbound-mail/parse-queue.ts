import type { MailLog } from './smtp.ts';

/**
 * Runs parses in the background, `concurrency` at a time; the ids wait in memory (each is stored).
 * With `busy`, a parse starts only while the sessions' own database work is idle, or when none
 * has started for `maxDeferMs`: on the embedded store's single connection a parse transaction
 * would otherwise hold up every 250 behind it, and acknowledging comes first.
 */
export function parseQueue(parse: (id: string) => Promise<unknown>, log: MailLog, o: { concurrency: number; busy?: () => boolean; maxDeferMs: number }) {
  let waiting: string[] = [];
  let head = 0;
  let running = 0;
  let stopped = false;
  let lastStart = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let settle: (() => void) | undefined;
  const pump = () => {
    while (!stopped && running < o.concurrency && head < waiting.length) {
      const deferred = performance.now() - lastStart;
      if (o.busy?.() && deferred < o.maxDeferMs) {
        timer ??= setTimeout(() => ((timer = undefined), pump()), o.maxDeferMs - deferred);
        break;
      }
      const id = waiting[head++]!;
      if (head > 1024 && head * 2 > waiting.length) [waiting, head] = [waiting.slice(head), 0];
      running++;
      lastStart = performance.now();
      parse(id)
        .catch((err: unknown) => log.error({ err, intakeItemId: id }, 'parsing an e-mail failed outside its transaction'))
        .finally(() => {
          running--;
          pump();
        });
    }
    if (running === 0) settle?.();
  };
  return {
    push(id: string) {
      waiting.push(id);
      pump();
    },
    /** Called when the sessions' database work goes idle: deferred parses may start. */
    kick: pump,
    /** Finishes the parses under way; the waiting ones stay pending and `intake.resume` takes them at the next start. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (running > 0) await new Promise<void>((r) => (settle = r));
      return waiting.length - head;
    },
  };
}
export type ParseQueue = ReturnType<typeof parseQueue>;
