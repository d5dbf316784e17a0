import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from './app.ts';

/**
 * The web app's files are compressed once, at build (scripts/build-web.mjs writes .br and .gz
 * beside each), and served in the encoding the browser accepts (@fastify/static preCompressed).
 * Needs web/dist, which `npm test` builds first.
 */
const DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));

describe('compressed web assets', () => {
  let t: TestApp;
  let script: string;
  let original: Buffer;

  beforeAll(async () => {
    const html = readFileSync(`${DIST}index.html`, 'utf8');
    script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    original = readFileSync(`${DIST}${script.slice(1)}`);
    t = await makeApp('pglite');
  });
  afterAll(() => t?.close());

  const get = (url: string, encoding?: string, accept = '*/*') =>
    t.app.inject({ method: 'GET', url, headers: { accept, ...(encoding ? { 'accept-encoding': encoding } : {}) } });

  it('sends a script brotli-compressed to a browser that accepts br, the same bytes once decompressed', async () => {
    const r = await get(script, 'gzip, deflate, br, zstd');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.headers['content-type']).toMatch(/javascript/);
    expect(String(r.headers.vary)).toMatch(/accept-encoding/i);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.rawPayload.length).toBeLessThan(original.length / 2);
    expect(brotliDecompressSync(r.rawPayload).equals(original)).toBe(true);
  });

  it('sends gzip to one that accepts only gzip, and the plain file to one that accepts neither', async () => {
    const gz = await get(script, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(original)).toBe(true);
    const plain = await get(script);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.equals(original)).toBe(true);
  });

  it('compresses the stylesheets too, and answers an app path with the page (small: sent as it is)', async () => {
    const html = readFileSync(`${DIST}index.html`);
    const css = /<link[^>]+href="(\/assets\/[^"]+\.css)"/.exec(html.toString('utf8'))![1]!;
    const r = await get(css, 'br', 'text/css,*/*;q=0.1');
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.headers['content-type']).toMatch(/text\/css/);
    expect(brotliDecompressSync(r.rawPayload).equals(readFileSync(`${DIST}${css.slice(1)}`))).toBe(true);
    for (const url of ['/', '/incidents?q=phishing']) {
      const p = await get(url, 'br', 'text/html');
      expect(p.statusCode, url).toBe(200);
      expect(p.headers['content-type']).toMatch(/text\/html/);
      expect(p.headers['cache-control']).toBe('no-cache');
      const body = p.headers['content-encoding'] === 'br' ? brotliDecompressSync(p.rawPayload) : p.rawPayload;
      expect(body.equals(html), url).toBe(true);
    }
  });
});
