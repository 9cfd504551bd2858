'use strict';
// The rig's Link peer, in a process of its own: the abletonlink addon starts a C++ thread it
// never joins, so a process that loaded it aborts at exit ("terminate called without an active
// exception"). This process disables Link and ends itself with SIGKILL instead of exiting.

const { z } = require('zod');
const AbletonLink = require('abletonlink');

const UPDATE_INTERVAL_MS = 20;
const fromRig = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tempo'), bpm: z.number().min(20).max(999) }),
  z.object({ type: z.literal('leave') }),
]);

const link = new AbletonLink(Number(process.argv[2]) || 120, Number(process.argv[3]) || 4, false);
let lastBpm = link.bpm;
// Joining adopts a running session's tempo, as Live does; the rig follows it.
link.enable();
const timer = setInterval(() => {
  link.update();
  if (Math.abs(link.bpm - lastBpm) > 1e-6) {
    lastBpm = link.bpm;
    if (process.connected) process.send({ type: 'tempo', bpm: lastBpm });
  }
}, UPDATE_INTERVAL_MS);

function leave() {
  clearInterval(timer);
  link.disable();
  process.kill(process.pid, 'SIGKILL');
}

process.on('message', (raw) => {
  const parsed = fromRig.safeParse(raw);
  if (!parsed.success) return;
  if (parsed.data.type === 'leave') return leave();
  lastBpm = parsed.data.bpm;
  link.bpm = parsed.data.bpm;
});
process.on('disconnect', leave);
