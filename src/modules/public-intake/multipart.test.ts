import { describe, expect, it } from 'vitest';
import { boundaryOf, MultipartError, parseMultipart, type MultipartLimits } from './multipart.ts';
import { rateKeyOf } from './service.ts';
import { reportTitle } from './form.ts';

const LIMITS: MultipartLimits = { maxParts: 30, maxFiles: 10, maxFieldBytes: 1024, maxFileBytes: 4096, maxHeaderBytes: 512 };
const B = 'xYz-boundary-42';
const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');
const parse = (body: Buffer, limits: Partial<MultipartLimits> = {}) => parseMultipart(body, B, { ...LIMITS, ...limits });
const refusal = (body: Buffer, limits: Partial<MultipartLimits> = {}) => {
  try {
    parse(body, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(MultipartError);
    return e as MultipartError;
  }
  throw new Error('the body was accepted');
};

/** A body as Node's own fetch encodes FormData (the same shape browsers send). */
async function encoded(fd: FormData) {
  const req = new Request('http://vigil.test/', { method: 'POST', body: fd });
  return { body: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

describe('multipart/form-data reader', () => {
  it('reads what fetch and browsers send: text fields in UTF-8 and files byte for byte', async () => {
    const fd = new FormData();
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0x00]);
    fd.append('name', 'Zoë Ångström');
    fd.append('what', 'Line one\r\nLine two — with “quotes” and 💥');
    fd.append('attachment', new Blob([zip], { type: 'application/zip' }), 'logs "final".zip');
    fd.append('attachment', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }), 'rapport-été.csv');
    const { body, contentType } = await encoded(fd);
    const form = parseMultipart(body, boundaryOf(contentType), LIMITS);
    expect(form.fields).toEqual([
      { name: 'name', value: 'Zoë Ångström' },
      { name: 'what', value: 'Line one\r\nLine two — with “quotes” and 💥' },
    ]);
    expect(form.files.map((f) => [f.name, f.contentType, f.content.length])).toEqual([['attachment', 'application/zip', zip.length], ['attachment', 'text/csv', 8]]);
    expect(form.files[0]!.content.equals(zip)).toBe(true);
    expect(form.files[1]!.filename).toBe('rapport-été.csv');
    expect(form.files[0]!.filename).toMatch(/^logs .*final.*\.zip$/);
  });

  it('ignores the preamble, the epilogue and a file input left empty', () => {
    const body = crlf([
      'This is the preamble.', `--${B}`,
      'Content-Disposition: form-data; name="what"', '', 'hello',
      `--${B}`, 'Content-Disposition: form-data; name="attachment"; filename=""', 'Content-Type: application/octet-stream', '', '',
      `--${B}--`, 'epilogue', '',
    ]);
    expect(parse(body)).toEqual({ fields: [{ name: 'what', value: 'hello' }], files: [] });
  });

  it('reads quoted-pair escapes and RFC 5987 file names', () => {
    const body = crlf([
      `--${B}`, 'Content-Disposition: form-data; name="attachment"; filename="a\\"b.txt"', '', 'x',
      `--${B}`, `Content-Disposition: form-data; name="attachment"; filename*=UTF-8''%E2%82%AC%20rates.txt`, '', 'y',
      `--${B}--`,
    ]);
    expect(parse(body).files.map((f) => f.filename)).toEqual(['a"b.txt', '€ rates.txt']);
  });

  it('keeps an empty field and a field whose value holds something like the boundary', () => {
    const body = crlf([`--${B}`, 'Content-Disposition: form-data; name="a"', '', '', `--${B}`, 'Content-Disposition: form-data; name="b"', '', `x--${B}y`, `--${B}--`]);
    expect(parse(body).fields).toEqual([{ name: 'a', value: '' }, { name: 'b', value: `x--${B}y` }]);
  });

  it('accepts only a multipart/form-data content type with a valid boundary', () => {
    expect(boundaryOf('multipart/form-data; boundary=abc')).toBe('abc');
    expect(boundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
    for (const bad of [
      undefined, '', 'application/json', 'multipart/mixed; boundary=abc', 'multipart/form-data', 'multipart/form-data; boundary=',
      `multipart/form-data; boundary=${'a'.repeat(71)}`, 'multipart/form-data; boundary="ends in space "', 'multipart/form-data; boundary=a<b',
      'multipart/form-data; boundary=a; boundary=b', 'multipart/form-data; boundary="unterminated',
    ]) {
      expect(() => boundaryOf(bad), String(bad)).toThrow(MultipartError);
    }
    expect(boundaryOf(`multipart/form-data; boundary=${'a'.repeat(70)}`)).toHaveLength(70);
  });

  it('refuses bodies that are not what they claim', () => {
    const part = ['Content-Disposition: form-data; name="a"', '', 'v'];
    const cases: [string, Buffer][] = [
      ['no boundary at all', Buffer.from('just some text')],
      ['empty', Buffer.alloc(0)],
      ['no closing delimiter', crlf([`--${B}`, ...part])],
      ['truncated after a delimiter', crlf([`--${B}`, ...part, `--${B}`])],
      ['garbage after the delimiter', crlf([`--${B}`, ...part, `--${B}garbage`, ...part, `--${B}--`])],
      ['headers never end', Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="a"\r\nv`)],
      ['no content-disposition', crlf([`--${B}`, 'Content-Type: text/plain', '', 'v', `--${B}--`])],
      ['not form-data', crlf([`--${B}`, 'Content-Disposition: attachment; name="a"', '', 'v', `--${B}--`])],
      ['no name', crlf([`--${B}`, 'Content-Disposition: form-data; filename="a.txt"', '', 'v', `--${B}--`])],
      ['folded header', crlf([`--${B}`, 'Content-Disposition: form-data;', ' name="a"', '', 'v', `--${B}--`])],
      ['header without a colon', crlf([`--${B}`, 'Content-Disposition form-data', '', 'v', `--${B}--`])],
      ['header twice', crlf([`--${B}`, ...part.slice(0, 1), ...part, `--${B}--`])],
      ['base64 transfer encoding', crlf([`--${B}`, 'Content-Disposition: form-data; name="a"', 'Content-Transfer-Encoding: base64', '', 'dg==', `--${B}--`])],
      ['invalid UTF-8 in a text field', Buffer.concat([crlf([`--${B}`, ...part.slice(0, 2), '']), Buffer.from([0xc3, 0x28]), crlf(['', `--${B}--`])])],
      ['bad filename*', crlf([`--${B}`, `Content-Disposition: form-data; name="a"; filename*=latin1''%E9`, '', 'v', `--${B}--`])],
    ];
    for (const [what, body] of cases) expect(refusal(body).kind, what).toBe('malformed');
  });

  it('holds to its limits: parts, files, header size, field and file size', () => {
    const field = (n: number) => [`--${B}`, `Content-Disposition: form-data; name="f${n}"`, '', 'v'];
    const file = (n: number, size = 1) => [`--${B}`, `Content-Disposition: form-data; name="attachment"; filename="${n}.bin"`, '', 'x'.repeat(size)];
    expect(parse(crlf([...Array.from({ length: 30 }, (_, i) => field(i)).flat(), `--${B}--`])).fields).toHaveLength(30);
    expect(refusal(crlf([...Array.from({ length: 31 }, (_, i) => field(i)).flat(), `--${B}--`])).message).toMatch(/more than 30 parts/);
    expect(refusal(crlf([...Array.from({ length: 11 }, (_, i) => file(i)).flat(), `--${B}--`])).message).toMatch(/more than 10 files/);
    expect(refusal(crlf([`--${B}`, `Content-Disposition: form-data; name="a"; x="${'y'.repeat(600)}"`, '', 'v', `--${B}--`])).message).toMatch(/over 512 bytes/);
    const bigField = refusal(crlf([`--${B}`, 'Content-Disposition: form-data; name="what"', '', 'w'.repeat(1025), `--${B}--`]));
    expect([bigField.kind, bigField.field, bigField.filename]).toEqual(['too_large', 'what', null]);
    const bigFile = refusal(crlf([...file(1, 4097), `--${B}--`]));
    expect([bigFile.kind, bigFile.filename]).toEqual(['too_large', '1.bin']);
    expect(parse(crlf([...file(1, 4096), `--${B}--`])).files[0]!.content).toHaveLength(4096);
  });

  it('never throws anything but a MultipartError, whatever the bytes', async () => {
    const fd = new FormData();
    fd.append('what', 'Something happened\r\non two lines');
    fd.append('attachment', new Blob([Buffer.alloc(300, 7)]), 'x.bin');
    const { body, contentType } = await encoded(fd);
    const boundary = boundaryOf(contentType);
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(body);
      const op = rnd(3);
      let mutated: Buffer;
      if (op === 0) mutated = b.subarray(0, rnd(b.length));
      else if (op === 1) {
        for (let k = 0; k < 1 + rnd(4); k++) b[rnd(b.length)] = rnd(256);
        mutated = b;
      } else {
        const at = rnd(b.length);
        mutated = Buffer.concat([b.subarray(0, at), Buffer.from(['\r\n', '--', `--${boundary}`, '"', ';'][rnd(5)]!), b.subarray(at)]);
      }
      try {
        parseMultipart(mutated, boundary, LIMITS);
      } catch (e) {
        expect(e, `mutation ${i}`).toBeInstanceOf(MultipartError);
      }
    }
  });
});

describe('web form helpers', () => {
  it('counts IPv4 addresses one by one and IPv6 by /64', () => {
    expect(rateKeyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(rateKeyOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(rateKeyOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(rateKeyOf('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(rateKeyOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(rateKeyOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(rateKeyOf(null)).toBe('unknown');
  });

  it('titles a report with the first line of what happened, at most 120 characters', () => {
    expect(reportTitle('\n\n  Phishing mail to finance  \nmore')).toBe('Phishing mail to finance');
    const long = reportTitle(`${'é'.repeat(200)}`);
    expect([...long]).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
    expect(reportTitle('   ')).toBe('(no summary)');
  });
});
