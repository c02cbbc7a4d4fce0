// GraphiQL for the page served at GET /graphql (src/graphiql/page.ts). Bundled with its styles into
// dist/graphiql/ by scripts/build-graphiql.ts: the page loads nothing from anywhere else.
import { createGraphiQLFetcher, type Storage } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import './page.css';
import { SandboxSignIn, sandboxSignInOf } from './sandboxSignIn.js';

const container = document.getElementById('graphiql');
if (!container) throw new Error('GraphiQL: the page has no #graphiql element');
const sandboxSignIn = sandboxSignInOf(container);

const defaultQuery = `# Sandbox mode (npm start without vendor credentials) has
# customers cust_0001 … cust_0300. Anyone may ask this:

query Customer {
  customer(id: "cust_0001") {
    id
    gender
    orderSummary {
      count
      totalAmount {
        amount
        currencyCode
      }
    }
  }
}

${
  sandboxSignIn
    ? `# Personal fields (email, names, address…) need a token:
# pick a caller under "Sign in as" (top right); its token
# goes into Headers below. As customer cust_0001, ask:
#   query Me { me { id email } }`
    : `# Personal fields (email, names, address…) need a token:
#   npm run token -- --sub cust_0001
# Paste {"Authorization": "Bearer <token>"} into Headers
# below, then ask: query Me { me { id email } }`
}
`;

/**
 * Where GraphiQL keeps its tabs, history and settings: this page's memory, gone when it closes.
 * GraphiQL's default is localStorage, and its history keeps every run's headers there (tokens
 * included) whatever `shouldPersistHeaders` says; queries and variables can hold personal data too.
 */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
    get length() {
      return items.size;
    },
  };
}

// The page is served by the endpoint it queries, so its own path is the GraphQL endpoint (this
// also holds behind a proxy that mounts the subgraph under a prefix).
const fetcher = createGraphiQLFetcher({ url: window.location.pathname });

createRoot(container).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      storage={memoryStorage()}
      defaultQuery={defaultQuery}
      // Valid JSON that sends no header: an anonymous request. A token pasted here stays in memory,
      // with everything else GraphiQL keeps (memoryStorage); not persisting headers also hides
      // GraphiQL's setting that would.
      defaultHeaders="{}"
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
      defaultEditorToolsVisibility="headers"
    >
      {sandboxSignIn && (
        <GraphiQL.Logo>
          <SandboxSignIn settings={sandboxSignIn} />
        </GraphiQL.Logo>
      )}
    </GraphiQL>
  </StrictMode>,
);
