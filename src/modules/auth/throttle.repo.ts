import { sql } from 'kysely';
import type { Executor } from '../../db/index.ts';

export interface ThrottleRule {
  maxFailures: number;
  lockSeconds: number;
  windowSeconds: number;
  maxLockSeconds: number;
}

export const throttleRepo = {
  lockedUntil: (x: Executor, keys: string[]) =>
    x.selectFrom('loginThrottle').select(['key', 'lockedUntil']).where('key', 'in', keys).execute(),

  /**
   * Counts one failure for the key in one atomic statement. When the count reaches the rule's
   * maximum the key is locked, for lockSeconds doubled on each lock in a row (up to the cap).
   */
  recordFailure: (x: Executor, key: string, rule: ThrottleRule, now: Date) =>
    sql`
      insert into login_throttle as t (key, failures, lock_count, window_started_at, locked_until)
      values (${key}, 1, 0, ${now}, null)
      on conflict (key) do update set
        failures = case
          when t.window_started_at < ${now}::timestamptz - make_interval(secs => ${rule.windowSeconds}) then 1
          when t.failures + 1 >= ${rule.maxFailures} then 0
          else t.failures + 1 end,
        window_started_at = case
          when t.window_started_at < ${now}::timestamptz - make_interval(secs => ${rule.windowSeconds}) then ${now}
          else t.window_started_at end,
        lock_count = case
          when t.window_started_at < ${now}::timestamptz - make_interval(secs => ${rule.windowSeconds}) then 0
          when t.window_started_at >= ${now}::timestamptz - make_interval(secs => ${rule.windowSeconds})
               and t.failures + 1 >= ${rule.maxFailures} then t.lock_count + 1
          else t.lock_count end,
        locked_until = case
          when t.window_started_at >= ${now}::timestamptz - make_interval(secs => ${rule.windowSeconds})
               and t.failures + 1 >= ${rule.maxFailures}
          then ${now}::timestamptz + make_interval(secs => least(${rule.maxLockSeconds}, ${rule.lockSeconds} * power(2, t.lock_count)))
          else t.locked_until end
      returning locked_until`.execute(x),

  clear: (x: Executor, key: string) => x.deleteFrom('loginThrottle').where('key', '=', key).execute(),
};
