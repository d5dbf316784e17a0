import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../src/app.ts';
import { bootstrap } from '../src/bootstrap.ts';
import { loadConfig, type Config } from '../src/config.ts';
import type { Role } from '../src/db/schema.ts';
import { systemActor, type Clock } from '../src/lib/actor.ts';
import type { Services } from '../src/services.ts';
import { freshDb, type Store, type TestDb } from './db.ts';

export const ADMIN_PASSWORD = 'Initial-Admin-Pass-1';
export const SECRET_KEY = Buffer.alloc(32, 7);

/** A clock tests can move. */
export function testClock(start = new Date()): Clock & { advance(ms: number): void } {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  db: TestDb;
  config: Config;
  close(): Promise<void>;
}

/** A fresh Vigil on a fresh database, bootstrapped like a first start (admin with ADMIN_PASSWORD). */
export async function makeApp(store: Store, env: Record<string, string> = {}, clock?: Clock): Promise<TestApp> {
  const db = await freshDb(store);
  const blobs = mkdtempSync(join(tmpdir(), 'vigil-blobs-'));
  const config = loadConfig({ VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD, VIGIL_DATA_DIR: '/nonexistent', VIGIL_EVIDENCE_DIR: blobs, LOG_LEVEL: 'silent', ...env });
  const app = await buildApp({ config, db: db.db, secretKey: SECRET_KEY, ...(clock ? { clock } : {}) });
  const services = (app as unknown as { services: Services }).services;
  await bootstrap(db.db, services, config);
  return {
    app,
    services,
    db,
    config,
    async close() {
      await app.close();
      await db.close();
      rmSync(blobs, { recursive: true, force: true });
    },
  };
}

export interface Session {
  cookie: string;
  csrf: string;
  headers: Record<string, string>;
}

/** Signs in through the API and returns the cookie and CSRF headers to send. */
export async function login(app: FastifyInstance, username: string, password: string): Promise<Session> {
  const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (r.statusCode !== 200) throw new Error(`login ${username} failed: ${r.statusCode} ${r.body}`);
  const cookie = r.cookies.find((c) => c.name === 'vigil_session')!;
  const csrf = r.json().csrfToken as string;
  return { cookie: `vigil_session=${cookie.value}`, csrf, headers: { cookie: `vigil_session=${cookie.value}`, 'x-csrf-token': csrf } };
}

let seq = 0;
/** Creates a user with the roles and a known password already changed, and signs them in. */
export async function userWith(t: TestApp, roles: Role[], password = 'Correct-Horse-Battery-9'): Promise<Session & { id: string; username: string }> {
  const username = `u${++seq}-${roles.join('-') || 'none'}`.slice(0, 60);
  const { user } = await t.services.users.create(systemActor('cli'), { username, displayName: username, roles, password });
  await t.db.db.updateTable('appUser').set({ mustChangePassword: false }).where('id', '=', user.id).execute();
  const s = await login(t.app, username, password);
  return { ...s, id: user.id, username };
}

/** Signs in as the bootstrap admin and changes the password, as a first login would. */
export async function adminSession(t: TestApp): Promise<Session> {
  const s = await login(t.app, 'admin', ADMIN_PASSWORD);
  const r = await t.app.inject({
    method: 'POST', url: '/api/v1/auth/password', headers: s.headers,
    payload: { currentPassword: ADMIN_PASSWORD, newPassword: 'A-Much-Better-Passphrase-2026' },
  });
  if (r.statusCode !== 204) throw new Error(`admin password change failed: ${r.body}`);
  return s;
}

export async function auditCount(t: TestApp): Promise<number> {
  const r = await t.db.db.selectFrom('auditLog').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * API calls as a signed-in user (`call`), and `declare` for declaring an incident as `author()`:
 * a low-priority phishing incident unless `defaults`, then each call's `over`, say otherwise.
 * The app and the author are read when called, so both can be set up in a `beforeAll`.
 */
export function apiOf(app: () => TestApp, author: () => Session, defaults: object = {}) {
  const call = (who: Session, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    app().app.inject({ method, url: `/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });
  const declare = async (over: object = {}) =>
    (await call(author(), 'POST', '/incidents', {
      title: 'Incident', impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }], ...defaults, ...over,
    })).json();
  return { call, declare };
}

/**
 * The report tests' calls: `call` with extra headers and raw bodies, `submit` a report (expects 201),
 * `declare` an incident as `handler`.
 */
export function reportCallsOf(app: () => TestApp, handler: () => Session) {
  const call = (who: Session, method: 'GET' | 'POST', url: string, payload?: object | string, headers: Record<string, string> = {}) =>
    app().app.inject({ method, url: `/api/v1${url}`, headers: { ...who.headers, ...headers }, ...(payload !== undefined ? { payload } : {}) });
  const submit = async (who: Session, over: object = {}) => {
    const r = await call(who, 'POST', '/reports', { title: 'Suspicious login', body: 'Logins from 203.0.113.7 at night', ...over });
    expect(r.statusCode, r.body).toBe(201);
    return r.json();
  };
  const { declare } = apiOf(app, handler);
  return { call, submit, declare };
}
