import { launchChromium } from './lib/chromium.ts';
import { startProduct } from './lib/product.ts';
const product = await startProduct({ skipBuild: true });
const browser = await launchChromium();
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('console', (m) => console.log('console:', m.type(), m.text().slice(0, 300)));
  page.on('websocket', (ws) => {
    console.log('ws open', ws.url().slice(0, 120));
    ws.on('framereceived', (f) => console.log('ws <', String(f.payload).slice(0, 200)));
    ws.on('framesent', (f) => console.log('ws >', String(f.payload).slice(0, 200)));
    ws.on('close', () => console.log('ws closed'));
    ws.on('socketerror', (e) => console.log('ws error', e));
  });
  await page.goto(`${product.shellUrl}/app/whiteboard`);
  await page.fill('#username', 'alice');
  await page.fill('#password', 'demo-alice');
  await page.click('button[type=submit]');
  await page.waitForURL(`${product.shellUrl}/app/whiteboard`);
  await page.getByLabel('Title of the new board').fill('Debug');
  await page.getByRole('button', { name: 'New board' }).click();
  await page.waitForURL(/\/app\/whiteboard\/[0-9a-f-]{36}$/);
  await page.waitForTimeout(6000);
  await page.screenshot({ path: '/tmp/wb-debug.png' });
  console.log(product.orchestrator.output.filter((l) => /sync|ticket|whiteboard|error|warn/i.test(l)).map((l) => l.slice(0, 400)).join('\n'));
} finally {
  await browser.close();
  await product.stop();
}
