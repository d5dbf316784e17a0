import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { bootstrap } from '../../bootstrap.ts';
import { loadConfig } from '../../config.ts';
import { systemActor } from '../../lib/actor.ts';
import type { Services } from '../../services.ts';
import { ADMIN_PASSWORD, login, SECRET_KEY } from '../../../test/app.ts';
import { freshDb, stores, type TestDb } from '../../../test/db.ts';

/**
 * What checking a request's credentials costs: the session (or API token), its user, the user's
 * roles and constituent scope are read in one statement.
 */
describe.each(stores())('authenticating a request on %s', (store) => {
  let db: TestDb;
  let app: FastifyInstance;
  let services: Services;
  let blobs: string;
  const count = { n: 0, on: false };
  const counter: KyselyPlugin = {
    transformQuery: (args) => {
      if (count.on) count.n++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };

  beforeAll(async () => {
    db = await freshDb(store);
    blobs = mkdtempSync(join(tmpdir(), 'vigil-blobs-'));
    const config = loadConfig({ VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD, VIGIL_DATA_DIR: '/nonexistent', VIGIL_EVIDENCE_DIR: blobs, LOG_LEVEL: 'silent' });
    app = await buildApp({ config, db: db.db.withPlugin(counter), secretKey: SECRET_KEY });
    services = (app as unknown as { services: Services }).services;
    await bootstrap(db.db, services, config);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    if (blobs) rmSync(blobs, { recursive: true, force: true });
  });

  /** The statements one request sends. */
  async function statementsOf(headers: Record<string, string>, url = '/api/v1/auth/me'): Promise<{ n: number; status: number; body: unknown }> {
    count.n = 0;
    count.on = true;
    try {
      const r = await app.inject({ method: 'GET', url, headers });
      return { n: count.n, status: r.statusCode, body: r.json() };
    } finally {
      count.on = false;
    }
  }

  it('reads the session, the user, its roles and its constituents in one statement; an API token likewise', async () => {
    const cli = systemActor('cli');
    const desk = await services.constituents.create(cli, { name: 'Auth Desk' });
    const other = await services.constituents.create(cli, { name: 'Auth Other' });
    const { user } = await services.users.create(cli, { username: 'scoped', displayName: 'Scoped', roles: ['manager'], password: 'Correct-Horse-Battery-9' });
    await services.users.update(cli, user.id, { constituentIds: [desk.id] });
    await db.db.updateTable('appUser').set({ mustChangePassword: false }).where('id', '=', user.id).execute();
    const s = await login(app, 'scoped', 'Correct-Horse-Battery-9');
    const manager = { userId: user.id, username: 'scoped', roles: ['manager' as const], via: 'session' as const, ip: null, requestId: null };
    const ours = await services.incidents.declare({ ...manager, constituentIds: [desk.id] }, {
      title: 'ours', impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }], constituent: 'Auth Desk',
    });
    await services.incidents.declare({ ...manager, constituentIds: null }, {
      title: 'theirs', impact: 'low', urgency: 'low', classifications: [{ class: 'test', type: 'test' }], constituent: other.name,
    });

    await statementsOf(s.headers); // warms the settings cache
    const me = await statementsOf(s.headers);
    expect(me.status).toBe(200);
    // /auth/me reads nothing but the caller: one statement in all.
    expect(me.n).toBe(1);

    const tok = await app.inject({ method: 'POST', url: '/api/v1/account/tokens', headers: s.headers, payload: { name: 'script', expiresInDays: 30 } });
    expect(tok.statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${tok.json().token}` };
    await statementsOf(bearer); // the first use is recorded on the token
    const viaToken = await statementsOf(bearer);
    expect(viaToken.status).toBe(200);
    expect(viaToken.n).toBe(1);

    // The scope read with the credentials is the one applied: either way, only the desk's incident.
    for (const h of [s.headers, bearer]) {
      const list = await statementsOf(h, '/api/v1/incidents');
      expect(list.status).toBe(200);
      expect((list.body as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([ours.id]);
    }
  });
});
