// The dependency rule between modules (docs/architecture.md, "Modules and their front doors"):
// - a module (src/modules/<name>/) is used by other modules only through its front door, index.ts;
// - src/lib and src/db import no module at all;
// - the module graph has no cycle;
// - a front door hands out no repository object (a value named `…Repo`): it exports the calls other
//   modules make, so they cannot run any of the module's SQL.
// What is not yet so is listed in test/dependencies.allowed.json; the test fails on anything not
// listed there AND on any entry that is no longer needed, so the list can only shrink.
// Tests and test kits (*.test.ts, testkit.ts) may import any file and are not checked; the
// composition root (src/*.ts) wires the modules' routes, services and workers and may too.
// `node test/dependency-graph.ts` prints the whole state.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe as group, expect, it } from 'vitest';
import {
  buildGraph,
  collectFrontDoorExports,
  describe,
  edgesWithin,
  exportsOf,
  importsOf,
  isRepoExport,
  repoRoot,
  type ImportSite,
} from './dependency-graph.ts';

interface Allowance {
  /** Deep imports not yet moved to a front door: importing file → imported file. */
  deepImports: { from: string; to: string }[];
  /** Module cycles not yet broken: the modules of the cycle (sorted) and why it is still there. */
  cycles: { modules: string[]; reason: string }[];
  /** Repositories a front door still exports whole: the front door, the name, and who still needs it. */
  repoExports: { frontDoor: string; name: string; reason: string }[];
}

const allowedPath = join(repoRoot, 'test/dependencies.allowed.json');
const allowed = JSON.parse(readFileSync(allowedPath, 'utf8')) as Allowance;
const graph = buildGraph();
const frontDoorExports = collectFrontDoorExports();

const key = (from: string, to: string) => `${from} -> ${to}`;

// VIGIL_DEPS_WRITE=1 rewrites the deep-import list to today's state (to shrink it after a change;
// review the diff: it must only lose lines).
if (process.env.VIGIL_DEPS_WRITE === '1') {
  const pairs = new Map<string, { from: string; to: string }>();
  for (const s of graph.deep) pairs.set(key(s.file, s.target), { from: s.file, to: s.target });
  const deepImports = [...pairs.values()].sort((a, b) => key(a.from, a.to).localeCompare(key(b.from, b.to)));
  writeFileSync(allowedPath, JSON.stringify({ ...allowed, deepImports }, null, 2) + '\n');
}

group('the dependency reader', () => {
  // The rules below pass vacuously if the reader misses imports, so the reader is checked first.
  it('sees imports, re-exports, dynamic and type imports, with their lines', () => {
    const text = [
      "import { a } from '../b/repo.ts';",
      "import type { T } from '../c/service.ts';",
      "import { type U, v } from '../d/index.ts';",
      "export { w } from '../../lib/x.ts';",
      "export type { Y } from './y.ts';",
      "const z = await import('../e/worker.ts');",
      "type Q = import('../f/types.ts').Q;",
      "import { z as zod } from 'zod';",
    ].join('\n');
    const sites = importsOf('src/modules/a/service.ts', text);
    expect(sites.map((s) => [s.line, s.target, s.typeOnly])).toEqual([
      [1, 'src/modules/b/repo.ts', false],
      [2, 'src/modules/c/service.ts', true],
      [3, 'src/modules/d/index.ts', false],
      [4, 'src/lib/x.ts', false],
      [5, 'src/modules/a/y.ts', true],
      [6, 'src/modules/e/worker.ts', false],
      [7, 'src/modules/f/types.ts', true],
    ]);
  });

  it('finds deep imports, lib importing a module, and module cycles', () => {
    const g = buildGraph([
      ...importsOf('src/modules/a/service.ts', "import { b } from '../b/repo.ts';"),
      ...importsOf('src/modules/b/service.ts', "import { c } from '../c/index.ts';"),
      ...importsOf('src/modules/c/service.ts', "import type { A } from '../a/index.ts';"),
      ...importsOf('src/lib/http.ts', "import type { X } from '../modules/c/index.ts';"),
      ...importsOf('src/services.ts', "import { s } from './modules/a/service.ts';"),
    ]);
    expect(g.deep.map((s) => s.file)).toEqual(['src/modules/a/service.ts']);
    expect(g.layerToModule.map((s) => s.file)).toEqual(['src/lib/http.ts']);
    expect(g.cycles).toEqual([['a', 'b', 'c']]);
  });

  it('sees what a front door exports, values and types apart', () => {
    const text = [
      "import { x } from './x.ts';",
      "export { aRepo, b as cRepo } from './repo.ts';",
      "export { type DRepo, e } from './e.ts';",
      "export type { FRepo } from './f.ts';",
      'export const gRepo = { find: x }, h = 1;',
      'export function iRepo() {}',
      'export interface JRepo { k: string }',
      'export type LRepo = string;',
      "export * from './m.ts';",
      'const nRepo = {};',
    ].join('\n');
    const found = exportsOf('src/modules/a/index.ts', text);
    expect(found.map((e) => [e.line, e.name, e.typeOnly])).toEqual([
      [2, 'aRepo', false],
      [2, 'cRepo', false],
      [3, 'DRepo', true],
      [3, 'e', false],
      [4, 'FRepo', true],
      [5, 'gRepo', false],
      [5, 'h', false],
      [6, 'iRepo', false],
      [7, 'JRepo', true],
      [8, 'LRepo', true],
      [9, '*', false],
    ]);
    expect(found.filter(isRepoExport).map((e) => e.name)).toEqual(['aRepo', 'cRepo', 'gRepo', 'iRepo']);
  });

  it('reads the source tree', () => {
    expect(graph.sites.length).toBeGreaterThan(500);
    expect(graph.edges.get('reports')?.has('incidents')).toBe(true);
    expect(new Set(frontDoorExports.map((e) => e.file)).size).toBeGreaterThan(10);
    expect(frontDoorExports.some((e) => e.file === 'src/modules/account/index.ts' && e.name === 'apiTokens')).toBe(true);
  });
});

group('module dependencies', () => {
  it('src/lib and src/db import no module', () => {
    const lines = graph.layerToModule.map(describe);
    expect(lines, `src/lib and src/db must not import from src/modules:\n${lines.join('\n')}`).toEqual([]);
  });

  it('modules import each other only through index.ts, except the allowed deep imports', () => {
    const allowedKeys = new Set(allowed.deepImports.map((d) => key(d.from, d.to)));
    const offending = graph.deep.filter((s) => !allowedKeys.has(key(s.file, s.target)));
    const lines = offending.map(describe);
    expect(
      lines,
      `deep imports (import from the module's index.ts instead, exporting what is needed there):\n${lines.join('\n')}`,
    ).toEqual([]);
  });

  it('every allowed deep import is still there (remove the entries that are not)', () => {
    const present = new Set(graph.deep.map((s) => key(s.file, s.target)));
    const stale = allowed.deepImports.map((d) => key(d.from, d.to)).filter((k) => !present.has(k));
    expect(stale, `no longer needed in test/dependencies.allowed.json:\n${stale.join('\n')}`).toEqual([]);
  });

  it('the module graph has no cycle, except the allowed ones', () => {
    const allowedCycles = new Set(allowed.cycles.map((c) => [...c.modules].sort().join(',')));
    const offending = graph.cycles.filter((c) => !allowedCycles.has(c.join(',')));
    const text = offending
      .map((c) => `{${c.join(', ')}}:\n` + edgesWithin(graph, c).map((s: ImportSite) => '  ' + describe(s)).join('\n'))
      .join('\n');
    expect(offending.map((c) => c.join(', ')), `module cycles:\n${text}`).toEqual([]);
  });

  it('every allowed cycle is still there, with these very modules (shrink or remove the entry)', () => {
    const present = new Set(graph.cycles.map((c) => c.join(',')));
    const stale = allowed.cycles.map((c) => [...c.modules].sort().join(',')).filter((k) => !present.has(k));
    expect(stale, `cycles no longer present as listed in test/dependencies.allowed.json:\n${stale.join('\n')}`).toEqual([]);
  });

  it('front doors hand out no repository (a value named …Repo), except the allowed ones', () => {
    const allowedKeys = new Set(allowed.repoExports.map((r) => key(r.frontDoor, r.name)));
    const offending = frontDoorExports.filter((e) => isRepoExport(e) && !allowedKeys.has(key(e.file, e.name)));
    const lines = offending.map((e) => `${e.file}:${e.line}  ${e.name}`);
    expect(
      lines,
      `repositories exported by a front door (export the calls other modules make instead, each with a doc comment):\n${lines.join('\n')}`,
    ).toEqual([]);
    // `export * from` names nothing, so it could hand out a repository unseen: front doors name what they export.
    const stars = frontDoorExports.filter((e) => e.name === '*' && !e.typeOnly).map((e) => `${e.file}:${e.line}`);
    expect(stars, `front doors name their exports (no export * from):\n${stars.join('\n')}`).toEqual([]);
  });

  it('every allowed repository export is still there (remove the entries that are not)', () => {
    const present = new Set(frontDoorExports.filter(isRepoExport).map((e) => key(e.file, e.name)));
    const stale = allowed.repoExports.map((r) => key(r.frontDoor, r.name)).filter((k) => !present.has(k));
    expect(stale, `no longer needed in test/dependencies.allowed.json:\n${stale.join('\n')}`).toEqual([]);
  });

  it('the allowance file is sorted and has a reason for each cycle and repository export', () => {
    for (const c of allowed.cycles) expect(c.reason.trim(), c.modules.join(', ')).not.toBe('');
    for (const r of allowed.repoExports) expect(r.reason.trim(), key(r.frontDoor, r.name)).not.toBe('');
    const keys = allowed.deepImports.map((d) => key(d.from, d.to));
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
    const repoKeys = allowed.repoExports.map((r) => key(r.frontDoor, r.name));
    expect(repoKeys).toEqual([...repoKeys].sort((a, b) => a.localeCompare(b)));
  });
});
