import { describe, expect, it } from 'vitest';
import { contentTypeOf, headerValues, messageIdOf, messageIdsIn, multipartParts, rewrap, splitEntity, toCrlf } from './mime.ts';
import { recipientFilter } from './session.ts';
import { capped, BODY_MAX, emailOf, fingerprintOf, oneLine } from './text.ts';

describe('raw MIME reading', () => {
  it('finds the Message-ID, folded or without brackets, and none in a headerless message', () => {
    expect(messageIdOf(Buffer.from('Subject: x\r\nMessage-ID:\r\n <abc.123@example.org>\r\n\r\nbody'))).toBe('<abc.123@example.org>');
    expect(messageIdOf(Buffer.from('message-id: bare@example.org\n\nbody'))).toBe('<bare@example.org>');
    expect(messageIdOf(Buffer.from('\r\nMessage-ID: <in-body@example.org>\r\n'))).toBeNull();
    expect(messageIdOf(Buffer.alloc(0))).toBeNull();
    expect(messageIdsIn('<a@x> junk <b@y>\r\n <c@z>')).toEqual(['<a@x>', '<b@y>', '<c@z>']);
  });

  it('reads Content-Type parameters, quoted or not', () => {
    const head = splitEntity(Buffer.from('Content-Type: Multipart/Signed; micalg=pgp-sha256;\r\n protocol="application/pgp-signature"; boundary="--=_a \\"b\\""\r\n\r\n')).head;
    expect(contentTypeOf(head)).toEqual({ type: 'multipart/signed', params: { micalg: 'pgp-sha256', protocol: 'application/pgp-signature', boundary: '--=_a "b"' } });
    expect(contentTypeOf('Subject: none\r\n').type).toBe('text/plain');
    expect(headerValues('X-A: 1\r\nx-a: 2\r\n', 'X-A')).toEqual(['1', '2']);
  });

  it('cuts multipart bodies at boundaries, keeping each part byte for byte', () => {
    const body = Buffer.from('preamble\r\n--b\r\nA: 1\r\n\r\none\r\n--b\r\n\r\ntwo\r\n\r\n--b--\r\nepilogue');
    expect(multipartParts(body, 'b').map(String)).toEqual(['A: 1\r\n\r\none', '\r\ntwo\r\n']);
    // A message cut off before its closing boundary still yields its last part.
    expect(multipartParts(Buffer.from('--b\nx\n--b\ny'), 'b').map(String)).toEqual(['x', 'y']);
    expect(multipartParts(Buffer.from('no boundary here'), 'b')).toEqual([]);
    expect(String(toCrlf(Buffer.from('a\nb\r\nc')))).toBe('a\r\nb\r\nc');
  });

  it('rewraps an inner entity under the outer addresses and subject', () => {
    const outer = 'From: a@x\r\nSubject: s\r\nContent-Type: multipart/encrypted; boundary=q\r\nMIME-Version: 1.0\r\n';
    expect(String(rewrap(outer, Buffer.from('Content-Type: text/plain\r\n\r\nhi')))).toBe('From: a@x\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhi');
    expect(String(rewrap(outer, Buffer.from('bare text')))).toContain('MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbare text');
  });
});

describe('text from untrusted headers', () => {
  it('keeps one bounded line with no controls or direction overrides', () => {
    expect(oneLine(' Eve\r\nBcc: x@y\u0000\u202e ', 200)).toBe('Eve Bcc: x@y');
    expect(oneLine('x'.repeat(500), 200)).toHaveLength(200);
    expect(oneLine('\ud800 lone', 10)).toBe('\ufffd lone');
  });

  it('accepts only plausible addresses', () => {
    expect(emailOf(' Alice@Example.ORG ')).toBe('alice@example.org');
    for (const bad of ['a@@b.c', 'a b@c.d', 'a@b', '<a@b.c>', 'a@b.c\r\nBcc: x', `${'a'.repeat(250)}@b.cc`, null]) expect(emailOf(bad)).toBeNull();
  });

  it('cuts very long bodies and says so', () => {
    expect(capped('short')).toBe('short');
    const cut = capped('x'.repeat(BODY_MAX + 10));
    expect(cut.startsWith('x'.repeat(BODY_MAX))).toBe(true);
    expect(cut).toMatch(/\[… cut at 200,000 characters; the whole message is kept as it arrived\]$/);
  });

  it('fingerprints ignore whitespace and the sender’s case, not the attachments', () => {
    const a = fingerprintOf('Alice@X.org', 'Scan  report', 'line one\r\n line two ', []);
    expect(fingerprintOf('alice@x.org', 'Scan report', 'line one line two', [])).toBe(a);
    expect(fingerprintOf('alice@x.org', 'Scan report', 'line one line two', [Buffer.from('log')])).not.toBe(a);
  });
});

describe('accepted recipients', () => {
  it('takes listed addresses and @domains in any case; an empty list takes all', () => {
    const ok = recipientFilter(' CSIRT@example.org , @cert.example ');
    expect(['csirt@example.org', 'Csirt@Example.org', 'abuse@cert.example'].map(ok)).toEqual([true, true, true]);
    expect(['other@example.org', 'x@sub.cert.example.net', 'x@notcert.example'].map(ok)).toEqual([false, false, false]);
    expect(recipientFilter('')('anyone@anywhere.example')).toBe(true);
  });
});
