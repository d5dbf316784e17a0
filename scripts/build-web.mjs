#!/usr/bin/env node
// Builds the web app (web/) into web/dist with Vite.
// --if-stale: skip when web/dist/index.html is newer than every source file in web/, src/lib/markdown.ts and package-lock.json.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  // The web app also bundles the server's Markdown rules (src/lib/markdown.ts), one copy for both.
  const sources = Math.max(newest(webDir), mtime(join(repo, 'package-lock.json')) ?? 0, mtime(join(repo, 'src/lib/markdown.ts')) ?? 0);
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
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`web: built ${relative(process.cwd(), join(webDir, 'dist')) || 'web/dist'} in ${seconds} s`);
