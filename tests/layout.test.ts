import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * domain/ is pure logic: it imports only itself, node's built-ins and npm packages, and never reads the
 * clock (the time comes in as an argument), so it can be tested with frozen data and reused by any caller.
 */
const ROOT = resolve(import.meta.dirname, '..');
const DOMAIN = join(ROOT, 'domain');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every module specifier of a file: static imports and re-exports, dynamic import() and require(). */
function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const re of [/(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g, /(?:^|\s)import\s*['"]([^'"]+)['"]/g, /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g]) {
    for (const m of source.matchAll(re)) out.push(m[1]!);
  }
  return out;
}

/** What a domain file may import: a path inside domain/, a node built-in or an npm package. */
function outsideDomain(file: string, spec: string): boolean {
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const target = resolve(file, '..', spec);
    return !(target === DOMAIN || target.startsWith(DOMAIN + '/'));
  }
  // A bare specifier naming a project folder ("templates/messages") would dodge the relative check.
  const first = spec.split('/')[0]!;
  return ['bot', 'handlers', 'storage', 'templates', 'tests', 'bench', 'scripts', 'config', 'log', 'cli'].includes(first.replace(/\.(ts|js)$/, ''));
}

/** Comments and strings aside, a clock read: Date.now() or new Date() without an argument. */
function clockReads(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return [...code.matchAll(/Date\.now\s*\(\s*\)|new\s+Date\s*\(\s*\)|new\s+Date\b(?!\s*\()/g)].map((m) => m[0]);
}

describe('layout: domain/ is pure', () => {
  const files = tsFiles(DOMAIN);

  it('finds the domain files', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('no domain file imports from outside domain/', () => {
    const offending = files.flatMap((f) =>
      specifiers(readFileSync(f, 'utf8'))
        .filter((s) => !s.startsWith('node:') && !builtinModules.includes(s) && outsideDomain(f, s))
        .map((s) => `${f.slice(ROOT.length + 1)} → ${s}`),
    );
    expect(offending).toEqual([]);
  });

  it('no domain file reads the clock', () => {
    const offending = files.flatMap((f) => clockReads(readFileSync(f, 'utf8')).map((r) => `${f.slice(ROOT.length + 1)}: ${r}`));
    expect(offending).toEqual([]);
  });

  it('the checks catch what they are meant to catch', () => {
    const file = join(DOMAIN, 'x.ts');
    expect(specifiers("import * as t from '../templates/messages';\nimport { z } from 'zod';").filter((s) => outsideDomain(file, s))).toEqual(['../templates/messages']);
    expect(outsideDomain(file, './form')).toBe(false);
    expect(outsideDomain(file, 'dayjs/plugin/utc.js')).toBe(false);
    expect(clockReads('const a = Date.now();\nconst b = new Date();\nconst c = new Date(x);\n// new Date()')).toEqual(['Date.now()', 'new Date()']);
  });
});
