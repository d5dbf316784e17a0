import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { decodeLines, type InputLine } from '../decode.ts';
import { type ParseResult } from './common.ts';
import { checkParserConfig, parserFor, ParserSettingsInvalid } from './index.ts';

const OBSERVED = '2026-12-01T00:00:00.000Z';
const fixture = (name: string) => decodeLines(createReadStream(new URL(`../testdata/${name}`, import.meta.url), { highWaterMark: 64 }));
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function run(config: unknown, lines: AsyncIterable<InputLine> | InputLine[]): Promise<ParseResult[]> {
  const parse = parserFor(config);
  const src = Array.isArray(lines) ? (async function* () { yield* lines; })() : lines;
  const out: ParseResult[] = [];
  for await (const r of parse(src)) out.push(r);
  return out;
}
const errorsOf = (rs: ParseResult[]) => rs.filter((r) => 'error' in r).map((r) => [r.line, (r as { error: string }).error]);
const eventsOf = (rs: ParseResult[]) => rs.filter((r) => 'event' in r) as { line: number; event: Record<string, unknown>; warnings?: string[] }[];

describe('intelmq parser', () => {
  it('reads good lines, flattens nested ones, and names the bad ones', async () => {
    const rs = await run({ parser: 'intelmq', settings: { observationTime: OBSERVED } }, fixture('intelmq-events.jsonl'));
    expect(errorsOf(rs)).toEqual([
      [4, 'not JSON: Unexpected token \'o\', "not json at all" is not valid JSON'],
      [5, 'not a JSON object'],
      [6, 'source.ip: "0.0.0.0" is the unspecified address, not a host; event: none of source.ip, destination.ip, source.network, destination.network, source.fqdn, destination.fqdn, source.url, destination.url, source.asn, destination.asn is present and valid: the event is dropped'],
      [8, 'classification.type: "vulnerable-service" is not an RSIT classification type (nor an IntelMQ alias of one); event: classification.type is missing or invalid: the event is dropped'],
    ]);
    const ev = eventsOf(rs);
    expect(ev.map((e) => e.line)).toEqual([1, 2, 7]);
    expect(ev[0]!.event).toEqual({
      'feed.name': 'Example Botnet Feed', 'feed.provider': 'Example CERT', 'classification.type': 'infected-system', 'classification.taxonomy': 'malicious-code',
      'classification.identifier': 'mirai', 'source.ip': '198.51.100.23', 'source.port': 23, 'source.asn': 64496, 'source.geolocation.cc': 'AT',
      'malware.name': 'mirai', 'time.source': '2026-11-28T23:41:07.000Z', 'time.observation': '2026-11-29T00:05:00.000Z', raw: 'MTk4LjUxLjEwMC4yMywyMw==',
    });
    expect(ev[0]!.warnings).toBeUndefined();
    expect(ev[1]!.event).toMatchObject({
      'source.fqdn': 'phish.example.com', 'source.url': 'http://phish.example.com/login.php', 'classification.type': 'phishing', 'classification.taxonomy': 'fraud',
      tlp: 'AMBER', 'extra.brand': 'Example Bank', 'extra.score': 0.9, 'time.observation': OBSERVED,
    });
    expect(Buffer.from(ev[1]!.event.raw as string, 'base64').toString()).toMatch(/^\{"source": \{"fqdn": "Phish/);
    expect(ev[2]!.event).toMatchObject({ 'source.network': '203.0.113.0/24', 'classification.type': 'other', 'extra.intelmq_classification_type': 'blacklist' });
    expect(ev[2]!.warnings).toEqual([
      'source.network: "203.0.113.9/24" had host bits set: normalised to 203.0.113.0/24',
      'source.port: "99999" is not a port (an integer 0–65535)',
      'output: is not a known field (put feed-specific data under extra.)',
    ]);
  });

  it('refuses an over-long line and a string over the cap', async () => {
    const rs = await run({ parser: 'intelmq', settings: { maxLineLength: 2048 } }, [{ tooLong: true, bytes: 10_485_760, head: '{"a":' }, 'x'.repeat(3000)]);
    expect(errorsOf(rs)).toEqual([
      [1, 'line is longer than the 2048-character limit (10485760 bytes): refused'],
      [2, 'line is longer than the 2048-character limit (3000 characters): refused'],
    ]);
  });
});

describe('csv parser', () => {
  it('reads a Shadowserver scan report with the shipped mapping', async () => {
    const rs = await run({ parser: 'csv', settings: { mapping: 'shadowserver/scan', observationTime: OBSERVED, keepRaw: false } }, fixture('scan_http.csv'));
    expect(errorsOf(rs)).toEqual([[5, 'the row has 6 fields, the header 16']]);
    const ev = eventsOf(rs);
    expect(ev.map((e) => e.line)).toEqual([2, 3, 4]);
    // The bad address is dropped; the AS number still routes the event.
    expect(ev[2]!.event['source.ip']).toBeUndefined();
    expect(ev[2]!.event['source.asn']).toBe(64496);
    expect(ev[2]!.warnings).toEqual(['source.ip: "192.0.2.300" is not an IPv4 or IPv6 address']);
    expect(ev[0]!.event).toEqual({
      'time.source': '2026-11-28T03:14:15.000Z', 'source.ip': '192.0.2.10', 'source.port': 80, 'source.reverse_dns': 'www.example.at', 'classification.identifier': 'http',
      'source.asn': 64496, 'source.geolocation.cc': 'AT', 'source.geolocation.region': 'WIEN', 'source.geolocation.city': 'VIENNA', 'extra.naics': '517311', 'extra.sic': '0',
      'extra.http': 'HTTP/1.1', 'extra.http_code': '200', 'extra.http_reason': 'OK', 'extra.content_type': 'text/html', 'extra.server': 'nginx/1.18.0',
      'classification.type': 'potentially-unwanted-accessible', 'classification.taxonomy': 'vulnerable', 'feed.provider': 'Shadowserver', 'feed.name': 'Shadowserver scan',
      'feed.documentation': 'https://www.shadowserver.org/what-we-do/network-reporting/', 'time.observation': OBSERVED,
    });
    expect(ev[1]!.event).toMatchObject({ 'source.ip': '2001:db8::a', 'source.port': 8080, 'classification.identifier': 'http;proxy', 'source.geolocation.city': 'INNSBRUCK' });
    expect(ev[1]!.event['source.reverse_dns']).toBeUndefined();
  });

  it('reads a sinkhole report whose quoted field spans two lines', async () => {
    const rs = await run({ parser: 'csv', settings: { mapping: 'shadowserver/event4_sinkhole', observationTime: OBSERVED } }, fixture('event4_sinkhole.csv'));
    expect(errorsOf(rs)).toEqual([]);
    const ev = eventsOf(rs);
    expect(ev.map((e) => e.line)).toEqual([2, 4]);
    expect(ev[0]!.event).toMatchObject({
      'source.ip': '198.51.100.44', 'source.port': 49152, 'source.reverse_dns': 'dsl-44.example.net', 'destination.ip': '203.0.113.5', 'destination.port': 80,
      'classification.identifier': 'andromeda', 'malware.name': 'andromeda', 'classification.type': 'infected-system', 'destination.urlpath': '/in.php',
      'destination.fqdn': 'sinkhole.example.org', 'extra.user_agent': 'Mozilla/4.0 (compatible;\n MSIE 6.0)', 'extra.public_source': 'CWG', 'protocol.application': 'http',
    });
    expect(Buffer.from(ev[0]!.event.raw as string, 'base64').toString()).toMatch(/compatible;\n MSIE 6\.0\)",,$/);
    expect(ev[1]!.event).toMatchObject({ 'source.ip': '198.51.100.45', 'malware.name': 'emotet', 'destination.port': 443 });
  });

  it('reads a Latin-1 file', async () => {
    const lines = fixture('scan_latin1.csv');
    const rs = await run({ parser: 'csv', settings: { mapping: 'shadowserver/scan', observationTime: OBSERVED } }, lines);
    expect(eventsOf(rs).map((e) => e.event['source.geolocation.city'])).toEqual(['Düsseldorf', 'Köln']);
    expect(lines.info.latin1LineNumbers).toEqual([2, 3]);
  });

  it('maps by index, picks the type by a column, filters rows, reads custom times', async () => {
    const mapping = {
      header: false, delimiter: ';', timeFormat: 'DD.MM.YYYY HH:mm:ss',
      columns: [{ column: 0, field: 'time.source' }, { column: 1, field: 'source.ip' }, { column: 3, field: 'time.observation', timeFormat: 'epoch' }],
      constants: { 'feed.name': 'Partner feed', 'classification.type': 'scanner' },
      typeFrom: { column: 2, map: { bruteforce: 'brute-force', SPAM: 'spam' } },
      skipIf: [{ column: 2, equals: 'test' }],
      keepIf: [{ column: 1, matches: '^(192\\.0\\.2|198\\.51)' }],
    };
    const rs = await run({ parser: 'csv', settings: { mapping } }, [
      '01.12.2026 08:09:10;192.0.2.1;bruteforce;1764576000', '01.12.2026 08:09:11;192.0.2.2;spam;', '01.12.2026 08:09:12;192.0.2.3;test;',
      '01.12.2026 08:09:13;203.0.113.1;spam;', '2026-12-01;192.0.2.4;other;', '"unclosed;192.0.2.5', 'more',
    ]);
    const ev = eventsOf(rs);
    expect(ev.map((e) => [e.line, e.event['classification.type'], e.event['time.source'], e.event['feed.name']])).toEqual([
      [1, 'brute-force', '2026-12-01T08:09:10.000Z', 'Partner feed'],
      [2, 'spam', '2026-12-01T08:09:11.000Z', 'Partner feed'],
      [5, 'scanner', undefined, 'Partner feed'],
    ]);
    expect(ev[0]!.event['time.observation']).toBe('2025-12-01T08:00:00.000Z');
    expect(ev[2]!.warnings).toEqual(['time.source: "2026-12-01" does not fit the time format "DD.MM.YYYY HH:mm:ss"']);
    expect(errorsOf(rs)).toEqual([[6, 'a quoted field opened on line 6 is not closed at the end of the input']]);
  });

  it('refuses a quoted field that grows past the cap and reads on', async () => {
    const mapping = { header: false, columns: [{ column: 0, field: 'source.ip' }], constants: { 'classification.type': 'scanner' } };
    const rs = await run({ parser: 'csv', settings: { mapping, maxLineLength: 1024 } }, ['"192.0.2.1', ...Array(11).fill('x'.repeat(100)), '192.0.2.9']);
    // 10 + 10 × 100 characters fit in 1024; the eleventh line of the field passes the cap.
    expect(errorsOf(rs)).toEqual([[1, 'a quoted field opened on line 1 runs past the 1024-character limit: refused']]);
    expect(eventsOf(rs).map((e) => [e.line, e.event['source.ip']])).toEqual([[13, '192.0.2.9']]);
    const rs2 = await run({ parser: 'csv', settings: { mapping, maxLineLength: 1024 } }, ['"192.0.2.1', { tooLong: true, bytes: 5000, head: 'x' }, '192.0.2.9']);
    expect(errorsOf(rs2)).toEqual([
      [1, 'the record starting on line 1 has an over-long line 2: refused'],
      [2, 'line is longer than the 1024-character limit (5000 bytes): refused'],
    ]);
    expect(eventsOf(rs2).map((e) => e.line)).toEqual([3]);
  });

  it('drops a BOM left on the header', async () => {
    const rs = await run({ parser: 'csv', settings: { mapping: 'shadowserver/blocklist' } }, ['\uFEFFtimestamp,ip,source,reason', '2026-11-28 00:00:00,192.0.2.5,examplelist,spam source']);
    expect(eventsOf(rs)[0]!.event).toMatchObject({ 'source.ip': '192.0.2.5', 'event_description.text': 'spam source', 'extra.blocklist_source': 'examplelist' });
  });

  it('stops at a header without the columns the mapping names', async () => {
    const rs = await run({ parser: 'csv', settings: { mapping: 'shadowserver/event4_sinkhole' } }, ['timestamp,ip', '2026-01-01 00:00:00,192.0.2.1']);
    expect(errorsOf(rs)).toEqual([[1, 'the header lacks the column "src_ip" the mapping names: nothing read']]);
    expect(rs).toHaveLength(1);
  });

  it('validates a mapping with a clear error per problem', () => {
    expect(checkParserConfig({ parser: 'csv', settings: { mapping: {
      header: false, columns: [{ column: 'ip', field: 'source.ipaddr' }, { column: 1, field: 'source.port', timeFormat: 'epoch' }],
      typeFrom: { column: 2, map: { x: 'not-a-type' } }, skipIf: [{ column: 0, matches: '(' }, { column: 0, equals: 'a', in: ['b'] }], delimiter: '"',
    } } })).toEqual([
      { path: 'settings.mapping.delimiter', message: 'cannot be a quote or a line break' },
      { path: 'settings.mapping.columns.0.field', message: 'is not a known event field (or extra.<name>)' },
      { path: 'settings.mapping.typeFrom.map.x', message: 'is not an RSIT classification type' },
      { path: 'settings.mapping.skipIf.0.matches', message: 'is not a valid regular expression' },
      { path: 'settings.mapping.skipIf.1', message: 'give exactly one of equals, matches, in' },
      { path: 'settings.mapping.columns.0.column', message: 'names a column, but the mapping has no header row: use its index' },
      { path: 'settings.mapping.columns.1.timeFormat', message: 'source.port is not a time field' },
    ]);
    expect(checkParserConfig({ parser: 'csv', settings: { mapping: { header: false, columns: [{ column: 'ip', field: 'source.ip' }, { column: 1, field: 'source.port', timeFormat: 'epoch' }] } } })).toEqual([
      { path: 'settings.mapping.columns.0.column', message: 'names a column, but the mapping has no header row: use its index' },
      { path: 'settings.mapping.columns.1.timeFormat', message: 'source.port is not a time field' },
    ]);
    expect(() => parserFor({ parser: 'csv', settings: { mapping: 'shadowserver/nope' } })).toThrow(ParserSettingsInvalid);
    expect(() => parserFor({ parser: 'csv', settings: { mapping: 'shadowserver/nope' } })).toThrow('settings.mapping: is not a shipped mapping (shadowserver/blocklist, shadowserver/compromised_website, shadowserver/event4_sinkhole, shadowserver/scan)');
    expect(checkParserConfig({ parser: 'rss', settings: {} })[0]!.path).toBe('parser');
  });
});

describe('list parser', () => {
  it('reads IPs, networks, domains and de-fanged URLs, skipping comments', async () => {
    const rs = await run({ parser: 'list', settings: { classificationType: 'blacklist', observationTime: OBSERVED, constants: { 'feed.name': 'Example list' } } }, fixture('blocklist.txt'));
    expect(eventsOf(rs).map((e) => [e.line, Object.fromEntries(Object.entries(e.event).filter(([k]) => /^(source\.|comment)/.test(k)))])).toEqual([
      [4, { 'source.ip': '192.0.2.66' }],
      [5, { 'source.network': '198.51.100.0/24', comment: 'SBL123456' }],
      [6, { 'source.fqdn': 'evil.example' }],
      [7, { 'source.url': 'https://bad.example.net/payload.exe', 'source.fqdn': 'bad.example.net', comment: 'dropper' }],
      [8, { 'source.ip': '2001:db8::bad' }],
      [10, { 'source.url': 'http://[2001:db8::1]/x', 'source.ip': '2001:db8::1' }],
    ]);
    expect(eventsOf(rs)[0]!.event).toEqual({
      'source.ip': '192.0.2.66', 'classification.type': 'other', 'classification.taxonomy': 'other', 'extra.intelmq_classification_type': 'blacklist',
      'feed.name': 'Example list', 'time.observation': OBSERVED, raw: b64('192.0.2.66'),
    });
    expect(errorsOf(rs)).toEqual([
      [9, '"not" is not an IP address, a network, a domain or a URL'],
      [11, 'source.ip: "0.0.0.0" is the unspecified address, not a host; event: none of source.ip, destination.ip, source.network, destination.network, source.fqdn, destination.fqdn, source.url, destination.url, source.asn, destination.asn is present and valid: the event is dropped'],
    ]);
  });

  it('treats an address with a bad prefix as a bad network, and upper-case HXXP as http', async () => {
    const rs = await run({ parser: 'list', settings: { classificationType: 'phishing' } }, ['10.0.0.0/33', 'HXXPS://Phish[.]Example/a']);
    expect(errorsOf(rs)[0]).toEqual([1, expect.stringMatching(/^source\.network: "10\.0\.0\.0\/33" is not a network in CIDR notation; event: none of /)]);
    expect(eventsOf(rs)[0]!.event).toMatchObject({ 'source.url': 'https://phish.example/a', 'source.fqdn': 'phish.example' });
  });

  it('reads a UTF-16 list with a BOM', async () => {
    const lines = fixture('list_utf16.txt');
    const rs = await run({ parser: 'list', settings: { classificationType: 'c2-server', side: 'destination' } }, lines);
    expect(eventsOf(rs).map((e) => [e.line, e.event['destination.ip'] ?? e.event['destination.fqdn'], e.event['classification.taxonomy']])).toEqual([
      [2, '192.0.2.99', 'malicious-code'], [3, 'xn--bcher-kva.example', 'malicious-code'],
    ]);
    expect(lines.info.encoding).toBe('utf-16le');
  });

  it('needs a valid classification type', () => {
    expect(checkParserConfig({ parser: 'list', settings: {} })).toEqual([{ path: 'settings.classificationType', message: 'Invalid input: expected string, received undefined' }]);
    expect(checkParserConfig({ parser: 'list', settings: { classificationType: 'bogus' } })).toEqual([{ path: 'settings.classificationType', message: 'is not an RSIT classification type' }]);
  });
});

/** The X-ARF v4 schemas (xarf/xarf-spec), where this checkout has them beside it. */
const XARF_SCHEMAS = resolve(import.meta.dirname, '../../../../../shared/reference/formats/xarf-v4/v4');

describe('xarf parser', () => {
  it.skipIf(!existsSync(XARF_SCHEMAS))('has a fixture the X-ARF v4 schema accepts', () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(JSON.parse(readFileSync(`${XARF_SCHEMAS}/xarf-core.json`, 'utf8')));
    for (const f of readdirSync(`${XARF_SCHEMAS}/types`)) ajv.addSchema(JSON.parse(readFileSync(`${XARF_SCHEMAS}/types/${f}`, 'utf8')));
    const validate = ajv.compile(JSON.parse(readFileSync(`${XARF_SCHEMAS}/xarf-v4-master.json`, 'utf8')));
    const sample = JSON.parse(readFileSync(new URL('../testdata/xarf-login-attack.json', import.meta.url), 'utf8'));
    expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
  });

  const expected = {
    'source.ip': '198.51.100.77', 'source.port': 51234, 'destination.ip': '203.0.113.20', 'destination.port': 22, 'protocol.transport': 'tcp',
    'time.source': '2026-11-28T22:10:00.000Z', 'classification.type': 'brute-force', 'classification.taxonomy': 'intrusion-attempts',
    'classification.identifier': 'connection/login_attack', 'event_description.text': 'SSH brute force against 14 hosts', 'feed.provider': 'Example Hosting',
    'feed.accuracy': 85, 'extra.xarf_report_id': '6f5c8d1e-2a4b-4c3d-9e8f-0a1b2c3d4e5f', 'extra.xarf_attempt_count': 412, 'extra.xarf_evidence_source': 'honeypot',
  };
  it('reads a whole pretty-printed report', async () => {
    const rs = await run({ parser: 'xarf', settings: { observationTime: OBSERVED } }, fixture('xarf-login-attack.json'));
    expect(errorsOf(rs)).toEqual([]);
    expect(rs).toHaveLength(1);
    expect(rs[0]!.line).toBe(1);
    expect(eventsOf(rs)[0]!.event).toMatchObject(expected);
    expect(eventsOf(rs)[0]!.event['extra.xarf_reporter']).toEqual({ org: 'Example Hosting', contact: 'abuse@hosting.example', domain: 'hosting.example' });
  });

  it('reads one report a line and names the lines that are not reports', async () => {
    const report = JSON.parse(readFileSync(new URL('../testdata/xarf-login-attack.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const rs = await run({ parser: 'xarf' }, [
      JSON.stringify(report), JSON.stringify({ ...report, xarf_version: '3.0' }), '{oops',
      JSON.stringify({ ...report, category: 'content', type: 'phishing', source_identifier: 'hxxp://phish[.]example/x', url: undefined }),
    ]);
    expect(errorsOf(rs)).toEqual([
      [2, 'not an X-ARF v4 report (xarf_version 4.x, category and type are required)'],
      [3, 'not JSON: Expected property name or \'}\' in JSON at position 1 (line 1 column 2)'],
    ]);
    const ev = eventsOf(rs);
    expect(ev.map((e) => e.line)).toEqual([1, 4]);
    expect(ev[0]!.event).toMatchObject(expected);
    expect(ev[1]!.event).toMatchObject({ 'source.url': 'http://phish.example/x', 'classification.type': 'phishing', 'classification.taxonomy': 'fraud' });
  });

  it('takes a bad first line of JSON lines as a bad line, not as the start of a document', async () => {
    const report = readFileSync(new URL('../testdata/xarf-login-attack.json', import.meta.url), 'utf8');
    const rs = await run({ parser: 'xarf' }, ['{"xarf_version": 4.0.0}', JSON.stringify(JSON.parse(report))]);
    expect(rs.map((r) => [r.line, 'error' in r])).toEqual([[1, true], [2, false]]);
  });
});
