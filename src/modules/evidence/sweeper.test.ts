import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, userWith, type Session, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { sweepBlobs } from './sweeper.ts';

const HOUR = 3600_000;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const age = (path: string, ms: number) => {
  const t = new Date(Date.now() - ms);
  utimesSync(path, t, t);
};

describe.each(stores())('sweeping the blob store on %s', (store) => {
  let t: TestApp;
  let handler: Session;
  beforeAll(async () => {
    t = await makeApp(store, { VIGIL_EVIDENCE_MAX_BYTES: String(1024 * 1024) });
    handler = await userWith(t, ['handler']);
  });
  afterAll(() => t?.close());

  const pathOf = (h: string) => t.services.blobs.pathOf(h);
  /** A file in the store as a put leaves it (read-only), written `ms` ago. */
  const plant = (bytes: Buffer, ms: number) => {
    const p = pathOf(sha(bytes));
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, bytes);
    chmodSync(p, 0o400);
    age(p, ms);
    return p;
  };

  it('removes old files no row refers to, and keeps evidence, report attachments and recent files', async () => {
    // Evidence, uploaded as a handler does.
    const inc = (await t.app.inject({
      method: 'POST', url: '/api/v1/incidents', headers: handler.headers,
      payload: { title: 'Phishing wave', impact: 'medium', urgency: 'medium', classifications: [{ class: 'fraud', type: 'phishing' }] },
    })).json();
    const evidence = Buffer.from('Received: from mail.example.net\r\nSubject: Your mailbox is full\r\n\r\nClick here\r\n');
    const up = await t.app.inject({
      method: 'POST', url: `/api/v1/incidents/${inc.id}/evidence?filename=lure.eml&collectedBy=Dana&collectedAt=2026-11-24T21:15:00Z&collectedFrom=mailbox`,
      headers: { ...handler.headers, 'content-type': 'application/octet-stream' }, payload: evidence,
    });
    expect(up.statusCode, up.body).toBe(201);
    // A report attachment, through the public web form.
    const attachment = Buffer.from('timestamp,src_ip,dst_port\n2026-11-24T21:00:00Z,203.0.113.7,445\n');
    const fd = new FormData();
    for (const [k, v] of Object.entries({ name: 'Sam Reporter', email: 'sam@example.org', organisation: 'Westbrook Library', what: 'SMB scanning from 203.0.113.7 against our file servers.', tlp: 'GREEN' })) fd.append(k, v);
    fd.append('attachment', new Blob([attachment], { type: 'text/csv' }), 'firewall.csv');
    const req = new Request('http://vigil.test/', { method: 'POST', body: fd });
    const sent = await t.app.inject({
      method: 'POST', url: '/api/v1/public/reports', headers: { 'content-type': req.headers.get('content-type')! }, payload: Buffer.from(await req.arrayBuffer()), remoteAddress: '198.51.100.77',
    });
    expect(sent.statusCode, sent.body).toBeLessThan(300);
    for (let i = 0; i < 100; i++) {
      if (await t.db.db.selectFrom('reportAttachment').select('id').where('sha256', '=', sha(attachment)).executeTakeFirst()) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const evidencePath = pathOf(sha(evidence));
    const attachmentPath = pathOf(sha(attachment));
    expect(existsSync(evidencePath) && existsSync(attachmentPath)).toBe(true);
    age(evidencePath, 48 * HOUR);
    age(attachmentPath, 48 * HOUR);
    const orphan = plant(Buffer.from('left by an upload whose row was never written'), 48 * HOUR);
    const recent = plant(Buffer.from('an upload whose row is being written right now'), 60_000);

    const r = await sweepBlobs({ db: t.db.db, blobs: t.services.blobs, graceMs: HOUR });
    expect(r.unreferenced).toBe(1);
    expect(existsSync(orphan), 'an old file no row refers to').toBe(false);
    expect(existsSync(recent), 'a recent file').toBe(true);
    expect(existsSync(evidencePath), 'evidence').toBe(true);
    expect(existsSync(attachmentPath), 'a report attachment').toBe(true);
    expect(statSync(evidencePath).mode & 0o777).toBe(0o400);
    const down = await t.app.inject({ method: 'GET', url: `/api/v1/evidence/${up.json().id}/download`, headers: handler.headers });
    expect(down.rawPayload.equals(evidence)).toBe(true);
  });

  it('renews a kept file when the same bytes are uploaded again, so a sweep leaves it to its new row', async () => {
    const bytes = Buffer.from('the same memory image, uploaded twice '.repeat(50));
    const kept = plant(bytes, 48 * HOUR);
    await t.services.blobs.put((await import('node:stream')).Readable.from([bytes]), 1024 * 1024);
    expect(Date.now() - statSync(kept).mtimeMs).toBeLessThan(HOUR);
    await sweepBlobs({ db: t.db.db, blobs: t.services.blobs, graceMs: HOUR });
    expect(existsSync(kept)).toBe(true);
  });

  it('removes unfinished uploads once untouched for the grace period, and puts back a file moved aside', async () => {
    const tmp = join(t.config.evidenceDir, 'tmp');
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'a1b2c3.part'), 'cut');
    age(join(tmp, 'a1b2c3.part'), 2 * HOUR);
    writeFileSync(join(tmp, 'd4e5f6.part'), 'still arriving');
    const aside = Buffer.from('moved aside by a sweep when the process stopped');
    writeFileSync(join(tmp, `${sha(aside)}.sweep`), aside);
    expect(await t.services.blobs.sweepTmp(HOUR)).toBe(1);
    expect(existsSync(join(tmp, 'a1b2c3.part'))).toBe(false);
    expect(existsSync(join(tmp, 'd4e5f6.part'))).toBe(true);
    expect(existsSync(pathOf(sha(aside)))).toBe(true);
  });
});
