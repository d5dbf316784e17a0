import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, apiOf, auditCount, makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';

describe.each(stores())('external contacts in incident roles on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  let handler: Session;
  let viewer: Session;
  let contactId: string;
  const { call, declare } = apiOf(() => t, () => handler);

  beforeAll(async () => {
    t = await makeApp(store);
    admin = await adminSession(t);
    handler = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
    contactId = (await call(admin, 'POST', '/contacts', {
      kind: 'legal_counsel', name: 'Dr. Rechts', organisation: 'Kanzlei & Partner', email: 'counsel@kanzlei.example', emergencyPhone: '+49 170 0000000',
      hours: '24/7 for retained clients', timeZone: 'Europe/Berlin',
    })).json().id;
  });
  afterAll(() => t?.close());

  it('gives a contact a role, as an incident event and an audit record, and shows how to reach them', async () => {
    const inc = await declare();
    const before = await auditCount(t);
    const r = await call(handler, 'POST', `/incidents/${inc.id}/contacts`, { role: 'legal', contactId });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual([expect.objectContaining({ role: 'legal', contactId, name: 'Dr. Rechts', organisation: 'Kanzlei & Partner', emergencyPhone: '+49 170 0000000', hours: '24/7 for retained clients' })]);
    expect(await auditCount(t)).toBe(before + 1);
    // Assigning again changes nothing and records nothing.
    expect((await call(handler, 'POST', `/incidents/${inc.id}/contacts`, { role: 'legal', contactId })).json()).toHaveLength(1);
    expect(await auditCount(t)).toBe(before + 1);
    const timeline = (await call(viewer, 'GET', `/incidents/${inc.id}/timeline`)).json();
    const ev = timeline.items.find((e: { kind: string }) => e.kind === 'incident.contact_role_assigned');
    expect(ev.data).toMatchObject({ role: 'legal', contactId, name: 'Dr. Rechts' });
    expect((await call(viewer, 'GET', `/incidents/${inc.reference}/contacts`)).json()).toHaveLength(1);
    const exported = (await call(viewer, 'GET', `/incidents/${inc.id}/export`)).json();
    expect(exported.contactRoles).toEqual([expect.objectContaining({ role: 'legal', contactId, email: 'counsel@kanzlei.example' })]);

    const removed = await call(handler, 'DELETE', `/incidents/${inc.id}/contacts/legal/${contactId}`);
    expect(removed.json()).toEqual([]);
    expect(await auditCount(t)).toBe(before + 2);
    const after = (await call(viewer, 'GET', `/incidents/${inc.id}/timeline`)).json();
    expect(after.items.map((e: { kind: string }) => e.kind)).toContain('incident.contact_role_removed');
  });

  it('refuses viewers, unknown and inactive contacts, and keeps a contact in a role from being deleted', async () => {
    const inc = await declare();
    const before = await auditCount(t);
    const denied = await call(viewer, 'POST', `/incidents/${inc.id}/contacts`, { role: 'legal', contactId });
    expect(denied.statusCode).toBe(403);
    const unknown = await call(handler, 'POST', `/incidents/${inc.id}/contacts`, { role: 'legal', contactId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.json().code).toBe('VIG_CONTACT_NOT_FOUND');
    const role = await call(handler, 'POST', `/incidents/${inc.id}/contacts`, { role: 'janitor', contactId });
    expect(role.json().code).toBe('VIG_REQUEST_INVALID');
    expect(await auditCount(t)).toBe(before);

    await call(handler, 'POST', `/incidents/${inc.id}/contacts`, { role: 'communications', contactId });
    const del = await call(admin, 'DELETE', `/contacts/${contactId}`);
    expect(del.statusCode).toBe(409);
    expect(del.json()).toMatchObject({ code: 'VIG_CONTACT_IN_USE', incidentRoles: 1 });

    const other = (await call(admin, 'POST', '/contacts', { kind: 'vendor', name: 'Retired vendor', email: 'v@example.org', active: false })).json();
    const inactive = await call(handler, 'POST', `/incidents/${inc.id}/contacts`, { role: 'analyst', contactId: other.id });
    expect(inactive.json().code).toBe('VIG_CONTACT_INACTIVE');
  });

  it('hides a restricted incident\'s contacts from someone who cannot see the incident', async () => {
    const inc = await declare({ tlp: 'RED' });
    await call(handler, 'POST', `/incidents/${inc.id}/contacts`, { role: 'legal', contactId });
    const outsider = await userWith(t, ['handler']);
    const r = await call(outsider, 'GET', `/incidents/${inc.id}/contacts`);
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('VIG_INCIDENT_NOT_FOUND');
    const w = await call(outsider, 'POST', `/incidents/${inc.id}/contacts`, { role: 'analyst', contactId });
    expect(w.json().code).toBe('VIG_INCIDENT_NOT_FOUND');
  });
});
