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

// The bot's entry point as one module, plus the chunks it loads on demand (the report builder). Node's ES
// module loader resolves, reads, compiles and links the ~400 files of the bot and of the libraries every
// start needs one by one, and that was most of the cold start (bench/startup.bench.ts: 612-681 ms to the
// first answer, 466-551 ms bundled; idle RSS 90 MB, 80 MB bundled). The libraries loaded only when the
// office first needs them (Word, Excel, the charts, the Zalo client's HTTP library) and the native ones
// stay outside, loaded from node_modules as before; dist/cli.js and the rest of dist/ stay file by file.
const botDir = join(dist, 'bot');
/** Loaded by every start, bundled; every other dependency is left to node_modules. */
const BUNDLED = ['grammy', '@grammyjs/auto-retry', '@grammyjs/runner', '@grammyjs/transformer-throttler', 'drizzle-orm', 'zod', 'dayjs'];
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.includes(name));
// A module's import.meta.url stays that of its own file under dist/ (the migrations, the form page's
// static files are found beside it), not that of the bundle.
const ownFileUrl = {
  name: 'own-file-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (args.path.includes(`${join(root, 'node_modules')}`) || !source.includes('import.meta.url')) return undefined;
      const compiled = join(dist, relative(root, args.path)).replace(/\.ts$/, '.js');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative(botDir, compiled))}, import.meta.url).href`), loader: 'ts' };
    });
  },
};
for (const name of readdirSync(botDir)) if (/^chunk-.*\.js$/.test(name)) rmSync(join(botDir, name));
const { build } = await import('esbuild');
await build({
  entryPoints: [join(root, 'bot', 'main.ts')],
  outdir: botDir,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [ownFileUrl],
  // CommonJS inside the bundled libraries (node-fetch under grammY) calls require.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
