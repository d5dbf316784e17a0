import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../lib/actor.ts';
import { sweepBlobs } from '../evidence/sweeper.ts';
import { makeApp, type Session, type TestApp, userWith } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { seedEmbedded, tempDir, vigil } from '../../../test/process.ts';

/**
 * Feeds from the API: a manager configures them, a handler hands them reports, the feed worker reads
 * each report (here called directly: `readNext`, as `vigil serve`'s worker does), and the events are
 * stored harmonised, routed to constituents, and shown within each member's scope.
 */
describe.each(stores())('feeds on %s', (store) => {
  let t: TestApp;
  let manager: Session & { id: string };
  let handler: Session & { id: string };
  let viewer: Session & { id: string };
  let desk: Session & { id: string };
  let acme: string;
  let globex: string;
  beforeAll(async () => {
    t = await makeApp(store);
    manager = await userWith(t, ['manager']);
    handler = await userWith(t, ['handler']);
    viewer = await userWith(t, ['viewer']);
    const cli = systemActor('cli');
    acme = (await t.services.constituents.create(cli, { name: 'ACME Corp', netblocks: ['192.0.2.0/24'], domains: ['acme.example'] } as never)).id;
    globex = (await t.services.constituents.create(cli, { name: 'Globex', netblocks: ['198.51.100.0/24'], asns: [64500] } as never)).id;
    desk = await userWith(t, ['handler']);
    await t.services.users.update(cli, desk.id, { constituentIds: [acme] });
  });
  afterAll(() => t?.close());

  const call = (s: Session, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { ...s.headers, ...headers }, ...(payload !== undefined ? { payload: payload as string } : {}) });
  const upload = (s: Session, feed: string, body: string | Buffer, filename = 'report.txt') =>
    call(s, 'POST', `/feeds/${encodeURIComponent(feed)}/reports?filename=${filename}`, body, { 'content-type': 'application/octet-stream' });
  const readAll = async () => {
    while (await t.services.feeds.readNext()) { /* the next one */ }
  };

  // IntelMQ events as JSON lines, as an IntelMQ output bot writes them, with the faults feeds send.
  const intelmq = [
    JSON.stringify({ 'classification.type': 'infected-system', 'source.ip': '192.0.2.10', 'source.port': 443, 'destination.port': 'http', 'malware.name': 'emotet', 'time.source': '2026-12-06T10:00:00+00:00', 'feed.name': 'upstream' }),
    JSON.stringify({ 'classification.type': 'scanner', 'source.ip': '198.51.100.7', 'source.fqdn': 'Scanner.EXAMPLE.net.', tlp: 'TLP:RED' }),
    '{"classification.type": "phishing", "source.url": "hxxp://login.acme.example/secure"}',
    '{"source.ip": "not-an-address", "classification.type": "scanner"}',
    'this is not JSON',
    JSON.stringify({ 'classification.type': 'scanner', 'source.asn': 64500 }),
    JSON.stringify({ 'classification.type': 'scanner', 'source.ip': '203.0.113.5' }),
  ].join('\r\n');

  it('lets a manager configure a feed, and refuses bad settings, a taken name and other roles', async () => {
    const made = await call(manager, 'POST', '/feeds', { name: 'IntelMQ upstream', parser: 'intelmq', tlp: 'AMBER', provider: 'Partner CERT' });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ name: 'IntelMQ upstream', parser: 'intelmq', enabled: true, version: 1 });
    expect((await call(manager, 'POST', '/feeds', { name: 'intelmq UPSTREAM', parser: 'intelmq' })).json().code).toBe('VIG_FEED_EXISTS');
    const bad = await call(manager, 'POST', '/feeds', { name: 'Broken CSV', parser: 'csv', parserSettings: { columns: 'nope' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VIG_FEED_SETTINGS_INVALID');
    expect((await call(handler, 'POST', '/feeds', { name: 'Mine', parser: 'list' })).statusCode).toBe(403);
    expect((await call(viewer, 'GET', '/feeds')).json().items.map((f: { name: string }) => f.name)).toContain('IntelMQ upstream');
  });

  it('keeps a report raw, reads it line by line, keeps refused lines with their reasons, and routes each event', async () => {
    const sent = await upload(handler, 'IntelMQ upstream', intelmq, 'events.jsonl');
    expect(sent.statusCode, sent.body).toBe(202);
    expect(sent.json()).toMatchObject({ status: 'received', via: 'upload', filename: 'events.jsonl', size: Buffer.byteLength(intelmq) });
    await readAll();
    const report = (await call(manager, 'GET', `/feed-reports/${sent.json().id}`)).json();
    expect(report).toMatchObject({ status: 'parsed', lines: 7, events: 5, failed: 2, routed: 4, duplicates: 0 });
    expect(report.parseErrors.map((e: { line: number }) => e.line)).toEqual([4, 5]);
    expect(report.parseErrors[0].reason).toMatch(/source\.ip/);
    expect(report.parseErrors[1].raw).toBe('this is not JSON');

    const events = (await call(manager, 'GET', `/feed-events?report=${sent.json().id}&limit=50`)).json().items as { line: number; constituentId: string | null; route: { rule: string } | null; tlp: string; event: Record<string, unknown> }[];
    const byLine = new Map(events.map((e) => [e.line, e]));
    expect(byLine.get(1)).toMatchObject({ constituentId: acme, route: { rule: 'netblock' }, tlp: 'AMBER' });
    expect(byLine.get(1)!.event).toMatchObject({ 'source.ip': '192.0.2.10', 'source.port': 443, 'classification.taxonomy': 'malicious-code', 'malware.name': 'emotet', 'feed.name': 'upstream' });
    // A value that does not clean is dropped from its event, which keeps a note of it.
    expect(byLine.get(1)!.event['destination.port']).toBeUndefined();
    expect(byLine.get(1)!.event['extra.vigil_cleaning']).toEqual([expect.stringMatching(/^destination\.port: /)]);
    expect(byLine.get(2)).toMatchObject({ constituentId: globex, tlp: 'RED' });
    expect(byLine.get(2)!.event['source.fqdn']).toBe('scanner.example.net');
    expect(byLine.get(3)).toMatchObject({ constituentId: acme, route: { rule: 'domain' } });
    expect(byLine.get(3)!.event['source.url']).toBe('http://login.acme.example/secure');
    expect(byLine.get(6)).toMatchObject({ constituentId: globex, route: { rule: 'asn' } });
    expect(byLine.get(7)).toMatchObject({ constituentId: null, route: null });
    expect((await call(manager, 'GET', '/feed-events?unrouted=true')).json().items.map((e: { line: number }) => e.line)).toEqual([7]);

    // Read again after a crash (its reader's lease ran out): nothing is stored twice.
    await t.db.db.updateTable('feedReport').set({ status: 'parsing', leaseUntil: new Date(Date.now() - 1000) }).where('id', '=', sent.json().id).execute();
    await readAll();
    expect((await call(manager, 'GET', `/feed-reports/${sent.json().id}`)).json()).toMatchObject({ status: 'parsed', events: 5, failed: 2 });

    // The raw report stays in the blob store: the sweep counts it as in use.
    const sha = sent.json().sha256 as string;
    await sweepBlobs({ db: t.db.db, blobs: t.services.blobs, graceMs: 0 });
    expect(existsSync(t.services.blobs.pathOf(sha))).toBe(true);
  });

  it('shows each member only the events of its scope: its constituents, and RED to managers only', async () => {
    const lines = (s: Session) => call(s, 'GET', '/feed-events?limit=100').then((r) => (r.json().items as { event: Record<string, unknown> }[]).map((e) => e.event['source.ip'] ?? e.event['source.url'] ?? e.event['source.asn']));
    expect(await lines(manager)).toEqual(expect.arrayContaining(['192.0.2.10', '198.51.100.7', '203.0.113.5']));
    const seen = await lines(handler);
    expect(seen).toContain('192.0.2.10');
    expect(seen).not.toContain('198.51.100.7'); // RED
    expect((await lines(desk)).sort()).toEqual(['192.0.2.10', 'http://login.acme.example/secure']);
    // A scoped member does not read the raw refused lines (they may name anyone).
    const reports = (await call(desk, 'GET', '/feeds/IntelMQ upstream/reports')).json().items;
    expect((await call(desk, 'GET', `/feed-reports/${reports[0].id}`)).json().parseErrors).toEqual([]);
    expect((await call(viewer, 'POST', '/feeds/IntelMQ upstream/reports', 'x', { 'content-type': 'application/octet-stream' })).statusCode).toBe(403);
  });

  it('reads a Shadowserver-style CSV with the shipped mapping, and a plain list', async () => {
    const { shippedMapping } = await import('./parsing.ts');
    expect((await call(manager, 'POST', '/feeds', { name: 'Shadowserver sinkhole', parser: 'csv', parserSettings: shippedMapping('shadowserver/event4_sinkhole') })).statusCode).toBe(201);
    const csv = [
      '"timestamp","protocol","src_ip","src_port","src_asn","src_geo","src_region","src_city","src_hostname","dst_ip","dst_port","dst_asn","infection","tag","family"',
      '"2026-12-06 08:15:02","tcp","192.0.2.77",49152,64496,"BE","Brussels","Brussels","host77.acme.example","203.0.113.200",80,64511,"andromeda","sinkhole","andromeda"',
      '"2026-12-06 08:16:40","tcp","198.51.100.9",50000,64500,"NL","Noord-Holland","Amsterdam","","203.0.113.200",443,64511,"emotet","sinkhole","emotet"',
    ].join('\n');
    const sent = await upload(manager, 'Shadowserver sinkhole', csv, 'event4_sinkhole.csv');
    expect(sent.statusCode, sent.body).toBe(202);
    await readAll();
    const report = (await call(manager, 'GET', `/feed-reports/${sent.json().id}`)).json();
    expect(report).toMatchObject({ status: 'parsed', events: 2, failed: 0, routed: 2 });
    const events = (await call(manager, 'GET', `/feed-events?report=${sent.json().id}`)).json().items as { constituentId: string; event: Record<string, unknown> }[];
    const first = events.find((e) => e.event['source.ip'] === '192.0.2.77')!;
    expect(first.constituentId).toBe(acme);
    expect(first.event).toMatchObject({ 'source.port': 49152, 'source.asn': 64496, 'source.geolocation.cc': 'BE', 'time.source': '2026-12-06T08:15:02.000Z' });

    expect((await call(manager, 'POST', '/feeds', { name: 'Block list', parser: 'list', parserSettings: { classificationType: 'blacklist' } })).statusCode).toBe(201);
    const list = await upload(handler, 'Block list', '# block list of the day\n192.0.2.200\n\nevil.acme.example ; seen 2026-12-06\n198.51.100.0/28\nnot a thing at all\n', 'block.txt');
    await readAll();
    expect((await call(manager, 'GET', `/feed-reports/${list.json().id}`)).json()).toMatchObject({ status: 'parsed', events: 3, failed: 1 });
  });

  it('refuses a disabled feed, an empty report and a report over the limit', async () => {
    const f = (await call(manager, 'GET', '/feeds/Block list')).json();
    const off = await call(manager, 'PUT', `/feeds/${f.id}`, { name: f.name, parser: f.parser, parserSettings: f.parserSettings, enabled: false, version: f.version });
    expect(off.statusCode, off.body).toBe(200);
    expect((await upload(handler, 'Block list', '192.0.2.1\n')).json().code).toBe('VIG_FEED_DISABLED');
    const stale = await call(manager, 'PUT', `/feeds/${f.id}`, { name: f.name, parser: f.parser, parserSettings: f.parserSettings, enabled: true, version: f.version });
    expect(stale.json().code).toBe('VIG_FEED_VERSION_CONFLICT');
    expect((await upload(handler, 'IntelMQ upstream', '')).json().code).toBe('VIG_FEED_REPORT_EMPTY');
    const big = await call(handler, 'POST', '/feeds/IntelMQ upstream/reports', 'x'.repeat(100), { 'content-type': 'application/octet-stream', 'content-length': String(10 * 1024 ** 4) });
    expect(big.statusCode).toBe(413);
  });
});

// The command line on the embedded store (real processes): configure a feed, hand it a file, read it.
describe.runIf(stores().includes('pglite'))('vigil feed on the embedded store (real processes)', () => {
  const dir = tempDir('vigil-feed-cli-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('adds a feed with a shipped mapping and ingests a file with a summary', async () => {
    await seedEmbedded(dir);
    const env = { VIGIL_DATA_DIR: dir };
    const add = vigil(['feed', 'add', 'Shadowserver scans', '--parser', 'csv', '--mapping', 'shadowserver/scan', '--type', 'vulnerable-system'], env);
    expect(add.code, add.stderr).toBe(0);
    const file = join(dir, 'scan_rdp.csv');
    writeFileSync(file, '"timestamp","ip","protocol","port","hostname","tag","asn","geo","region","city"\n'
      + '"2026-12-06 01:02:03","192.0.2.5","tcp",3389,"","rdp",64496,"BE","Brussels","Brussels"\n'
      + '"2026-12-06 01:02:04","999.0.2.5","tcp",3389,"","rdp",,"BE","Brussels","Brussels"\n');
    const ingest = vigil(['feed', 'ingest', file, '--feed', 'Shadowserver scans'], env);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).toMatch(/scan_rdp\.csv: parsed, 3 lines, 1 event stored \(0 routed to a constituent\), 1 line refused, 0 already stored; read as utf-8/);
    expect(ingest.stderr).toMatch(/GET \/api\/v1\/feed-reports\//);
  }, 120_000);
});
