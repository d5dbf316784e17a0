#!/usr/bin/env node
// Builds the web app (web/) into web/dist with Vite, then writes a brotli (.br) and a gzip (.gz)
// copy beside every text file worth compressing, which the server sends to browsers that accept
// them (@fastify/static preCompressed): compressed once here at the highest levels, never per request.
// --if-stale: skip when web/dist/index.html is newer than every source file in web/, the shared modules under src/ and package-lock.json.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const repo = fileURLToPath(new URL('..', import.meta.url));
const webDir = join(repo, 'web');
const distIndex = join(webDir, 'dist', 'index.html');
const skipDirs = new Set([join(webDir, 'dist'), join(webDir, 'node_modules')]);

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Newest modification time of any file under dir (skipping build output). */
function newest(dir) {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipDirs.has(full)) max = Math.max(max, newest(full));
    } else if (entry.isFile()) {
      max = Math.max(max, statSync(full).mtimeMs);
    }
  }
  return max;
}

function isFresh() {
  const built = mtime(distIndex);
  if (built === undefined) return false;
  // A build from before the manifest was switched on (test/bundle-size.test.ts reads it).
  if (mtime(join(webDir, 'dist', '.vite', 'manifest.json')) === undefined) return false;
  // The web app also bundles modules it shares with the server: the Markdown rules and the
  // timeline's sentences (one copy for the app and the reports).
  const shared = ['src/lib/markdown.ts', 'src/modules/incidents/event-text.ts'].map((f) => mtime(join(repo, f)) ?? 0);
  const sources = Math.max(newest(webDir), mtime(join(repo, 'package-lock.json')) ?? 0, ...shared);
  return built > sources;
}

if (process.argv.includes('--if-stale') && isFresh()) {
  console.log('web: up to date (web/dist)');
  process.exit(0);
}

const started = Date.now();
const { build } = await import('vite');
try {
  await build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' });
} catch (err) {
  console.error(`web: build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.txt', '.map', '.webmanifest']);
/** Files under dir, recursively. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}
let raw = 0;
let br = 0;
for (const file of files(join(webDir, 'dist'))) {
  if (!COMPRESSIBLE.has(extname(file))) continue;
  const data = readFileSync(file);
  if (data.length < 1024) continue; // too small to gain anything
  const b = brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: data.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
  });
  writeFileSync(`${file}.br`, b);
  writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
  raw += data.length;
  br += b.length;
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const kb = (n) => `${Math.round(n / 1024).toLocaleString('en')} kB`;
console.log(`web: built ${relative(process.cwd(), join(webDir, 'dist')) || 'web/dist'} in ${seconds} s (${kb(raw)} of text, ${kb(br)} with brotli)`);
