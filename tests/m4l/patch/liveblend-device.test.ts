import { describe, expect, it } from 'vitest';
import { genIo, jsIo } from '../../../m4l-device/patch/code-io';
import { describeDevice } from '../../../m4l-device/patch/liveblend-device';

const strip = 'Param trim(1);\nout1 = in1 * trim;\nout2 = in2 * trim;\nout3 = 0;\nout4 = 0;\n';
const meter = 'Param meter_b0(1);\nout1 = 0; out2 = in1; out3 = in2; out4 = 0; out5 = 0;\n';
const click = 'Param click_on(0);\nout1 = in1 * in2 * click_on;\n';

describe('reading kernels and scripts', () => {
  it('counts in/out and Params from GenExpr code, ignoring comments', () => {
    const code = '// out9 and in7 in a comment\n/* Param ghost(0); out8 */\nParam gain(1);\nParam  ceiling (0.9);\nout1 = in1 * gain;\nout3 = in2;\n';
    expect(genIo(code)).toEqual({ ins: 2, outs: 3, params: ['gain', 'ceiling'] });
  });

  it('reads [js] inlets/outlets, with Max defaults of one each', () => {
    expect(jsIo('inlets = 2;\noutlets = 3;\nfunction bang() {}\n')).toEqual({ inlets: 2, outlets: 3 });
    expect(jsIo('// outlets = 4;\nfunction bang() {}\n')).toEqual({ inlets: 1, outlets: 1 });
  });
});

describe('describeDevice', () => {
  it('routes each gen Param to the kernel that declares it', () => {
    const spec = describeDevice({ strip, meter, click });
    expect(spec.boxes.find((b) => b.id === 'gen-strip')?.text).toBe('routepass trim');
    expect(spec.boxes.find((b) => b.id === 'gen-meter')?.text).toBe('routepass meter_b0');
    expect(spec.boxes.find((b) => b.id === 'gen-click')?.text).toBe('routepass click_on');
  });

  it('refuses kernels that cannot fill the 7-value meter message', () => {
    expect(() => describeDevice({ strip, meter: `${meter}out6 = 0;\n`, click })).toThrow(
      'the meter message needs 7 values (MESSAGES.md) but meter.genexpr has 6 outputs and strip.genexpr 2 beyond its audio pair (8)',
    );
  });

  it('refuses a mono strip and a Param declared by both kernels', () => {
    expect(() => describeDevice({ strip: 'out1 = in1;', meter, click })).toThrow(/the strip needs stereo in \(in1, in2\) and stereo out/);
    expect(() => describeDevice({ strip, meter: `Param trim(1);\n${meter}`, click })).toThrow('Params trim are declared by more than one kernel');
    expect(() => describeDevice({ strip, meter, click: `Param meter_b0(1);\n${click}` })).toThrow('Params meter_b0 are declared by more than one kernel');
  });

  it('refuses a click kernel that is not beat phase and position in, one click out', () => {
    expect(() => describeDevice({ strip, meter, click: 'out1 = in1;\nout2 = in1;' })).toThrow(/click\.genexpr uses in1\.\.in1 and out1\.\.out2: the click reads the beat phase and position/);
  });
});
