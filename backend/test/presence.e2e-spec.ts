import type { AgentPresenceEvent, AvailabilityEvent, SupportChat } from '../src/contracts/wire';
import { addAgent } from './support/agents';
import { ensureFreshBuild, testServer, type ServerProcess } from './support/instances';
import { emitAck, nextEvent, PG, record, startTestApp, type TestApp, type TestSocket } from './support/test-app';


/** Who is at their desk: presence across tabs and instances, and what users are told. */
describe('agent presence (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
  });
  afterAll(() => t.close());

  const newAgent = (name: string) => addAgent(t, admin, name);
  async function watcher(): Promise<TestSocket> {
    const socket = await t.connect(admin);
    expect(await emitAck(socket, 'subscribe_admin', {})).toEqual({ ok: true });
    return socket;
  }
  const presenceOf = (socket: TestSocket, agentId: string, status: string, ms = 5000) =>
    nextEvent<AgentPresenceEvent>(socket, 'agent_presence', (e) => e.agent_id === agentId && e.status === status, ms);

  // First, while no console is connected yet.
  it('tells users whether the team is available, never who', async () => {
    const token = t.userToken();
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    const user = await t.connect(token);
    const first = nextEvent<AvailabilityEvent>(user, 'availability');
    expect(await emitAck(user, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    expect(await first).toEqual({ type: 'availability', status: 'offline' });
    const cleo = await newAgent('Cleo');
    const online = nextEvent<AvailabilityEvent>(user, 'availability');
    const cleoSocket = await t.connect(cleo.token);
    expect(await online).toEqual({ type: 'availability', status: 'online' });
    const away = nextEvent<AvailabilityEvent>(user, 'availability');
    expect(await emitAck(cleoSocket, 'set_presence', { status: 'away' })).toMatchObject({ ok: true });
    expect(await away).toEqual({ type: 'availability', status: 'away' });
    const offline = nextEvent<AvailabilityEvent>(user, 'availability');
    cleoSocket.disconnect();
    expect(await offline).toEqual({ type: 'availability', status: 'offline' });
  });

  it('is online while any tab is open, away by choice, offline when the last tab closes', async () => {
    const console = await watcher();
    const ana = await newAgent('Ana');
    const online = presenceOf(console, ana.id, 'online');
    const tab1 = await t.connect(ana.token);
    expect(await online).toEqual({ type: 'agent_presence', agent_id: ana.id, name: 'Ana', status: 'online' });
    const listed = (await t.http('/api/admin/presence', { token: admin })).body as { agent_id: string; status: string }[];
    expect(listed.find((p) => p.agent_id === ana.id)?.status).toBe('online');

    const seen = record<AgentPresenceEvent>(console, 'agent_presence');
    const tab2 = await t.connect(ana.token);
    tab1.disconnect();
    // Positive control: the away switch, after the tab closed, is heard; no offline came before it.
    const away = presenceOf(console, ana.id, 'away');
    expect(await emitAck(tab2, 'set_presence', { status: 'away' })).toEqual({ ok: true, status: 'away' });
    await away;
    expect(seen.filter((e) => e.agent_id === ana.id).map((e) => e.status)).toEqual(['away']);
    const back = presenceOf(console, ana.id, 'online');
    expect(await emitAck(tab2, 'set_presence', { status: 'online' })).toEqual({ ok: true, status: 'online' });
    await back;
    const offline = presenceOf(console, ana.id, 'offline');
    tab2.disconnect();
    await offline;
  });

  it('refuses a bad status and a user changing presence', async () => {
    const ben = await newAgent('Ben');
    const socket = await t.connect(ben.token);
    expect(await emitAck(socket, 'set_presence', { status: 'busy' })).toEqual({ ok: false, error: 'invalid_content' });
    const user = await t.connect(t.userToken());
    expect(await emitAck(user, 'set_presence', { status: 'away' })).toEqual({ ok: false, error: 'forbidden' });
    socket.disconnect();
  });

  describe('when an instance dies', () => {
    let other: ServerProcess;
    beforeAll(async () => {
      ensureFreshBuild();
      other = await testServer.startServer({ database: t.database, env: { REDIS_PREFIX: t.config.redisPrefix, DATABASE_URL: `${PG}/${t.database}` } });
    }, 120_000);
    afterAll(() => other?.stop());

    it('takes its agents offline within 30 s, found by the other instances', async () => {
      const console = await watcher();
      const dana = await newAgent('Dana');
      const online = presenceOf(console, dana.id, 'online');
      const { io } = await import('socket.io-client');
      const remote = io(`${other.url}/support`, { auth: { token: dana.token }, transports: ['websocket'], reconnection: false, forceNew: true });
      await online;
      // The default heartbeat is 5 s and a connection lapses after three missed beats.
      const offline = presenceOf(console, dana.id, 'offline', 30_000);
      await other.kill('SIGKILL');
      expect(await offline).toMatchObject({ status: 'offline' });
      remote.close();
    }, 60_000);
  });
});
