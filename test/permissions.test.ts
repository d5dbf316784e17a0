// What the server tells the web app it may do: /auth/me's permissions per role (and per token), and
// the `allowed` actions on incidents by role and status. The web app shows actions by these alone.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, permissionsOf, ROLES } from '../src/lib/authz/policy.ts';
import { adminSession, apiOf, makeApp, userWith, type Session, type TestApp } from './app.ts';
import { stores } from './db.ts';

describe('the permission catalogue outside the server', () => {
  it("is the web app's Permission type and the table in docs/security.md, name for name", () => {
    // The web app's Permission is the generated type of /auth/me's `permissions` (test/api-types.test.ts
    // keeps the generated file current), which must list every permission of the catalogue.
    const web = readFileSync(new URL('../web/src/auth/permissions.ts', import.meta.url), 'utf8');
    expect(web).toMatch(/export type Permission = ItemOf<Me\['permissions'\]>;/);
    const generated = readFileSync(new URL('../web/src/api/schema.gen.ts', import.meta.url), 'utf8');
    const union = /permissions: \(([^)]*)\)\[\];/.exec(generated)?.[1] ?? '';
    expect([...union.matchAll(/"([a-z_.]+)"/g)].map((m) => m[1]).sort()).toEqual([...PERMISSIONS].sort());
    const doc = readFileSync(new URL('../docs/security.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z_.]+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual([...PERMISSIONS]);
  });
});

describe.each(stores())('permissions shown to the web app on %s', (store) => {
  let t: TestApp;
  let handler: Session & { id: string };
  let viewer: Session & { id: string };
  const { call, declare } = apiOf(() => t, () => handler);

  beforeAll(async () => {
    t = await makeApp(store);
    handler = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
  });
  afterAll(() => t?.close());

  it("lists each role's permissions, sorted, in /auth/me (for a token: its roles')", async () => {
    const sessions: Record<string, Session> = { admin: await adminSession(t) };
    for (const role of ROLES.filter((r) => r !== 'admin')) sessions[role] = await userWith(t, [role]);
    for (const role of ROLES) {
      const me = await call(sessions[role]!, 'GET', '/auth/me');
      expect(me.statusCode, role).toBe(200);
      const permissions = me.json().permissions as string[];
      expect(permissions, role).toEqual([...permissionsOf([role])].sort());
      expect(permissions.every((p) => (PERMISSIONS as readonly string[]).includes(p)), role).toBe(true);
    }
    const of = async (s: Session) => (await call(s, 'GET', '/auth/me')).json().permissions as string[];
    expect(await of(viewer)).not.toContain('escalation.acknowledge');
    expect(await of(viewer)).toEqual(expect.arrayContaining(['incident.read', 'escalation.read', 'sla.read']));
    expect(await of(handler)).toContain('escalation.acknowledge');
    expect(await of(sessions.manager!)).not.toContain('mail.read');
    expect(await of(sessions.admin!)).toContain('mail.read');

    // A token limited to the viewer role of a handler-and-viewer: the viewer's permissions only.
    const both = await userWith(t, ['handler', 'viewer']);
    expect(await of(both)).toContain('incident.update');
    const tok = await call(both, 'POST', '/account/tokens', { name: 'read-only', expiresInDays: 1, roles: ['viewer'] });
    expect(tok.statusCode).toBe(201);
    const viaToken = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${tok.json().token}` } });
    expect(viaToken.json().permissions).toEqual([...permissionsOf(['viewer'])].sort());
  });

  it("gives every incident the caller's allowed actions, by role and status, in the list, the detail and write answers", async () => {
    const inc = await declare({ title: 'Allowed actions' });
    expect(inc.allowed).toEqual({ write: true, update: true, close: true, reopen: false, downloadEvidence: true, acknowledgeEscalation: true });

    const none = { write: false, update: false, close: false, reopen: false, downloadEvidence: false, acknowledgeEscalation: false };
    expect((await call(viewer, 'GET', `/incidents/${inc.id}`)).json().allowed).toEqual(none);
    const listed = (await call(viewer, 'GET', '/incidents?limit=200')).json().items.find((i: { id: string }) => i.id === inc.id);
    expect(listed.allowed).toEqual(none);
    const handlerListed = (await call(handler, 'GET', '/incidents?limit=200')).json().items.find((i: { id: string }) => i.id === inc.id);
    expect(handlerListed.allowed).toMatchObject({ update: true, close: true });

    const closed = await call(handler, 'POST', `/incidents/${inc.id}/close`, { version: inc.version, resolution: 'resolved' });
    expect(closed.statusCode).toBe(200);
    expect(closed.json().allowed).toEqual({ write: true, update: false, close: false, reopen: true, downloadEvidence: true, acknowledgeEscalation: true });
    expect((await call(viewer, 'GET', `/incidents/${inc.reference}`)).json().allowed).toEqual(none);

    // A stale write's 409 carries the incident as it is now, with the caller's actions.
    const stale = await call(handler, 'POST', `/incidents/${inc.id}/reopen`, { version: inc.version, reason: 'stale' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().current.allowed).toMatchObject({ reopen: true, update: false });
  });

  it('documents the new fields in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const schemas = doc.components.schemas;
    expect(schemas.Incident.required).toContain('allowed');
    expect(JSON.stringify(schemas)).toContain('acknowledgeEscalation');
    expect(JSON.stringify(doc)).toContain('escalation.acknowledge');
  });
});
