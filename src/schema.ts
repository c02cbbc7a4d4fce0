import { readFileSync, readdirSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind, parse, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import { guardResolvers } from './auth/guard.js';
import { resolvers } from './resolvers/index.js';

const schemaDirectory = new URL('../schema/', import.meta.url);
const authDirectives = ['@authenticated', '@requiresScopes'];

/** The SDL of every domain file in schema/, as one document. */
export function loadTypeDefs(): DocumentNode {
  const files = readdirSync(schemaDirectory)
    .filter((file) => file.endsWith('.graphql'))
    .sort();
  return parse(files.map((file) => readFileSync(new URL(file, schemaDirectory), 'utf8')).join('\n'));
}

const federationWithAuth = 'https://specs.apollo.dev/federation/v2.5';
// The last federation version that does not define the auth directives at all.
const federationWithoutAuth = 'https://specs.apollo.dev/federation/v2.4';

/**
 * The SDL without @authenticated and @requiresScopes, for gateways that refuse supergraphs
 * carrying them (@apollo/gateway 2.x). Linking federation v2.4 keeps even their definitions out.
 * Only the published SDL changes: the subgraph enforces the same rules either way.
 */
export function withoutAuthDirectives(typeDefs: DocumentNode): DocumentNode {
  return visit(typeDefs, {
    StringValue(node) {
      return node.value === federationWithAuth ? { ...node, value: federationWithoutAuth } : undefined;
    },
    Directive(node) {
      return authDirectives.includes(`@${node.name.value}`) ? null : undefined;
    },
    Argument(node) {
      if (node.name.value !== 'import' || node.value.kind !== Kind.LIST) return undefined;
      const values = node.value.values.filter(
        (value) => !(value.kind === Kind.STRING && authDirectives.includes(value.value)),
      );
      return { ...node, value: { ...node.value, values } };
    },
  });
}

// @apollo/subgraph types resolvers loosely (context `unknown`); the generated `Resolvers` type is
// the one that checks them, so this is only the hand-over.
type SubgraphResolverMap = NonNullable<
  Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']
>;

export function buildSchema(options: { authDirectivesInSdl: boolean } = { authDirectivesInSdl: true }): GraphQLSchema {
  const typeDefs = options.authDirectivesInSdl ? loadTypeDefs() : withoutAuthDirectives(loadTypeDefs());
  return buildSubgraphSchema({ typeDefs, resolvers: guardResolvers(resolvers) as unknown as SubgraphResolverMap });
}
