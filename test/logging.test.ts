import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, loggerOptions } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { freshDb, type TestDb } from './db.ts';
import { SECRET_KEY } from './app.ts';

/** What the request log keeps: never a reporter's status-link token, never credentials. */
describe('request logging', () => {
  let db: TestDb;
  const lines: string[] = [];
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    db = await freshDb('pglite');
    const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const config = loadConfig({ VIGIL_DATA_DIR: '/nonexistent', LOG_LEVEL: 'info' });
    app = await buildApp({ config, db: db.db, secretKey: SECRET_KEY, logger: { ...(loggerOptions('info') as object), stream } as never });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('masks the status-link token and the bearer token', async () => {
    const token = 'Zm9vYmFyLXNlY3JldC10b2tlbi1mb3ItcmVwb3J0ZXJzLTQy';
    await app.inject({ method: 'GET', url: `/api/v1/public/status/${token}?x=1`, headers: { authorization: 'Bearer vgl_secretsecretsecret' } });
    const log = lines.join('');
    expect(log).toContain('/api/v1/public/status/[redacted]');
    expect(log).not.toContain(token);
    expect(log).not.toContain('vgl_secretsecretsecret');
  });
});
