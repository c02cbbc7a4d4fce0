// GraphiQL for the page served at GET /graphql (src/graphiql/page.ts). Bundled with its styles into
// dist/graphiql/ by scripts/build-graphiql.ts: the page loads nothing from anywhere else.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import './page.css';

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

# Personal fields (email, names, address…) need a token:
#   npm run token -- --sub cust_0001
# Paste {"Authorization": "Bearer <token>"} into Headers
# below, then ask: query Me { me { id email } }
`;

// The page is served by the endpoint it queries, so its own path is the GraphQL endpoint (this
// also holds behind a proxy that mounts the subgraph under a prefix).
const fetcher = createGraphiQLFetcher({ url: window.location.pathname });

const container = document.getElementById('graphiql');
if (!container) throw new Error('GraphiQL: the page has no #graphiql element');

createRoot(container).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={defaultQuery}
      // Valid JSON that sends no header: an anonymous request. A token pasted here stays in memory:
      // GraphiQL keeps headers out of localStorage unless told to persist them.
      defaultHeaders="{}"
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
      defaultEditorToolsVisibility="headers"
    />
  </StrictMode>,
);
