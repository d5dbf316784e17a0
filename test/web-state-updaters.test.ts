import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * React runs a state updater function (setX(prev => …)) later, when the event that caused it is
 * over and its currentTarget is null: reading e.currentTarget in there throws on the second
 * keystroke and, without a boundary, blanks the app. Handlers read the value first
 * (const v = e.currentTarget.value; setX(prev => ({ ...prev, v }))). This finds any updater that
 * reads currentTarget, in every file of the web app.
 */
function updatersReadingCurrentTarget(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const readsCurrentTarget = (n: ts.Node): boolean =>
    (ts.isPropertyAccessExpression(n) && n.name.text === 'currentTarget') || ts.forEachChild(n, readsCurrentTarget) === true;
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n)) {
      const callee = ts.isIdentifier(n.expression) ? n.expression.text : ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : '';
      if (/^set[A-Z]/.test(callee)) {
        for (const arg of n.arguments) {
          if ((ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) && readsCurrentTarget(arg.body)) {
            const { line } = source.getLineAndCharacterOfPosition(n.getStart());
            found.push(`${file}:${line + 1}: ${n.getText().slice(0, 100)}`);
          }
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return found;
}

describe('web app state updaters', () => {
  const root = join(import.meta.dirname, '..', 'web', 'src');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));

  it('finds the mistake where it is made', () => {
    const bad = "setComm((c) => ({ ...c, party: e.currentTarget.value }))";
    expect(updatersReadingCurrentTarget('x.tsx', `const f = (e) => ${bad};`)).toHaveLength(1);
    expect(updatersReadingCurrentTarget('x.tsx', 'const f = (e) => { const party = e.currentTarget.value; setComm((c) => ({ ...c, party })); };')).toEqual([]);
  });

  it('never read the event inside a state updater function', () => {
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) => updatersReadingCurrentTarget(f, readFileSync(join(root, f), 'utf8')));
    expect(found).toEqual([]);
  });
});
