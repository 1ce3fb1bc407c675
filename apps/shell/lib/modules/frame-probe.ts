/**
 * Will a tool's page show inside our iframe? Browsers refuse to frame a page whose response
 * says so (CSP `frame-ancestors`, which wins, or `X-Frame-Options`), and show nothing useful
 * when the tool is down. The Shell asks once, from its server, so <ModuleEmbed> can show a clear
 * fallback instead of an empty box. Server-only.
 */

export type FrameVerdict =
  { state: 'ok' } | { state: 'refused'; reason: string } | { state: 'unreachable'; reason: string };

function sourceMatches(source: string, origin: URL, shellOrigin: URL, toolOrigin: URL): boolean {
  const s = source.toLowerCase();
  if (s === '*') return true;
  if (s === "'self'") return shellOrigin.origin === toolOrigin.origin;
  if (s === "'none'") return false;
  if (/^[a-z][a-z0-9+.-]*:$/.test(s)) return origin.protocol === s;
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*\.)?([^/:]+)(?::(\d+|\*))?\/?$/.exec(s);
  if (!m) return false;
  const [, scheme, wildcard, host, port] = m;
  if (scheme && `${scheme}:` !== origin.protocol) return false;
  const hostOk = wildcard ? origin.hostname.endsWith(`.${host}`) : origin.hostname === host;
  if (!hostOk) return false;
  if (port === '*') return true;
  const defaultPort = origin.protocol === 'https:' ? '443' : '80';
  return (port ?? defaultPort) === (origin.port || defaultPort);
}

/** What a response's headers say about being framed by the Shell's origin. */
export function frameVerdict(headers: Headers, toolUrl: string, shellUrl: string): FrameVerdict {
  const tool = new URL(toolUrl);
  const shell = new URL(shellUrl);
  const csp = headers.get('content-security-policy');
  if (csp) {
    for (const policy of csp.split(',')) {
      const directive = policy
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.toLowerCase().startsWith('frame-ancestors'));
      if (!directive) continue;
      const sources = directive.split(/\s+/).slice(1);
      if (!sources.some((s) => sourceMatches(s, shell, shell, tool)))
        return {
          state: 'refused',
          reason: 'Its Content-Security-Policy (frame-ancestors) does not allow this site.',
        };
    }
    if (/frame-ancestors/i.test(csp)) return { state: 'ok' };
  }
  const xfo = headers.get('x-frame-options')?.trim().toLowerCase();
  if (xfo === 'deny') return { state: 'refused', reason: 'It sends X-Frame-Options: DENY.' };
  if (xfo === 'sameorigin' && tool.origin !== shell.origin)
    return { state: 'refused', reason: 'It sends X-Frame-Options: SAMEORIGIN.' };
  return { state: 'ok' };
}

/** Fetches the page once (3 s) and says whether it can be framed. */
export async function probeFrame(
  toolUrl: string,
  shellUrl: string,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<FrameVerdict> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(toolUrl, {
      method: 'GET',
      redirect: 'follow',
      cache: 'no-store',
      signal: AbortSignal.timeout(options.timeoutMs ?? 3_000),
    });
  } catch {
    return { state: 'unreachable', reason: 'It did not answer.' };
  }
  await response.body?.cancel().catch(() => {});
  if (response.status >= 500)
    return { state: 'unreachable', reason: `It answered HTTP ${response.status}.` };
  return frameVerdict(response.headers, response.url || toolUrl, shellUrl);
}
