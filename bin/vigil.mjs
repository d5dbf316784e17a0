#!/usr/bin/env node
// Vigil's command line. Vigil needs Node.js 24 or later; the checkout pins it through the
// npm package `node`, so when an older node runs this file we hand over to the pinned one.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(pinned)) {
    console.error(`Vigil needs Node.js 24 or later (this is ${process.version}). Run "npm install" first.`);
    process.exit(1);
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  // Keep V8's compiled code between runs (Node 22.1+): faster starts of the server and the CLI.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  await import('../src/main.ts');
}
