/**
 * Whether a state-changing request (a form POST) comes from one of our own pages: the browser's
 * `Origin` must be the Shell's public origin or the origin of the host it asked; without
 * `Origin`, `Sec-Fetch-Site` must say same-origin. Cross-site posts can set neither.
 */
export function isSameOriginRequest(headers: Headers, publicUrl: string): boolean {
  const origin = headers.get('origin');
  if (origin && origin !== 'null') {
    if (origin === new URL(publicUrl).origin) return true;
    const host = headers.get('host');
    try {
      return host !== null && new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  return headers.get('sec-fetch-site') === 'same-origin';
}
