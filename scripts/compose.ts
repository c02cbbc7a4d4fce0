// `npm run compose`: composes this subgraph with the example orders subgraph into
// supergraph.graphql, as a router would load it. Fails on any composition error or hint (but the one below).
// `-- --without-auth-directives` composes the SDL @apollo/gateway accepts (AUTH_DIRECTIVES_IN_SDL=false).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { ordersTypeDefs } from '../examples/orders/server.js';
import { buildSchema } from '../src/schema.js';

const { values } = parseArgs({
  options: {
    'without-auth-directives': { type: 'boolean', default: false },
    output: { type: 'string', default: 'supergraph.graphql' },
  },
});

const customers = printSubgraphSchema(buildSchema({ authDirectivesInSdl: !values['without-auth-directives'] }));
const result = composeServices([
  { name: 'customers', url: 'http://localhost:4001/graphql', typeDefs: parse(customers) },
  { name: 'orders', url: 'http://localhost:4002/graphql', typeDefs: ordersTypeDefs },
]);

// Apollo's @cacheControl definition brings its CacheControlScope enum, which no field uses: expected.
// The directive is not composed (no @composeDirective): routers take each response's Cache-Control
// header, which knows what the SDL cannot (stale data, entities by Imprint id).
const hints = (result.hints ?? []).filter(
  (hint) => !(hint.definition.code === 'UNUSED_ENUM_TYPE' && hint.coordinate === 'CacheControlScope'),
);
for (const hint of hints) process.stderr.write(`hint ${hint.definition.code}: ${hint.message}\n`);
if (result.errors) {
  for (const error of result.errors) process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
}
if (hints.length > 0) process.exit(1);
writeFileSync(values.output, result.supergraphSdl);
process.stdout.write(`wrote ${values.output}\n`);
