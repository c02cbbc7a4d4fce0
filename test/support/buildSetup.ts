import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildGraphiQL } from '../../scripts/build-graphiql.js';
import { root } from './npmScripts.js';

// vitest globalSetup: what the tests start must be built from the current checkout. Every test
// subgraph serves GraphiQL, so its bundle must exist; test/build/ starts `npm run start:prod`, so
// dist/ must be compiled from the current src/. Each is built only when missing or stale, so
// `npm test` alone is enough on a fresh checkout or after an edit.

export const builtMain = join(root, 'dist/main.js');

/** The src/ file compiled into dist/ that changed after dist/main.js was written, if any. */
export function sourceNewerThanBuild(): string | undefined {
  const built = statSync(builtMain).mtimeMs;
  return readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.startsWith(join('graphiql', 'browser')))
    .find((file) => statSync(join(root, 'src', file)).mtimeMs > built);
}

export default async function setup(): Promise<void> {
  await buildGraphiQL({ ifStale: true });
  if (!existsSync(builtMain) || sourceNewerThanBuild() !== undefined) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
}
