// A flooding client in a process of its own, as an attacker's machine would be: it emits every
// message at once on one socket and reports how each was answered. Run by hostile-floods; its
// own CPU must not be charged to the other users' relay times the test measures.
//
//   node flooder.mjs <server url> <user token> <chat id> <count> [websocket|polling]
//
// Prints one JSON line, {outcomes, admitted}, once every message is answered (or after 90 s).
import { io } from 'socket.io-client';

const [url, token, chatId, countText, transport = 'websocket'] = process.argv.slice(2);
const count = Number(countText);
const socket = io(`${url}/support`, { auth: { token }, transports: [transport], reconnection: false });
await new Promise((resolve, reject) => {
  socket.once('connect', resolve);
  socket.once('connect_error', reject);
});
const outcomes = {};
const admitted = [];
let answered = 0;
const done = new Promise((resolve) => {
  for (let n = 0; n < count; n++) {
    const client_id = `flood-${n}`;
    socket.emit('send_message', { chat_id: chatId, content: `flood ${client_id}`, client_id }, (ack) => {
      const key = ack.ok ? 'ok' : ack.error;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (ack.ok) admitted.push(client_id);
      if (++answered === count) resolve();
    });
  }
  // Tell the test the burst is on the wire, so it samples while the server works through it.
  process.stdout.write(`${JSON.stringify({ sent: count })}\n`);
});
const deadline = setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ outcomes, admitted, connected: socket.connected, timedOut: true })}\n`);
  process.exit(1);
}, 90_000);
await done;
clearTimeout(deadline);
process.stdout.write(`${JSON.stringify({ outcomes, admitted, connected: socket.connected })}\n`);
socket.disconnect();
