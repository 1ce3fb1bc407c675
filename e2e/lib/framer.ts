import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';

import { freePort } from './processes.ts';

/**
 * A page from another origin that frames a URL (`/?src=<url>`): to show which of the Shell's
 * pages other sites can and can't frame.
 */
export interface Framer {
  origin: string;
  /** Open the framing page in `page`; true when the frame shows the Shell's page. */
  frames(page: Page, src: string): Promise<boolean>;
  close(): Promise<void>;
}

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export async function startFramer(host: 'localhost' | '127.0.0.1'): Promise<Framer> {
  const port = await freePort();
  const server: Server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>framer</title><iframe src="${escape(src)}" width="800" height="600"></iframe>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const origin = `http://${host}:${port}`;
  return {
    origin,
    async frames(page, src) {
      await page.goto(`${origin}/?src=${encodeURIComponent(src)}`);
      const frame = await (await page.locator('iframe').elementHandle())?.contentFrame();
      if (!frame) throw new Error('the framing page has no frame');
      await frame.waitForLoadState('load');
      // A refused frame holds the browser's error page: neither the Shell's URL nor its title.
      const title = await frame.title().catch(() => '');
      return frame.url().startsWith(new URL(src).origin) && /Axis Afenda/.test(title);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
