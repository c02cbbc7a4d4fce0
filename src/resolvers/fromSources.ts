import type { Context } from '../context.js';
import type { Picks } from '../customers/customers.js';
import { customerFields, type CustomerType } from '../customers/fields.js';
import type { CustomerRef } from '../customers/ref.js';
import type { CustomerSource } from '../vendors/endpoints.js';

type Specs = typeof customerFields;
type SourcesOf<Spec> = Spec extends { readonly from: readonly (infer S extends CustomerSource)[] } ? S : never;

/**
 * Resolvers for a customer type's fields that read exactly the sources each field's declaration
 * lists (src/customers/fields.ts), in its order: `picks` says, per source, how its payload gives
 * the value, and must name every declared source and no other.
 */
export function fromSources<T extends CustomerType>(type: T) {
  return <F extends keyof Specs[T] & string, R>(field: F, picks: Picks<SourcesOf<Specs[T][F]>, R>) => {
    const spec = customerFields[type][field] as { readonly from: readonly SourcesOf<Specs[T][F]>[] };
    return (ref: CustomerRef, _args: unknown, { customers }: Context): Promise<R | null> =>
      customers.first(ref, spec, picks);
  };
}
