/** A Shell path only: a notification's url is data from the server, never a way off-site. */
export function shellPath(url: string): string | null {
  return /^\/app(?:[/?#]|$)/.test(url) && !url.startsWith('//') ? url : null;
}
