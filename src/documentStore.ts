import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { Kind, OperationTypeNode, type DocumentNode } from 'graphql';

/**
 * Apollo's cache of parsed and validated documents, shared across requests, minus mutations: a
 * mutation's text may carry personal data inline (an e-mail in `upsertCustomer(input: {…})`),
 * and nothing personal may sit in a shared cache. Query arguments here are ids, so queries (the
 * gateway's hot path) are cached as usual.
 */
export class QueryDocumentStore implements KeyValueCache<DocumentNode> {
  private readonly documents = new InMemoryLRUCache<DocumentNode>();

  get(key: string): Promise<DocumentNode | undefined> {
    return this.documents.get(key);
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    if (!hasMutation(document)) await this.documents.set(key, document);
  }

  delete(key: string): Promise<boolean> {
    return this.documents.delete(key);
  }
}

function hasMutation(document: DocumentNode): boolean {
  return document.definitions.some(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.MUTATION,
  );
}
