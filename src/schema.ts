import { readFileSync, readdirSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers/index.js';

const schemaDirectory = new URL('../schema/', import.meta.url);

/** The SDL of every domain file in schema/, as one document. */
export function loadTypeDefs(): DocumentNode {
  const files = readdirSync(schemaDirectory)
    .filter((file) => file.endsWith('.graphql'))
    .sort();
  return parse(files.map((file) => readFileSync(new URL(file, schemaDirectory), 'utf8')).join('\n'));
}

// @apollo/subgraph types resolvers loosely (context `unknown`); the generated `Resolvers` type is
// the one that checks them, so this is only the hand-over.
type SubgraphResolverMap = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']>;

export function buildSchema(): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as unknown as SubgraphResolverMap });
}
