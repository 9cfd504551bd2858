import { describe, expect, it } from 'vitest';
import { PRESET_DIALS, describeDevice } from '../../../m4l-device/patch/liveblend-device';
import { CoreHarness } from '../device/harness';
import { MessageFlow } from './message-flow';

const strip = 'Param trim(1);\nout1 = in1 * trim;\nout2 = in2 * trim;\nout3 = 0;\nout4 = 0;\n';
const meter = 'Param meter_b0(1);\nout1 = 0; out2 = in1; out3 = in2; out4 = 0; out5 = 0;\n';
const click = 'Param click_on(0);\nout1 = in1 * in2 * click_on;\n';

/** A patch whose node has said ready, so anything the dials send goes straight to node. */
function readyPatch(): MessageFlow {
  const flow = new MessageFlow(describeDevice({ strip, meter, click }));
  flow.send('from-node', 0, ['ready', 1]);
  return flow;
}

describe('the preset dials show what node recalls', () => {
  it("sets every dial from node's `ui <key> <value>` without sending anything back to node", () => {
    const flow = readyPatch();
    PRESET_DIALS.forEach((param, k) => flow.send('from-node', 0, ['ui', param.key, -1 - k]));
    expect(PRESET_DIALS.map((param) => flow.shown(`dial-${param.key}`))).toEqual([-1, -2, -3, -4, -5, -6, -7]);
    expect(flow.toNode).toEqual([]);
  });

  it('a recall of the device core lands on all seven dials, and only a user turning one reaches node', () => {
    const h = new CoreHarness().sceneSet();
    h.core.setPreset('hold on', JSON.stringify({ version: 1, trimDb: -3, eq: [{ gainDb: 1 }, { gainDb: 2 }, { gainDb: -2 }, { gainDb: 4 }, { gainDb: -1 }], limiter: { ceilingDbtp: -2 } }));
    const from = h.mark;
    h.launch(1);
    const flow = readyPatch();
    for (const message of h.outlets.slice(from)) {
      if (message[0] === 'ui' && PRESET_DIALS.some((param) => param.key === message[1])) flow.send('from-node', 0, message);
    }
    expect(Object.fromEntries(PRESET_DIALS.map((param) => [param.key, flow.shown(`dial-${param.key}`)]))).toEqual({
      trim: -3,
      eq1_gain: 1,
      eq2_gain: 2,
      eq3_gain: -2,
      eq4_gain: 4,
      eq5_gain: -1,
      ceiling: -2,
    });
    expect(flow.toNode).toEqual([]);

    flow.send('dial-eq2_gain', 0, [5]);
    expect(flow.toNode).toEqual([['param', 'eq2_gain', 5]]);
  });
});
