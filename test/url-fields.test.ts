import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/lib/actor.ts';
import { adminSession, apiOf, auditCount, makeApp, type Session, type TestApp } from './app.ts';
import { stores } from './db.ts';

/**
 * One rule for every web address Vigil stores (`HttpUrl` in src/lib/schemas.ts): http:// and
 * https:// only. Each path that sets one (a contact's web page by POST and PATCH and through the
 * service the command line uses; a notification channel's URL by POST and PATCH) refuses the
 * schemes a browser or a fetch would act on, writes nothing, and takes an ordinary https address.
 */
const HOSTILE = [
  'javascript:alert(document.cookie)',
  'JavaScript:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'ftp://files.example.org/report.pdf',
];

describe.each(stores())('web addresses on %s', (store) => {
  let t: TestApp;
  let admin: Session;
  const { call } = apiOf(() => t, () => admin);
  const cli = systemActor('cli');

  beforeAll(async () => {
    t = await makeApp(store);
    admin = await adminSession(t);
  });
  afterAll(() => t?.close());

  it("a contact's web page: the same refusal by POST, by PATCH and through the service", async () => {
    const made = await call(admin, 'POST', '/contacts', { kind: 'vendor', name: 'Firewall vendor PSIRT', email: 'psirt@fw-vendor.example', url: 'https://fw-vendor.example/psirt' });
    expect(made.statusCode, made.body).toBe(201);
    const contact = made.json() as { id: string; version: number };
    for (const url of HOSTILE) {
      const before = await auditCount(t);
      const post = await call(admin, 'POST', '/contacts', { kind: 'vendor', name: 'Mallory', email: 'm@example.net', url });
      expect(post.statusCode, `POST ${JSON.stringify(url)}`).toBe(400);
      expect(post.json()).toMatchObject({ code: 'VIG_REQUEST_INVALID', errors: [{ path: 'body.url' }] });
      const patch = await call(admin, 'PATCH', `/contacts/${contact.id}`, { version: contact.version, url });
      expect(patch.statusCode, `PATCH ${JSON.stringify(url)}`).toBe(400);
      expect(patch.json()).toMatchObject({ code: 'VIG_REQUEST_INVALID', errors: [{ path: 'body.url' }] });
      await expect(t.services.contacts.create(cli, { kind: 'vendor', name: 'Mallory', email: 'm@example.net', url }), `create ${JSON.stringify(url)}`)
        .rejects.toMatchObject({ code: 'VIG_REQUEST_INVALID' });
      await expect(t.services.contacts.update(cli, contact.id, { version: contact.version, url }), `update ${JSON.stringify(url)}`)
        .rejects.toMatchObject({ code: 'VIG_REQUEST_INVALID' });
      expect(await auditCount(t), `nothing written for ${JSON.stringify(url)}`).toBe(before);
    }
    const stored = (await call(admin, 'GET', `/contacts/${contact.id}`)).json();
    expect(stored).toMatchObject({ url: 'https://fw-vendor.example/psirt', version: contact.version });
    const changed = await t.services.contacts.update(cli, contact.id, { version: contact.version, url: 'http://fw-vendor.example/security' });
    expect(changed.url).toBe('http://fw-vendor.example/security');
  });

  it("a notification channel's URL: the same refusal by POST and by PATCH", async () => {
    const made = await call(admin, 'POST', '/notification-channels', { name: 'SOC webhook', kind: 'webhook', url: 'https://soc.example.org/hooks/vigil' });
    expect(made.statusCode, made.body).toBe(201);
    const channel = made.json() as { id: string; version: number };
    for (const url of HOSTILE) {
      const before = await auditCount(t);
      const post = await call(admin, 'POST', '/notification-channels', { name: `Hook ${HOSTILE.indexOf(url)}`, kind: 'webhook', url });
      expect(post.statusCode, `POST ${JSON.stringify(url)}`).toBe(400);
      expect(post.json().errors, `POST ${JSON.stringify(url)}`).toEqual([expect.objectContaining({ path: 'body.url' })]);
      const patch = await call(admin, 'PATCH', `/notification-channels/${channel.id}`, { version: channel.version, url });
      expect(patch.statusCode, `PATCH ${JSON.stringify(url)}`).toBe(400);
      expect(patch.json().errors, `PATCH ${JSON.stringify(url)}`).toEqual([expect.objectContaining({ path: 'body.url' })]);
      expect(await auditCount(t), `nothing written for ${JSON.stringify(url)}`).toBe(before);
    }
  });
});
