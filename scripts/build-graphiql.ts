// `npm run build:graphiql`: bundles GraphiQL (src/graphiql/browser/app.tsx, with React and its
// styles) into dist/graphiql/graphiql.js and graphiql.css, minified and self-contained (fonts and
// icons inlined as data: URLs), for src/graphiql/page.ts to serve. Runs at install (postinstall),
// and with --if-stale before `npm start` and the tests, so a fresh checkout needs no extra step.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { graphiqlAssetDir, graphiqlAssets } from '../src/graphiql/page.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const browserDir = join(root, 'src/graphiql/browser');
const entry = join(browserDir, 'app.tsx');
/** What the bundle is made of (every file of the browser code): when one is newer, --if-stale rebuilds. */
const inputs = [
  ...readdirSync(browserDir).map((name) => join(browserDir, name)),
  fileURLToPath(import.meta.url),
  join(root, 'package-lock.json'),
];
const outputs = Object.keys(graphiqlAssets).map((name) => join(graphiqlAssetDir, name));

export function graphiqlBundleIsStale(): boolean {
  if (!outputs.every((file) => existsSync(file))) return true;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  return inputs.some((file) => existsSync(file) && statSync(file).mtimeMs > built);
}

/** Builds the bundle; with `ifStale`, only when it is missing or older than its inputs. */
export async function buildGraphiQL(options: { ifStale?: boolean } = {}): Promise<'built' | 'fresh'> {
  if (options.ifStale && !graphiqlBundleIsStale()) return 'fresh';
  // esbuild is a devDependency: imported here, not at the top, so that this module loads without it.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: { graphiql: entry },
    bundle: true,
    write: false,
    outdir: graphiqlAssetDir,
    platform: 'browser',
    format: 'iife',
    target: ['es2022'],
    minify: true,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    // Inline whatever the CSS points at, so the page needs no other request.
    loader: {
      '.woff': 'dataurl',
      '.woff2': 'dataurl',
      '.ttf': 'dataurl',
      '.eot': 'dataurl',
      '.png': 'dataurl',
      '.gif': 'dataurl',
      '.jpg': 'dataurl',
      '.svg': 'dataurl',
    },
    // @graphiql/toolkit imports graphql-ws only for subscriptions over a websocket (a
    // `subscriptionUrl`), which this page does not use.
    external: ['graphql-ws'],
    legalComments: 'eof',
    logLevel: 'warning',
  });
  const produced = new Set(result.outputFiles.map((file) => basename(file.path)));
  const expected = Object.keys(graphiqlAssets);
  if (produced.size !== expected.length || !expected.every((name) => produced.has(name))) {
    throw new Error(`esbuild produced ${[...produced].join(', ')}; expected ${expected.join(', ')}`);
  }
  mkdirSync(graphiqlAssetDir, { recursive: true });
  // Each file is written aside and renamed into place, so a server starting meanwhile never reads half a file.
  for (const file of result.outputFiles) {
    const temporary = join(dirname(file.path), `.${basename(file.path)}.${process.pid}.tmp`);
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  return 'built';
}

function canBundle(): boolean {
  const require = createRequire(import.meta.url);
  try {
    for (const name of ['esbuild', 'graphiql', '@graphiql/toolkit', 'react', 'react-dom']) require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ifStale = process.argv.includes('--if-stale');
  if (!canBundle()) {
    // An install without devDependencies (npm ci --omit=dev): nothing to bundle with. Not an error
    // here; the server refuses to start only if GraphiQL is enabled and its bundle is missing.
    process.stderr.write('build:graphiql: skipped, esbuild or graphiql is not installed (devDependencies).\n');
    process.exit(0);
  }
  const started = performance.now();
  const outcome = await buildGraphiQL({ ifStale });
  if (outcome === 'built') {
    const sizes = outputs.map((file) => `${basename(file)} ${Math.round(statSync(file).size / 1024)} kB`);
    process.stdout.write(
      `build:graphiql: ${sizes.join(', ')} in ${graphiqlAssetDir} (${Math.round(performance.now() - started)} ms)\n`,
    );
  }
}
