/**
 * The rules of ARCHITECTURE.md, checked rather than remembered: the import graph of the sources (read from
 * their import statements) has no cycles, content scripts never reach Dexie or the database, shared/ stays
 * pure, and every feature folder is described in ARCHITECTURE.md.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/bridge-process';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const files = ['shared', 'bridge', 'extension'].flatMap((dir) => sources(join(REPO_ROOT, dir)));
const known = new Set(files);

/** Each file's imports: repository files (resolved) and packages (by name). */
const graph = new Map<string, { files: string[]; packages: string[] }>();
/** The same with type-only imports: what a module depends on, not only what it loads. */
const typeGraph = new Map<string, string[]>();
function resolveAll(file: string, specifiers: string[]) {
  const resolved: string[] = [];
  const packages: string[] = [];
  for (const specifier of specifiers) {
    if (!specifier.startsWith('.')) {
      packages.push(specifier);
      continue;
    }
    const base = resolve(dirname(file), specifier.replace(/\?.*$/, ''));
    const target = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((path) =>
      known.has(path),
    );
    if (target) resolved.push(target);
  }
  return { files: resolved, packages };
}
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  // Type-only imports vanish at build time: they do not make a runtime cycle or pull code in.
  const runtime = [...text.matchAll(/^\s*(?:import|export)\s(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map(
    (match) => match[1]!,
  );
  const all = [
    ...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm),
  ].map((match) => (match[1] ?? match[2])!);
  graph.set(file, resolveAll(file, runtime));
  typeGraph.set(file, resolveAll(file, all).files);
}

function reachable(start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...(graph.get(file)?.files ?? []));
  }
  return seen;
}

const rel = (path: string) => relative(REPO_ROOT, path);

describe('architecture rules', () => {
  it('no import cycles (runtime imports)', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const next of graph.get(file)?.files ?? []) {
        if (state.get(next) === 'open')
          cycles.push([...path.slice(path.indexOf(next)), next].map(rel).join(' → '));
        else if (!state.has(next)) visit(next);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('no content script reaches Dexie or the database (IndexedDB there would be the web page’s)', () => {
    const entries = files.filter((file) => file.endsWith('.content.ts'));
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      for (const file of reachable(entry)) {
        expect(rel(file), `${rel(entry)} reaches the database`).not.toMatch(/^extension\/db\//);
        expect(graph.get(file)?.packages ?? [], `${rel(entry)} → ${rel(file)}`).not.toContain('dexie');
      }
    }
  });

  it('shared/ is pure: no chrome, no DOM, no Node, no extension or bridge code', () => {
    for (const file of files.filter((path) => rel(path).startsWith('shared/'))) {
      const { files: imported, packages } = graph.get(file)!;
      for (const target of imported) expect(rel(target), rel(file)).toMatch(/^shared\//);
      for (const name of packages)
        expect(name, rel(file)).not.toMatch(/^(node:|wxt|dexie|preact|ws$|express$)/);
    }
  });

  it('every write and every transaction goes through extension/db/ (the benchmark hooks excepted)', () => {
    const outside = files.filter((file) => {
      const path = rel(file);
      return (
        path.startsWith('extension/') &&
        !path.startsWith('extension/db/') &&
        !path.startsWith('extension/features/bench/')
      );
    });
    const write =
      /\.(cards|tasks|interactions)\s*\.\s*(put|add|bulkPut|bulkAdd|update|bulkUpdate|delete|bulkDelete|clear)\s*\(|\.modify\s*\(|\bdb\s*\.\s*transaction\s*\(/;
    const offenders = outside.filter((file) => write.test(readFileSync(file, 'utf8'))).map(rel);
    expect(offenders).toEqual([]);
  });

  it('ui/ imports nothing from db/ or features/ (not even a type)', () => {
    const offenders = files
      .filter((file) => rel(file).startsWith('extension/ui/'))
      .flatMap((file) =>
        (typeGraph.get(file) ?? [])
          .filter((target) => /^extension\/(db|features)\//.test(rel(target)))
          .map((target) => `${rel(file)} → ${rel(target)}`),
      );
    expect(offenders).toEqual([]);
  });

  it('the message doors depend on no feature and no database code (features depend on doors)', () => {
    const offenders = files
      .filter((file) => rel(file).startsWith('extension/doors/'))
      .flatMap((file) =>
        (typeGraph.get(file) ?? [])
          // The pop's payload carries the interface language and its messages: types of ui/i18n.ts.
          .filter((target) => !/^(extension\/doors\/|shared\/|extension\/ui\/i18n\.ts$)/.test(rel(target)))
          .map((target) => `${rel(file)} → ${rel(target)}`),
      );
    expect(files.some((file) => rel(file).startsWith('extension/doors/'))).toBe(true);
    expect(offenders).toEqual([]);
  });

  it('entrypoints stay thin: the worker composes features in under 100 lines, the others in under 40', () => {
    const entries = files.filter(
      (file) => rel(file).startsWith('extension/entrypoints/') && !rel(file).includes('/probe/'),
    );
    const long = entries
      .map((file) => ({ file: rel(file), lines: readFileSync(file, 'utf8').trimEnd().split('\n').length }))
      .filter(({ file, lines }) => lines >= (file.endsWith('background.ts') ? 100 : 40));
    expect(long).toEqual([]);
    // Composing means no database handle or repository of its own.
    const worker = files.find((file) => rel(file) === 'extension/entrypoints/background.ts')!;
    expect((typeGraph.get(worker) ?? []).map(rel).filter((path) => path.startsWith('extension/db/'))).toEqual(
      [],
    );
  });

  it('every feature folder is described in ARCHITECTURE.md', () => {
    const doc = readFileSync(join(REPO_ROOT, 'ARCHITECTURE.md'), 'utf8');
    const features = readdirSync(join(REPO_ROOT, 'extension', 'features'));
    for (const feature of features) expect(doc, feature).toContain(`\`${feature}\``);
  });
});
