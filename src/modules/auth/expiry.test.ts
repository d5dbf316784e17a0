import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, testClock, userWith, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

describe.each(stores())('session expiry on %s', (store) => {
  let t: TestApp;
  const clock = testClock();
  beforeAll(async () => {
    t = await makeApp(store, { VIGIL_SESSION_IDLE_MINUTES: '30', VIGIL_SESSION_MAX_HOURS: '2' }, clock);
  });
  afterAll(() => t?.close());

  const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers }).then((r) => r.statusCode);

  it('ends a session left idle longer than the idle limit', async () => {
    const u = await userWith(t, ['viewer']);
    clock.advance(29 * 60_000);
    expect(await me(u.headers)).toBe(200);
    clock.advance(29 * 60_000); // 29 minutes since the last use: still alive
    expect(await me(u.headers)).toBe(200);
    clock.advance(31 * 60_000);
    expect(await me(u.headers)).toBe(401);
  });

  it('ends a session at its absolute limit however busy it is', async () => {
    const u = await userWith(t, ['viewer']);
    for (let i = 0; i < 7; i++) {
      clock.advance(15 * 60_000);
      expect(await me(u.headers)).toBe(200);
    }
    clock.advance(16 * 60_000); // 2 h 1 min after sign-in
    expect(await me(u.headers)).toBe(401);
  });
});
