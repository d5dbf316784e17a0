import { describe, expect, it } from 'vitest';
import { cleanTime, cleanUrl, eventHash, harmonise } from './harmonization.ts';

const base = { 'classification.type': 'scanner', 'source.ip': '192.0.2.1' };

describe('harmonise', () => {
  it('cleans every type of value', () => {
    const { event, errors } = harmonise({
      'classification.type': 'unauthorized-use-of-resources',
      'source.ip': '2001:DB8:0:0:0:0:0:1',
      'source.port': '443',
      'source.asn': 'AS64496',
      'source.fqdn': 'Bücher.Example.',
      'source.url': 'hxxps://evil[.]example(.)com/a b',
      'source.network': '192.0.2.77/24',
      'source.geolocation.cc': 'de',
      'destination.ip': '198.51.100.7',
      'time.source': '2026-03-01 12:30:05',
      'time.observation': 1767225600,
      'feed.accuracy': '87.5',
      'malware.hash.md5': 'D41D8CD98F00B204E9800998ECF8427E',
      'malware.name': 'Mirai',
      tlp: 'tlp:white',
      extra: { tag: ['a', 'b'] },
      'extra.nested': { x: 1 },
      comment: '  kept  ',
    });
    expect(errors).toEqual([
      { field: 'source.url', reason: '"https://evil.example.com/a b" contains white space' },
      { field: 'source.network', reason: '"192.0.2.77/24" had host bits set: normalised to 192.0.2.0/24' },
    ]);
    expect(event).toEqual({
      'classification.type': 'unauthorised-use-of-resources',
      'classification.taxonomy': 'fraud',
      'source.ip': '2001:db8::1',
      'source.port': 443,
      'source.asn': 64496,
      'source.fqdn': 'xn--bcher-kva.example',
      'source.network': '192.0.2.0/24',
      'source.geolocation.cc': 'DE',
      'destination.ip': '198.51.100.7',
      'time.source': '2026-03-01T12:30:05.000Z',
      'time.observation': '2026-01-01T00:00:00.000Z',
      'feed.accuracy': 87.5,
      'malware.hash.md5': 'd41d8cd98f00b204e9800998ecf8427e',
      'malware.name': 'mirai',
      tlp: 'CLEAR',
      'extra.tag': ['a', 'b'],
      'extra.nested': { x: 1 },
      comment: 'kept',
    });
  });

  it('drops bad fields with a reason and keeps the event', () => {
    const { event, errors } = harmonise({
      ...base, 'destination.ip': '0.0.0.0', 'source.port': 70000, 'destination.port': '8.5', 'source.asn': 4294967296, 'source.fqdn': 'bad_tld.ex-',
      'destination.fqdn': '-lead.example', 'source.geolocation.cc': 'DEU', 'malware.hash.sha256': 'xyz', tlp: 'PURPLE', 'feed.accuracy': 101,
      'time.source': '2026-02-30 10:00:00', unknown: 'x', 'destination.network': '10.0.0.0/33', 'source.local_ip': '::',
    });
    expect(event).not.toBeNull();
    expect(Object.fromEntries(errors.map((e) => [e.field, e.reason]))).toEqual({
      'destination.ip': '"0.0.0.0" is the unspecified address, not a host',
      'source.port': '70000 is not a port (an integer 0–65535)',
      'destination.port': '"8.5" is not a port (an integer 0–65535)',
      'source.asn': '4294967296 is not an AS number (an integer 0–4294967295)',
      'source.fqdn': '"bad_tld.ex-" has an invalid label "ex-"',
      'destination.fqdn': '"-lead.example" has an invalid label "-lead"',
      'source.geolocation.cc': '"DEU" is not an ISO 3166 alpha-2 country code',
      'malware.hash.sha256': '"xyz" is not a SHA-256 hash (64 hex digits)',
      tlp: '"PURPLE" is not a TLP 2.0 label',
      'feed.accuracy': '101 is not an accuracy (0–100)',
      'time.source': '"2026-02-30 10:00:00" is not a valid date and time',
      unknown: 'is not a known field (put feed-specific data under extra.)',
      'destination.network': '"10.0.0.0/33" is not a network in CIDR notation',
      'source.local_ip': '"::" is the unspecified address, not a host',
    });
    expect(event).toEqual({ ...base, 'classification.taxonomy': 'information-gathering' });
  });

  it('maps the IntelMQ aliases to RSIT and keeps the IntelMQ name', () => {
    for (const alias of ['blacklist', 'dga-domain', 'malware', 'proxy', 'tor']) {
      const { event } = harmonise({ ...base, 'classification.type': alias });
      expect(event).toMatchObject({ 'classification.type': 'other', 'classification.taxonomy': 'other', 'extra.intelmq_classification_type': alias });
    }
  });

  it('derives the taxonomy and corrects one that disagrees', () => {
    const { event, errors } = harmonise({ ...base, 'classification.type': 'ddos-amplifier', 'classification.taxonomy': 'availability' });
    expect(event!['classification.taxonomy']).toBe('vulnerable');
    expect(errors).toEqual([{ field: 'classification.taxonomy', reason: '"availability" does not hold type "ddos-amplifier": set to "vulnerable"' }]);
  });

  it('drops the event without a type or a routing key', () => {
    expect(harmonise({ 'source.ip': '192.0.2.1', 'classification.type': 'nonsense' })).toEqual({
      event: null,
      errors: [
        { field: 'classification.type', reason: '"nonsense" is not an RSIT classification type (nor an IntelMQ alias of one)' },
        { field: 'event', reason: 'classification.type is missing or invalid: the event is dropped' },
      ],
    });
    const r = harmonise({ 'classification.type': 'spam', 'source.ip': '0.0.0.0', 'source.port': 25 });
    expect(r.event).toBeNull();
    expect(r.errors.at(-1)!.reason).toMatch(/^none of source.ip, destination.ip, .* is present and valid: the event is dropped$/);
  });

  it('accepts TLP 2.0 labels in any spelling', () => {
    const tlp = (t: string) => harmonise({ ...base, tlp: t }).event?.tlp;
    expect(['amber+strict', 'TLP:AMBER+STRICT', 'TLP: red', 'Green', 'CLEAR'].map(tlp)).toEqual(['AMBER+STRICT', 'AMBER+STRICT', 'RED', 'GREEN', 'CLEAR']);
  });

  it('spreads extra given as JSON text', () => {
    expect(harmonise({ ...base, extra: '{"a": {"b": 1}, "c": "d"}' }).event).toMatchObject({ 'extra.a': { b: 1 }, 'extra.c': 'd' });
    expect(harmonise({ ...base, extra: '[1]' }).errors).toEqual([{ field: 'extra', reason: 'is not a known field (put feed-specific data under extra.)' }]);
  });

  it('leaves blank values out silently', () => {
    expect(harmonise({ ...base, 'source.port': '', comment: null, 'source.fqdn': '  ' })).toEqual({ event: { ...base, 'classification.taxonomy': 'information-gathering' }, errors: [] });
  });
});

describe('values', () => {
  it('reads times', () => {
    expect(cleanTime('2026-03-01T12:00:00+02:00')).toBe('2026-03-01T10:00:00.000Z');
    expect(cleanTime('2026-03-01T12:00:00.123456Z')).toBe('2026-03-01T12:00:00.123Z');
    expect(cleanTime('1772366400')).toBe('2026-03-01T12:00:00.000Z');
    expect(cleanTime('2026-03-01 12:00')).toBe('2026-03-01T12:00:00.000Z');
    expect(cleanTime('2026-03-01 12:00:00 UTC')).toBe('2026-03-01T12:00:00.000Z');
    expect(() => cleanTime('yesterday')).toThrow('is not a time');
    expect(() => cleanTime('2026-13-01 00:00:00')).toThrow('is not a valid date and time');
  });
  it('de-fangs and checks URLs', () => {
    expect(cleanUrl('hxxp://Example[.]COM/x?y=1')).toBe('http://example.com/x?y=1');
    expect(cleanUrl('hXXps://evil(.)example/p')).toBe('https://evil.example/p');
    expect(cleanUrl('www.example.org/login')).toBe('http://www.example.org/login');
    expect(cleanUrl('http://[2001:db8::1]:8080/')).toBe('http://[2001:db8::1]:8080/');
    expect(() => cleanUrl('http://')).toThrow('is not a valid URL');
    expect(() => cleanUrl('http://exa_mple.-bad-/')).toThrow('invalid label');
  });
});

describe('eventHash', () => {
  it('ignores time.observation, raw and key order, and nothing else', () => {
    const a = harmonise({ ...base, 'time.observation': '2026-01-01T00:00:00Z', raw: 'YQ==' }).event!;
    const b = harmonise({ 'source.ip': '192.0.2.1', 'classification.type': 'scanner', 'time.observation': '2026-02-01T00:00:00Z' }).event!;
    const c = harmonise({ ...base, 'source.port': 1 }).event!;
    expect(eventHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(a)).toBe(eventHash(b));
    expect(eventHash(a)).not.toBe(eventHash(c));
  });
});
