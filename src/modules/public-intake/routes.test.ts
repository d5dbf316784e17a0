import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../lib/actor.ts';
import { systemActor, systemClock } from '../../lib/actor.ts';
import { auditCount, makeApp, testClock, userWith, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { drainQueued } from '../delivery/testkit.ts';

const MAX_FILE = 64 * 1024;
const ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(200)]);

interface Upload {
  filename: string;
  type?: string;
  content: Buffer | string;
}

/** A multipart body as browsers (and Node's fetch) encode FormData. */
async function multipart(fields: Record<string, string>, files: Upload[] = []) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append('attachment', new Blob([f.content], { type: f.type ?? 'application/octet-stream' }), f.filename);
  const req = new Request('http://vigil.test/', { method: 'POST', body: fd });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

const FORM = {
  name: 'Zoë Reporter', email: 'Zoe@Example.ORG', organisation: 'Northtown Water Board', phone: '+31 20 555 0100',
  what: 'Ransom note on the SCADA workstation\nAll files on the engineering share end in .locked.', when: '2026-01-12T08:30:00+01:00',
  systems: 'eng-ws-04, fileshare-02', tlp: 'GREEN', updates: 'on',
};

describe.each(stores())('public web form and status link on %s', (store) => {
  let t: TestApp;
  const clock = testClock(new Date('2026-02-01T10:00:00Z'));
  let handler: Actor;
  let ip = 0;
  const nextIp = () => `198.51.100.${++ip}`;

  beforeAll(async () => {
    t = await makeApp(store, { VIGIL_INTAKE_ATTACHMENT_MAX_BYTES: String(MAX_FILE), VIGIL_WEBFORM_RATE_PER_HOUR: '5', VIGIL_STATUS_LINK_DAYS: '30' }, clock);
    const h = await userWith(t, ['handler']);
    handler = { userId: h.id, username: h.username, roles: ['handler'], via: 'session', ip: null, requestId: null };
  });
  afterAll(() => t?.close());

  // Each submission its own text, unless a test means to repeat one (deduplication).
  let n = 0;
  const fresh = (over: Record<string, string> = {}) => ({ ...FORM, what: `${FORM.what}\nCase ${++n}.`, ...over });
  const submit = async (fields: Record<string, string> = fresh(), files: Upload[] = [], from = nextIp()) => {
    const body = await multipart(fields, files);
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/public/reports', ...body, remoteAddress: from });
    return Object.assign(r, { sent: body });
  };
  const tokenOf = (statusUrl: string) => statusUrl.split('/').pop()!;
  const status = (token: string) => t.app.inject({ method: 'GET', url: `/api/v1/public/status/${token}` });
  const addInfo = async (token: string, message: string, files: Upload[] = [], from = nextIp()) =>
    t.app.inject({ method: 'POST', url: `/api/v1/public/status/${token}/messages`, ...(await multipart({ message }, files)), remoteAddress: from });
  const count = async (table: 'report' | 'intakeItem' | 'reportMessage') =>
    Number((await t.db.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const reportOf = (reference: string) => t.db.db.selectFrom('report').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();

  it('makes a web_form report from a submission, keeping the request bytes exactly and the files content-addressed', async () => {
    const r = await submit(FORM, [{ filename: 'evidence.zip', type: 'application/zip', content: ZIP }, { filename: 'note.txt', type: 'text/plain', content: 'seen at 08:30' }]);
    expect(r.statusCode, r.body).toBe(201);
    const body = r.json();
    expect(body.reference).toMatch(/^VIG-R-2026-\d{6}$/);
    expect(body.statusUrl).toMatch(/^\/status\/[A-Za-z0-9_-]{43}$/);
    expect(new Date(body.expiresAt).toISOString()).toBe('2026-03-03T10:00:00.000Z');

    const report = await reportOf(body.reference);
    expect(report).toMatchObject({
      channel: 'web_form', status: 'new', title: 'Ransom note on the SCADA workstation', tlp: 'GREEN', reporterName: 'Zoë Reporter',
      reporterEmail: 'zoe@example.org', organisation: 'Northtown Water Board', reporterPhone: '+31 20 555 0100', wantsUpdates: true, submittedBy: null,
    });
    for (const s of ['E-mail: Zoe@Example.ORG', 'Affected systems:\neng-ws-04, fileshare-02', 'When it happened: 2026-01-12T07:30:00.000Z', 'All files on the engineering share', 'evidence.zip']) {
      expect(report.body).toContain(s);
    }
    const item = await t.db.db.selectFrom('intakeItem').selectAll().where('id', '=', report.intakeItemId!).executeTakeFirstOrThrow();
    expect(Buffer.from(item.content).equals(r.sent.payload)).toBe(true);
    expect(item).toMatchObject({ channel: 'web_form', contentType: r.sent.headers['content-type'], state: 'parsed', reportId: report.id });
    expect(item.envelope).toMatchObject({ parser: 'web_form', ip: expect.stringMatching(/^198\.51\.100\./) });

    const files = await t.db.db.selectFrom('reportAttachment').selectAll().where('reportId', '=', report.id).orderBy('filename').execute();
    expect(files.map((f) => [f.filename, Number(f.size), f.stored, f.flags, f.messageId])).toEqual([
      ['evidence.zip', ZIP.length, true, ['archive'], null],
      ['note.txt', 13, true, [], null],
    ]);
    expect(files[0]!.sha256).toBe(createHash('sha256').update(ZIP).digest('hex'));
    expect(existsSync(t.services.blobs.pathOf(files[0]!.sha256!))).toBe(true);

    // Only the token's hash is kept.
    const token = tokenOf(body.statusUrl);
    const links = await t.db.db.selectFrom('reportStatusLink').selectAll().where('reportId', '=', report.id).execute();
    expect(links.map((l) => l.tokenHash)).toEqual([createHash('sha256').update(token).digest('hex')]);
    expect((await t.services.audit.verify(systemActor())).ok).toBe(true);
  });

  it('tells a form its limits, and nothing else of the configuration', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/public/form' });
    expect(r.json()).toEqual({ maxFiles: 10, attachmentMaxBytes: MAX_FILE, bodyMaxBytes: MAX_FILE * 3 + 1024 * 1024, statusLinkDays: 30 });
  });

  it('shows the reporter its report through the link, and nothing for an unknown or mangled token', async () => {
    const r = await submit(fresh(), [{ filename: 'note.txt', content: 'x' }]);
    const s = await status(tokenOf(r.json().statusUrl));
    expect(s.statusCode, s.body).toBe(200);
    expect(s.json()).toEqual({
      reference: r.json().reference, title: 'Ransom note on the SCADA workstation', receivedAt: clock.now().toISOString(), status: 'received',
      incidentReference: null, linkExpiresAt: r.json().expiresAt, attachments: [{ filename: 'note.txt', size: 1 }], messages: [],
    });
    for (const token of [randomBytes(32).toString('base64url'), 'abc', `${tokenOf(r.json().statusUrl)}x`, '%0d%0a%09']) {
      const miss = await status(token);
      expect(miss.statusCode, token).toBe(404);
      expect(miss.json().code).toBe('VIG_STATUS_LINK_NOT_FOUND');
    }
    // A NUL is text no request may carry anywhere (no token holds one): refused before any lookup.
    const nul = await status('%00%0d%0a');
    expect(nul.statusCode).toBe(400);
    expect(nul.json().code).toBe('VIG_REQUEST_TEXT_INVALID');
  });

  it('lets the reporter add information, kept raw, and records it on the incident once the report is linked', async () => {
    const r = await submit();
    const token = tokenOf(r.json().statusUrl);
    const report = await reportOf(r.json().reference);
    const before = await addInfo(token, 'The attacker mailed us again.');
    expect(before.statusCode, before.body).toBe(201);

    const incident = await t.services.incidents.declare(handler, { title: 'SECRET-INCIDENT-TITLE water board', impact: 'high', urgency: 'high', classifications: [{ class: 'fraud', type: 'phishing' }] });
    await t.services.reportTriage.link(handler, report.id, incident.id);
    clock.advance(60_000);
    const sent = await multipart({ message: 'We found a second note:\nREADME.txt' }, [{ filename: 'README.txt', type: 'text/plain', content: 'pay us' }]);
    const added = await t.app.inject({ method: 'POST', url: `/api/v1/public/status/${token}/messages`, ...sent, remoteAddress: nextIp() });
    expect(added.statusCode, added.body).toBe(201);

    const messages = await t.db.db.selectFrom('reportMessage').selectAll().where('reportId', '=', report.id).orderBy('receivedAt').orderBy('body').execute();
    expect(messages.map((m) => [m.kind, m.body, m.sender])).toEqual([
      ['reporter_update', 'The attacker mailed us again.', 'zoe@example.org'],
      ['reporter_update', 'We found a second note:\nREADME.txt', 'zoe@example.org'],
    ]);
    const item = await t.db.db.selectFrom('intakeItem').selectAll().where('id', '=', added.json().receipt).executeTakeFirstOrThrow();
    expect(Buffer.from(item.content).equals(sent.payload)).toBe(true);
    expect(item).toMatchObject({ state: 'parsed', reportId: report.id });
    const second = messages.find((m) => m.intakeItemId === item.id)!;
    const files = await t.db.db.selectFrom('reportAttachment').select(['filename', 'messageId']).where('reportId', '=', report.id).execute();
    expect(files).toEqual([{ filename: 'README.txt', messageId: second.id }]);

    const events = await t.db.db.selectFrom('incidentEvent').selectAll().where('incidentId', '=', incident.id).where('kind', '=', 'incident.communication').execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: null, actorName: 'web-form', tlp: 'GREEN' });
    expect(events[0]!.data).toMatchObject({ direction: 'inbound', party: 'Zoë Reporter (Northtown Water Board)', body: 'We found a second note:\nREADME.txt', report: { reference: report.reference } });
    const timeline = await t.services.incidentDetails.timeline(handler, incident.id, { limit: 100 });
    expect(JSON.stringify(timeline)).toContain('We found a second note');

    const s = (await status(token)).json();
    expect(s.status).toBe('in_progress');
    expect(s.incidentReference).toBe(incident.reference);
    expect(s.messages.map((m: { body: string; attachments: unknown[] }) => [m.body, m.attachments])).toEqual([
      ['The attacker mailed us again.', []],
      ['We found a second note:\nREADME.txt', [{ filename: 'README.txt', size: 6 }]],
    ]);
    expect((await t.services.audit.verify(systemActor())).ok).toBe(true);
  });

  it('never shows internal fields on the status page', async () => {
    const linked = await submit();
    const rejected = await submit(fresh({ what: 'Another thing entirely' }));
    const incident = await t.services.incidents.declare(handler, { title: 'SECRET-INCIDENT-TITLE', summary: 'SECRET-SUMMARY', impact: 'low', urgency: 'low', classifications: [{ class: 'fraud', type: 'phishing' }] });
    await t.services.reportTriage.link(handler, (await reportOf(linked.json().reference)).id, incident.id);
    await t.services.incidentDetails.addNote(handler, incident.id, { body: 'SECRET-INTERNAL-NOTE' });
    await t.services.reportTriage.reject(handler, (await reportOf(rejected.json().reference)).id, 'outside_mandate', 'SECRET-REJECTION-NOTE');
    for (const [r, want] of [[linked, 'in_progress'], [rejected, 'not_pursued']] as const) {
      const s = await status(tokenOf(r.json().statusUrl));
      expect(s.json().status).toBe(want);
      expect(Object.keys(s.json()).sort()).toEqual(['attachments', 'incidentReference', 'linkExpiresAt', 'messages', 'receivedAt', 'reference', 'status', 'title']);
      expect(s.body).not.toMatch(/SECRET|outside_mandate|zoe@|Zoë|\+31|handler|tlp|GREEN/i);
    }
  });

  it('answers a repeat with the same reference and a fresh link, and keeps it as a repeat of the first', async () => {
    const form = { ...FORM, what: `Repeat me ${randomBytes(4).toString('hex')}` };
    const first = await submit(form);
    const reports = await count('report');
    const again = await submit({ ...form, what: `  ${form.what}  ` }, [{ filename: 'more.txt', content: 'more' }]);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().reference).toBe(first.json().reference);
    expect(again.json().statusUrl).not.toBe(first.json().statusUrl);
    expect(await count('report')).toBe(reports);
    const report = await reportOf(first.json().reference);
    const repeat = await t.db.db.selectFrom('reportMessage').selectAll().where('reportId', '=', report.id).where('kind', '=', 'repeat').executeTakeFirstOrThrow();
    const file = await t.db.db.selectFrom('reportAttachment').selectAll().where('reportId', '=', report.id).executeTakeFirstOrThrow();
    expect(file.messageId).toBe(repeat.id);
    for (const r of [first, again]) expect((await status(tokenOf(r.json().statusUrl))).statusCode).toBe(200);
    // The repeat's file came with the repeat, not from the reporter's own updates: the page does not list it.
    expect((await status(tokenOf(again.json().statusUrl))).json().attachments).toEqual([]);
  });

  it('answers a bot that fills the honeypot like a person, keeps its bytes flagged, and makes no report', async () => {
    const reports = await count('report');
    const r = await submit(fresh({ homepage: 'http://cheap-pills.example' }));
    expect(r.statusCode).toBe(201);
    expect(r.json().reference).toMatch(/^VIG-R-2026-\d{6}$/);
    expect(r.json().statusUrl).toMatch(/^\/status\/[A-Za-z0-9_-]{43}$/);
    expect(await count('report')).toBe(reports);
    const item = await t.db.db.selectFrom('intakeItem').selectAll().orderBy('receivedAt', 'desc').orderBy('id', 'desc')
      .where((eb) => eb(eb.ref('envelope', '->>').key('honeypot'), '=', 'true')).executeTakeFirstOrThrow();
    expect(Buffer.from(item.content).equals(r.sent.payload)).toBe(true);
    expect(item).toMatchObject({ state: 'parsed', reportId: null, error: null });
    expect((await status(tokenOf(r.json().statusUrl))).statusCode).toBe(404);
  });

  it('refuses line breaks in the reporter fields (header injection) and names each field', async () => {
    const items = await count('intakeItem');
    for (const field of ['name', 'email', 'organisation', 'phone']) {
      const r = await submit(fresh({ [field]: field === 'email' ? 'zoe@example.org\r\nBcc: all@example.org' : 'Zoë\r\nBcc: all@example.org' }));
      expect(r.statusCode, field).toBe(400);
      expect(r.json().code).toBe('VIG_REQUEST_INVALID');
      expect(r.json().errors).toEqual([{ path: `body.${field}`, message: 'must be a single line (no line breaks)' }]);
    }
    const lf = await submit(fresh({ name: 'Zoë\nX-Injected: 1' }));
    expect(lf.json().errors[0].path).toBe('body.name');
    expect(await count('intakeItem')).toBe(items);
  });

  it('lists every invalid field at once, and refuses what is not multipart/form-data', async () => {
    const items = await count('intakeItem');
    const r = await submit({ name: '', email: 'not-an-address', organisation: 'X', tlp: 'PURPLE', when: 'yesterday', updates: 'perhaps', colour: 'blue' });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.colour', 'body.email', 'body.name', 'body.tlp', 'body.updates', 'body.what', 'body.when']);
    const future = await submit(fresh({ when: '2026-03-01T00:00:00Z' }));
    expect(future.json().errors).toEqual([{ path: 'body.when', message: 'cannot be in the future' }]);
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/public/reports', payload: { what: 'x' }, remoteAddress: nextIp() });
    expect([json.statusCode, json.json().code]).toEqual([415, 'VIG_REQUEST_UNSUPPORTED_MEDIA_TYPE']);
    const good = await multipart(FORM);
    const truncated = await t.app.inject({ method: 'POST', url: '/api/v1/public/reports', headers: good.headers, payload: good.payload.subarray(0, good.payload.length - 30), remoteAddress: nextIp() });
    expect([truncated.statusCode, truncated.json().code]).toEqual([400, 'VIG_WEBFORM_MULTIPART_INVALID']);
    expect(truncated.json().reason).toMatch(/closing boundary/);
    const noBoundary = await t.app.inject({ method: 'POST', url: '/api/v1/public/reports', headers: { 'content-type': 'multipart/form-data' }, payload: good.payload, remoteAddress: nextIp() });
    expect(noBoundary.json().code).toBe('VIG_WEBFORM_MULTIPART_INVALID');
    expect(await count('intakeItem')).toBe(items);
  });

  it('refuses a file over the attachment limit and a body over the total with 413, keeping nothing', async () => {
    const items = await count('intakeItem');
    const big = await submit(fresh(), [{ filename: 'dump.pcap', content: Buffer.alloc(MAX_FILE + 1, 1) }]);
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ code: 'VIG_WEBFORM_ATTACHMENT_TOO_LARGE', filename: 'dump.pcap', maxBytes: MAX_FILE });
    const atLimit = await submit(fresh({ what: 'At the limit' }), [{ filename: 'ok.bin', content: Buffer.alloc(MAX_FILE, 1) }]);
    expect(atLimit.statusCode, atLimit.body).toBe(201);
    const total = await submit(fresh(), Array.from({ length: 8 }, (_, i) => ({ filename: `${i}.bin`, content: randomBytes(MAX_FILE - 100) })).concat([{ filename: 'x', content: randomBytes(MAX_FILE * 12) }]));
    expect(total.statusCode).toBe(413);
    expect(total.json().code).toBe('VIG_REQUEST_TOO_LARGE');
    expect(await count('intakeItem')).toBe(items + 1);
  });

  it('keeps a submission whose parsing fails in the unparsed queue and gives the reporter a receipt (202)', async () => {
    const reports = await count('report');
    t.services.intake.register('web_form', async () => {
      throw new Error('the parser fell over');
    });
    let r;
    try {
      r = await submit(fresh({ what: 'Parse me later' }));
    } finally {
      t.services.intake.register('web_form', t.services.publicIntake.parseSubmission);
    }
    expect(r.statusCode, r.body).toBe(202);
    const receipt = r.json().receipt as string;
    expect(Object.keys(r.json())).toEqual(['receipt']);
    const item = await t.db.db.selectFrom('intakeItem').selectAll().where('id', '=', receipt).executeTakeFirstOrThrow();
    expect(item).toMatchObject({ state: 'failed', error: 'the parser fell over', reportId: null });
    expect(Buffer.from(item.content).equals(r.sent.payload)).toBe(true);
    expect(await count('report')).toBe(reports);
    // A handler re-runs it once the parser works again: the report is made from the kept bytes.
    const rerun = await t.services.intake.rerun(handler, receipt);
    expect(rerun.state).toBe('parsed');
    expect((await t.db.db.selectFrom('report').selectAll().where('id', '=', rerun.reportId!).executeTakeFirstOrThrow()).title).toBe('Parse me later');
  });

  it('refuses additions through an unknown link, and checks them like the form', async () => {
    const messages = await count('reportMessage');
    const items = await count('intakeItem');
    const unknown = await addInfo(randomBytes(32).toString('base64url'), 'hello');
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'VIG_STATUS_LINK_NOT_FOUND']);
    const token = tokenOf((await submit()).json().statusUrl);
    const empty = await addInfo(token, '   ');
    expect(empty.json().errors).toEqual([{ path: 'body.message', message: 'write what you want to add' }]);
    const big = await addInfo(token, 'file', [{ filename: 'big.bin', content: Buffer.alloc(MAX_FILE + 1) }]);
    expect(big.json().code).toBe('VIG_WEBFORM_ATTACHMENT_TOO_LARGE');
    expect(await count('reportMessage')).toBe(messages);
    expect(await count('intakeItem')).toBe(items + 1); // the submission only
  });

  it('refuses a flood from one address with 429 and Retry-After, per address and per endpoint', async () => {
    const flooder = '203.0.113.66';
    for (let i = 0; i < 5; i++) expect((await submit(fresh({ what: `flood ${i}` }), [], flooder)).statusCode).toBe(201);
    const items = await count('intakeItem');
    const over = await submit(fresh(), [], flooder);
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ code: 'VIG_WEBFORM_RATE_LIMITED', retryAfter: 3600 });
    expect(over.headers['retry-after']).toBe('3600');
    expect(await count('intakeItem')).toBe(items);
    // Another address is not held back; the same /64 of IPv6 is one address.
    expect((await submit(fresh(), [], '203.0.113.67')).statusCode).toBe(201);
    for (let i = 0; i < 5; i++) expect((await submit(fresh({ what: `v6 ${i}` }), [], `2001:db8:5:6::${i + 1}`)).statusCode).toBe(201);
    expect((await submit(fresh(), [], '2001:db8:5:6:ffff::9')).statusCode).toBe(429);
    // Adding information has its own count.
    const token = tokenOf((await submit(fresh(), [], '203.0.113.68')).json().statusUrl);
    for (let i = 0; i < 5; i++) expect((await addInfo(token, `more ${i}`, [], flooder)).statusCode).toBe(201);
    expect((await addInfo(token, 'too much', [], flooder)).json().code).toBe('VIG_WEBFORM_RATE_LIMITED');
    clock.advance(20 * 60_000);
    expect((await submit(fresh(), [], flooder)).headers['retry-after']).toBe(String(40 * 60));
    clock.advance(40 * 60_000);
    expect((await submit(fresh({ what: 'after the hour' }), [], flooder)).statusCode).toBe(201);
  });

  it('lets a status link expire after VIGIL_STATUS_LINK_DAYS', async () => {
    const r = await submit(fresh({ what: 'Expiring' }));
    const token = tokenOf(r.json().statusUrl);
    const before = await auditCount(t);
    clock.advance(30 * 86_400_000 - 1000);
    expect((await status(token)).statusCode).toBe(200);
    clock.advance(1000);
    const gone = await status(token);
    expect([gone.statusCode, gone.json().code]).toEqual([404, 'VIG_STATUS_LINK_NOT_FOUND']);
    expect((await addInfo(token, 'late')).statusCode).toBe(404);
    expect(await auditCount(t)).toBe(before);
  });
});

describe.each(stores())('public web form with a public URL on %s', (store) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(store, { VIGIL_PUBLIC_URL: 'https://csirt.example.org/' });
  });
  afterAll(() => t?.close());

  it('gives an absolute status link, and puts it in the receipt e-mail', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/public/reports', ...(await multipart(FORM)) });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().statusUrl).toMatch(/^https:\/\/csirt\.example\.org\/status\/[A-Za-z0-9_-]{43}$/);
    const report = await t.db.db.selectFrom('report').select('id').where('reference', '=', r.json().reference).executeTakeFirstOrThrow();
    // The receipt is queued with the report and written by the delivery worker right after.
    await drainQueued(t, systemClock);
    const receipt = await t.db.db.selectFrom('mailDelivery').selectAll().where('reportId', '=', report.id).executeTakeFirstOrThrow();
    expect(receipt).toMatchObject({ kind: 'receipt', recipient: 'zoe@example.org', statusUrl: r.json().statusUrl });
  });
});
