// Sandbox sign-in: a picker that fills the Authorization header of GraphiQL's headers editor with a
// sandbox token, signed by the subgraph (POST graphiql/sandbox-token, src/graphiql/page.ts). The
// page carries the picker's callers only in sandbox mode. Tokens live in the editor and in this
// component's memory, never in the browser's storage.
import { useEditorContext } from '@graphiql/react';
import { useEffect, useRef, useState } from 'react';

export interface SandboxCaller {
  id: string;
  label: string;
}

export interface SandboxSignInSettings {
  /** Where to ask for a token, relative to the page. */
  tokenHref: string;
  callers: SandboxCaller[];
}

/** What the page says about sandbox sign-in (data attributes of #graphiql); null outside sandbox mode. */
export function sandboxSignInOf(element: HTMLElement): SandboxSignInSettings | null {
  const { sandboxTokenHref: tokenHref, sandboxCallers } = element.dataset;
  if (!tokenHref || !sandboxCallers) return null;
  const parsed: unknown = JSON.parse(sandboxCallers);
  if (!Array.isArray(parsed)) return null;
  const callers = parsed.filter(
    (caller): caller is SandboxCaller =>
      typeof caller === 'object' &&
      caller !== null &&
      typeof (caller as Record<string, unknown>)['id'] === 'string' &&
      typeof (caller as Record<string, unknown>)['label'] === 'string',
  );
  return callers.length > 0 ? { tokenHref, callers } : null;
}

const anonymous = 'anonymous';
/** Shown when the headers carry an Authorization this picker did not put there, or are not JSON. */
const editedByHand = 'edited';

/** The headers as JSON text with `authorization` as their only Authorization (none when null). */
export function withAuthorization(headers: string, authorization: string | null): string {
  let others: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(headers || '{}');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      others = Object.fromEntries(Object.entries(parsed).filter(([name]) => name.toLowerCase() !== 'authorization'));
    }
  } catch {
    // Not JSON (half-typed): replaced, as GraphiQL could not send it anyway.
  }
  return JSON.stringify(authorization ? { Authorization: authorization, ...others } : others, null, 2);
}

/** Which caller the headers are for: anonymous without Authorization, a caller by the token it was given. */
function callerOf(headers: string, given: Map<string, string>): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(headers || '{}');
  } catch {
    return editedByHand;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return editedByHand;
  const sent = Object.entries(parsed).filter(([name]) => name.toLowerCase() === 'authorization');
  if (sent.length === 0) return anonymous;
  const [[, value]] = sent as [[string, unknown]];
  return (typeof value === 'string' && given.get(value)) || editedByHand;
}

async function signIn(settings: SandboxSignInSettings, caller: string): Promise<string> {
  const url = new URL(settings.tokenHref, document.baseURI);
  url.searchParams.set('as', caller);
  const response = await fetch(url, { method: 'POST', cache: 'no-store', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`the subgraph answered HTTP ${response.status}`);
  const body: unknown = await response.json();
  const authorization = (body as { authorization?: unknown } | null)?.authorization;
  if (typeof authorization !== 'string') throw new Error('the subgraph sent no token');
  return authorization;
}

/** The picker, for GraphiQL's header bar (inside GraphiQL, for its editors). */
export function SandboxSignIn({ settings }: { settings: SandboxSignInSettings }) {
  const { headerEditor } = useEditorContext({ nonNull: true });
  const [headers, setHeaders] = useState('');
  /** The caller being signed in, while its token is on its way. */
  const [pending, setPending] = useState<string | null>(null);
  const [problem, setProblem] = useState('');
  /** Each Authorization value this picker wrote, with its caller: what the headers show is derived from it. */
  const given = useRef(new Map<string, string>());
  /** Only the latest choice is applied when several tokens are on their way. */
  const latest = useRef(0);

  // The editor's text, kept up to date: typing, switching tabs and this picker all change it.
  useEffect(() => {
    if (!headerEditor) return;
    const update = () => setHeaders(headerEditor.getValue());
    update();
    headerEditor.on('change', update);
    return () => headerEditor.off('change', update);
  }, [headerEditor]);

  async function choose(caller: string): Promise<void> {
    const choice = ++latest.current;
    setPending(caller);
    setProblem('');
    try {
      const authorization = caller === anonymous ? null : await signIn(settings, caller);
      if (choice !== latest.current || !headerEditor) return;
      if (authorization) given.current.set(authorization, caller);
      headerEditor.setValue(withAuthorization(headerEditor.getValue(), authorization));
    } catch (error) {
      if (choice === latest.current) setProblem(`Not signed in: ${(error as Error).message}`);
    } finally {
      if (choice === latest.current) setPending(null);
    }
  }

  const shown = pending ?? callerOf(headers, given.current);
  return (
    <div className="sandbox-sign-in">
      <label htmlFor="sandbox-sign-in-caller">Sign in as</label>
      <select
        id="sandbox-sign-in-caller"
        value={shown}
        aria-describedby="sandbox-sign-in-note"
        onChange={(event) => void choose(event.target.value)}
      >
        {shown === editedByHand && (
          <option value={editedByHand} disabled>
            Headers as edited
          </option>
        )}
        {settings.callers.map(({ id, label }) => (
          <option key={id} value={id}>
            {label}
          </option>
        ))}
      </select>
      <span id="sandbox-sign-in-note" className="sandbox-sign-in-note" role="status">
        {problem || 'sandbox tokens, in the Headers tab'}
      </span>
    </div>
  );
}
