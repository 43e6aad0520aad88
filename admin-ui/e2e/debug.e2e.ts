import { it } from 'vitest';
import { EndUser, launchBrowser, logIn, newPage, startServer } from './harness';
it('debug', async () => {
  const server = await startServer({ log: false });
  const browser = await launchBrowser();
  const { page } = await newPage(browser);
  page.on('console', (m) => console.log('console', m.text()));
  page.on('websocket', (ws) => { console.log('ws', ws.url()); ws.on('framereceived', f => console.log('recv', String(f.payload).slice(0, 200))); ws.on('framesent', f => console.log('sent', String(f.payload).slice(0, 200))); });
  page.on('request', (r) => { if (r.url().includes('socket.io')) console.log('req', r.method(), r.url().slice(-60), r.postData()?.slice(0,200)); });
  page.on('response', async (r) => { if (r.url().includes('socket.io')) console.log('res', r.status(), (await r.text().catch(()=>'')).slice(0,200)); });
  await logIn(page, server);
  await new Promise((r) => setTimeout(r, 1500));
  console.log('status', await page.locator('.status').textContent());
  const u = new EndUser(server, 'x@example.com');
  await u.send('hello');
  await new Promise((r) => setTimeout(r, 1500));
  console.log(await page.locator('.cards').innerHTML());
  
  await browser.close(); await server.stop();
});
