import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from './lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('data folder lock', () => {
  it('is taken once and released', () => {
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'vigil.lock'), 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, 'vigil.lock'))).toBe(false);
  });

  it('refuses while a live process holds it, naming that process', () => {
    writeFileSync(join(dir, 'vigil.lock'), `${process.ppid}\n`); // our parent: alive
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`pid ${process.ppid}`));
    rmSync(join(dir, 'vigil.lock'));
  });

  it('takes over a lock left by a process that is gone', () => {
    writeFileSync(join(dir, 'vigil.lock'), '2147483646\n');
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'vigil.lock'), 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});
