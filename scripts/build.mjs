// npm run build: compiles the TypeScript to dist/ with tsc, makes the output runnable by plain node,
// and copies the files the program reads beside its code (the SQL migrations, any other asset) into
// the same places under dist/.
//
// The sources import each other without extensions (moduleResolution "Bundler", which tsx, vitest and
// the type check all understand); Node's ES module loader needs the full file name. Rather than touch
// every import in the repository, the emitted files get their relative specifiers completed here:
// "./config" becomes "./config.js", "./cli" a directory's "./cli/index.js". A specifier that matches no
// emitted file fails the build, so a broken import is never shipped.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

if (process.argv.includes('--clean')) rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;

function complete(file, spec) {
  if (/\.(m?js|json)$/.test(spec)) return spec;
  const base = resolve(dirname(file), spec);
  if (existsSync(`${base}.js`)) return `${spec}.js`;
  if (existsSync(join(base, 'index.js'))) return `${spec}/index.js`;
  throw new Error(`${relative(root, file)}: cannot resolve import "${spec}"`);
}

function* jsFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* jsFiles(path);
    else if (name.endsWith('.js')) yield path;
  }
}

for (const file of jsFiles(dist)) {
  // Only what tsc emitted: a .js asset copied from the sources (browser scripts) is left as written.
  if (!existsSync(join(root, relative(dist, file)).replace(/\.js$/, '.ts'))) continue;
  const source = readFileSync(file, 'utf8');
  const out = source.replace(SPECIFIER, (_m, lead, quote, spec) => `${lead}${quote}${complete(file, spec)}${quote}`);
  if (out !== source) writeFileSync(file, out);
}

// Every directory tsc compiled gets its other files too (storage/migrations/*.sql and meta/*.json…).
for (const name of readdirSync(dist)) {
  const source = join(root, name);
  if (!statSync(join(dist, name)).isDirectory() || !existsSync(source)) continue;
  cpSync(source, join(dist, name), { recursive: true, filter: (src) => statSync(src).isDirectory() || !/\.(ts|md)$/.test(src) });
}
