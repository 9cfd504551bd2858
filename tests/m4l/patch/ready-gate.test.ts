import { describe, expect, it } from 'vitest';
import { QUEUE_LIMIT, describeDevice } from '../../../m4l-device/patch/liveblend-device';
import { MessageFlow } from './message-flow';

const strip = 'Param trim(1);\nout1 = in1 * trim;\nout2 = in2 * trim;\nout3 = 0;\nout4 = 0;\n';
const meter = 'Param meter_b0(1);\nout1 = 0; out2 = in1; out3 = in2; out4 = 0; out5 = 0;\n';
const click = 'Param click_on(0);\nout1 = in1 * in2 * click_on;\n';

describe('ready gate', () => {
  it('holds messages for node until ready, then delivers them in order before anything newer', () => {
    const flow = new MessageFlow(describeDevice({ strip, meter, click }));
    flow.send('samplerate-msg', 0, [48000]);
    flow.send('param-trim', 0, [-3.5]);
    flow.send('role-msg', 0, ['click']);
    flow.send('meter-msg', 0, [1, 0.01, 0.02, 0.5, 0.6, 0, 0]);
    expect(flow.toNode).toEqual([]);

    flow.send('from-node', 0, ['ready', 1]);
    expect(flow.toNode).toEqual([
      ['samplerate', 48000],
      ['param', 'trim', -3.5],
      ['role', 'click'],
      ['meter', 1, 0.01, 0.02, 0.5, 0.6, 0, 0],
    ]);

    flow.send('learn-msg', 0, [1]);
    expect(flow.toNode.at(-1)).toEqual(['learn_apply']);
    expect(flow.toNode).toHaveLength(5);
  });

  it('delivers a queue only once even if node says ready again after restarting', () => {
    const flow = new MessageFlow(describeDevice({ strip, meter, click }));
    flow.send('samplerate-msg', 0, [44100]);
    flow.send('from-node', 0, ['ready', 1]);
    flow.send('from-node', 0, ['ready', 1]);
    expect(flow.toNode).toEqual([['samplerate', 44100]]);
  });

  it(`keeps at most ${QUEUE_LIMIT} messages while node is not running, the oldest ones`, () => {
    const flow = new MessageFlow(describeDevice({ strip, meter, click }));
    for (let n = 1; n <= QUEUE_LIMIT + 50; n++) flow.send('meter-msg', 0, [n, 0, 0, 0, 0, 0, 0]);
    flow.send('from-node', 0, ['ready', 1]);
    expect(flow.toNode).toHaveLength(QUEUE_LIMIT);
    expect(flow.toNode[0][1]).toBe(1);
    expect(flow.toNode.at(-1)![1]).toBe(QUEUE_LIMIT);
  });
});
