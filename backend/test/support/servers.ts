import { testServer, type ServerProcess } from './instances';

type Options = Parameters<typeof testServer.startServer>[0];

/**
 * Starts built servers one after another (two starting at once on a busy two-core machine can
 * miss the start-up deadline), and stops those already started if a later one fails, so a
 * failed beforeAll leaves no process behind.
 */
export async function startServers(options: Options[]): Promise<ServerProcess[]> {
  const started: ServerProcess[] = [];
  try {
    for (const o of options) started.push(await testServer.startServer(o));
    return started;
  } catch (err) {
    await Promise.all(started.map((s) => s.kill('SIGKILL')));
    throw err;
  }
}
