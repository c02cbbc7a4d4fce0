import { buildGraphiQL } from '../../scripts/build-graphiql.js';

// vitest globalSetup: every test subgraph serves GraphiQL (on unless NODE_ENV=production), so its
// bundle must exist. npm install builds it; this covers a checkout that skipped install scripts or
// changed the GraphiQL entry since.
export default async function setup(): Promise<void> {
  await buildGraphiQL({ ifStale: true });
}
