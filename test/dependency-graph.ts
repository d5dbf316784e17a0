// The module dependency graph of src/, read with the TypeScript parser (no package of its own), for
// test/dependencies.test.ts. Run it directly to print the graph's state:
//   node test/dependency-graph.ts            deep imports, lib/db → module imports, module cycles,
//                                            repositories exported by a front door
//   node test/dependency-graph.ts --edges    also every module → module edge with its imports
//
// Words: a *module* is a folder src/modules/<name>; its *front door* is src/modules/<name>/index.ts.
// Everything else under src/ is a *layer*: `lib` (src/lib), `db` (src/db) and `root` (src/*.ts, the
// composition root: main, server, runtime, services, app, which wire every module's routes,
// services and workers and so may import any file of a module).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(repoRoot, 'src');

export interface ImportSite {
  /** Importing file, relative to the repository (src/modules/x/service.ts). */
  file: string;
  line: number;
  specifier: string;
  /** Imported file, relative to the repository. */
  target: string;
  /** `import type` / `export type` / `import('…')` in a type position: no edge at run time. */
  typeOnly: boolean;
}

/** Which part of src/ a file belongs to: a module's name, or `lib`, `db`, `root`. */
export function partOf(repoPath: string): { kind: 'module' | 'layer'; name: string } | null {
  const parts = repoPath.split('/');
  if (parts[0] !== 'src') return null;
  if (parts[1] === 'modules' && parts.length > 3) return { kind: 'module', name: parts[2]! };
  if (parts[1] === 'lib' || parts[1] === 'db') return { kind: 'layer', name: parts[1] };
  if (parts.length === 2) return { kind: 'layer', name: 'root' };
  return null;
}

/** Tests and test kits may import any file (they drive a module from inside); they are not checked. */
export function isTestFile(repoPath: string): boolean {
  return /\.test\.ts$/.test(repoPath) || /(^|\/)testkit\.ts$/.test(repoPath);
}

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

const toRepo = (abs: string) => relative(repoRoot, abs).split(sep).join('/');

/** Every relative import, re-export and dynamic import in the non-test files of src/. */
export function collectImports(): ImportSite[] {
  const sites: ImportSite[] = [];
  for (const abs of walk(srcDir, []).sort()) {
    const file = toRepo(abs);
    if (isTestFile(file)) continue;
    sites.push(...importsOf(file, readFileSync(abs, 'utf8')));
  }
  return sites;
}

/** The relative imports of one file (`file` relative to the repository, `text` its source). */
export function importsOf(file: string, text: string): ImportSite[] {
  const sites: ImportSite[] = [];
  const abs = join(repoRoot, file);
  const source = ts.createSourceFile(abs, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const add = (node: ts.Node, specNode: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specNode || !ts.isStringLiteralLike(specNode)) return;
    const specifier = specNode.text;
    if (!specifier.startsWith('.')) return; // packages and node: builtins
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    sites.push({ file, line, specifier, target: toRepo(resolve(dirname(abs), specifier)), typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const allTypes =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node)) {
      const allTypes =
        node.isTypeOnly ||
        (!!node.exportClause &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly));
      add(node, node.moduleSpecifier, allTypes);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(node, arg.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** A name a front door (src/modules/<name>/index.ts) exports. */
export interface FrontDoorExport {
  file: string;
  line: number;
  /** The exported name (`as` names as written); `*` for an `export * from`, which names nothing. */
  name: string;
  /** A type, interface, `export type` or `{ type X }`: nothing exists at run time. */
  typeOnly: boolean;
}

const exported = (node: ts.Node) =>
  ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The names one file exports at its top level (`file` relative to the repository, `text` its source). */
export function exportsOf(file: string, text: string): FrontDoorExport[] {
  const out: FrontDoorExport[] = [];
  const source = ts.createSourceFile(join(repoRoot, file), text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const add = (node: ts.Node, name: string, typeOnly: boolean) =>
    out.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, name, typeOnly });
  const bindings = (b: ts.BindingName, node: ts.Node): void => {
    if (ts.isIdentifier(b)) add(node, b.text, false);
    else for (const e of b.elements) if (!ts.isOmittedExpression(e)) bindings(e.name, node);
  };
  for (const node of source.statements) {
    if (ts.isExportDeclaration(node)) {
      const clause = node.exportClause;
      if (!clause) add(node, '*', node.isTypeOnly);
      else if (ts.isNamespaceExport(clause)) add(node, clause.name.text, node.isTypeOnly);
      else for (const e of clause.elements) add(e, e.name.text, node.isTypeOnly || e.isTypeOnly);
    } else if (ts.isExportAssignment(node)) {
      add(node, 'default', false);
    } else if (exported(node)) {
      if (ts.isVariableStatement(node)) for (const d of node.declarationList.declarations) bindings(d.name, d);
      else if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) add(node, node.name.text, true);
      else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isEnumDeclaration(node) || ts.isModuleDeclaration(node)) && node.name)
        add(node, node.name.text, false);
    }
  }
  return out;
}

/** What every front door exports. */
export function collectFrontDoorExports(): FrontDoorExport[] {
  const modules = join(srcDir, 'modules');
  const out: FrontDoorExport[] = [];
  for (const entry of readdirSync(modules, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const file = `src/modules/${entry.name}/index.ts`;
    let text: string;
    try {
      text = readFileSync(join(repoRoot, file), 'utf8');
    } catch {
      continue;
    }
    out.push(...exportsOf(file, text));
  }
  return out;
}

/** A repository object handed out by a front door: a value named `…Repo` (its whole SQL open to other modules). */
export const isRepoExport = (e: FrontDoorExport) => !e.typeOnly && /Repo$/.test(e.name);

export interface Graph {
  sites: ImportSite[];
  /** Imports from one module of a file of another module other than its index.ts. */
  deep: ImportSite[];
  /** Imports from src/lib or src/db of any file of a module. */
  layerToModule: ImportSite[];
  /** Module-level edges (lib and db count as nodes too, so lib → module → lib is a cycle). */
  edges: Map<string, Map<string, ImportSite[]>>;
  /** Strongly connected components with more than one node, each sorted; the list sorted. */
  cycles: string[][];
}

export function buildGraph(sites: ImportSite[] = collectImports()): Graph {
  const deep: ImportSite[] = [];
  const layerToModule: ImportSite[] = [];
  const edges = new Map<string, Map<string, ImportSite[]>>();
  for (const site of sites) {
    const from = partOf(site.file);
    const to = partOf(site.target);
    if (!from || !to || from.name === to.name) continue;
    if (to.kind === 'module' && from.kind === 'module' && site.target !== `src/modules/${to.name}/index.ts`) deep.push(site);
    if (to.kind === 'module' && (from.name === 'lib' || from.name === 'db')) layerToModule.push(site);
    if (from.name === 'root') continue; // the composition root is not part of any cycle
    if (to.name === 'root') continue;
    const out = edges.get(from.name) ?? new Map<string, ImportSite[]>();
    edges.set(from.name, out);
    const list = out.get(to.name) ?? [];
    out.set(to.name, list);
    list.push(site);
  }
  return { sites, deep, layerToModule, edges, cycles: stronglyConnected(edges) };
}

/** Tarjan's algorithm over the module graph; components of two or more nodes (or a self edge). */
function stronglyConnected(edges: Map<string, Map<string, unknown>>): string[][] {
  const nodes = new Set<string>();
  for (const [from, out] of edges) {
    nodes.add(from);
    for (const to of out.keys()) nodes.add(to);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) result.push(component.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) connect(v);
  return result.sort((a, b) => a.join().localeCompare(b.join()));
}

/** The edges inside a component: which module imports which, with the import sites. */
export function edgesWithin(graph: Graph, component: string[]): ImportSite[] {
  const members = new Set(component);
  const out: ImportSite[] = [];
  for (const from of component)
    for (const [to, list] of graph.edges.get(from) ?? []) if (members.has(to)) out.push(...list);
  return out;
}

export const describe = (s: ImportSite) =>
  `${s.file}:${s.line}  '${s.specifier}'${s.typeOnly ? ' (type only)' : ''}`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const graph = buildGraph();
  console.log(`${graph.sites.length} relative imports in src/ (non-test files)`);
  console.log(`\n${graph.deep.length} deep imports:`);
  for (const s of graph.deep) console.log('  ' + describe(s));
  console.log(`\n${graph.layerToModule.length} imports of a module from lib or db:`);
  for (const s of graph.layerToModule) console.log('  ' + describe(s));
  console.log(`\n${graph.cycles.length} module cycles:`);
  for (const c of graph.cycles) {
    console.log(`  {${c.join(', ')}}`);
    const pairs = new Map<string, number>();
    for (const s of edgesWithin(graph, c)) {
      const key = `${partOf(s.file)!.name} -> ${partOf(s.target)!.name}`;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
    for (const [k, n] of [...pairs].sort()) console.log(`      ${k} (${n})`);
  }
  const repos = collectFrontDoorExports().filter(isRepoExport);
  console.log(`\n${repos.length} repositories exported by a front door:`);
  for (const e of repos) console.log(`  ${e.file}:${e.line}  ${e.name}`);
  if (process.argv.includes('--edges')) {
    console.log('\nedges:');
    for (const [from, out] of [...graph.edges].sort())
      for (const [to, list] of [...out].sort()) console.log(`  ${from} -> ${to}: ${list.length}`);
  }
}
