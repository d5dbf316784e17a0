import type { Db, Executor } from '../../db/index.ts';
import type { Clock } from '../../lib/actor.ts';
import { VigilError } from '../../lib/errors.ts';
import { throttleRepo, type ThrottleRule } from './throttle.repo.ts';

/** Failed-login throttling kept in the database, so every Vigil process shares the counts. */
export function createThrottle(d: { db: Db; clock: Clock; account: ThrottleRule; address: ThrottleRule }) {
  const ruleFor = (key: string) => (key.startsWith('ip:') ? d.address : d.account);
  return {
    /** Refuses with 429 and Retry-After while any of the keys is locked. */
    async check(keys: string[]): Promise<void> {
      const now = d.clock.now().getTime();
      const rows = await throttleRepo.lockedUntil(d.db, keys);
      const waits = rows.map((r) => (r.lockedUntil ? new Date(r.lockedUntil).getTime() - now : 0)).filter((w) => w > 0);
      if (waits.length) {
        const retryAfter = Math.ceil(Math.max(...waits) / 1000);
        throw new VigilError('VIG_AUTH_THROTTLED', { retryAfter }, { headers: { 'retry-after': String(retryAfter) } });
      }
    },
    async fail(x: Executor, keys: string[]): Promise<void> {
      for (const k of keys) await throttleRepo.recordFailure(x, k, ruleFor(k), d.clock.now());
    },
    clear: (x: Executor, key: string) => throttleRepo.clear(x, key),
  };
}
export type Throttle = ReturnType<typeof createThrottle>;
