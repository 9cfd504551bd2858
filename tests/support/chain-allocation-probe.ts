/**
 * Run as its own Node process (`node --import tsx chain-allocation-probe.ts <rate> <channels> [allocate|tap]`):
 * plays the synthetic song's loud chorus through a ProcessingChain with every stage working, in
 * 128-frame blocks, and prints the heap bytes one process() call allocates in steady state.
 * With "tap" the chain feeds a LoudnessBlockMeter, as the device's does (the SIMD kernel in
 * stereo, the portable loop in mono), and the output also reports how many blocks it measured.
 * A process of its own, like a device's, because V8's optimisation of the chain depends on
 * everything else that ran in the process; inside a test worker the reading would depend on
 * which test files shared it. With "allocate" each call also makes a small array, so the test
 * can show the probe sees one.
 */
import { ProcessingChain } from '../../src/dsp/chain';
import { LoudnessBlockMeter } from '../../src/dsp/loudness-blocks';
import { allocatedBytesPerCall } from './allocations';
import { chorusPreset } from './chorus-preset';
import { syntheticSong } from './synthetic-song';

const BLOCK = 128;
const TAP_WARM_UP_BLOCKS = 2000;
const [rate, channelCount, mode] = process.argv.slice(2);
const sampleRate = Number(rate);
const channels = Number(channelCount) === 1 ? 1 : 2;

const preset = chorusPreset();

// Bars 4–7, the loud chorus: the compressor and both limiter stages work on every beat.
const song = syntheticSong({ sampleRate, seconds: 12, channels }).map((c) => c.subarray(8 * sampleRate));
// Views made up front: a view is itself an allocation.
const blocks: Float32Array[][] = [];
for (let offset = 0; offset + BLOCK <= song[0].length; offset += BLOCK) blocks.push(song.map((c) => c.subarray(offset, offset + BLOCK)));
const output = song.map(() => new Float32Array(BLOCK));
let blocksMeasured = 0;
// The device's meter hands each block's energies on; counting them is enough here and allocates nothing.
const tap = mode === 'tap' ? new LoudnessBlockMeter({ sampleRate, channels, onBlock: () => blocksMeasured++ }) : undefined;
const chain = new ProcessingChain({ sampleRate, channels, preset, tap });
const sink: Float64Array[] = [];
let k = 0;
const call = () => {
  chain.process(blocks[k], output, BLOCK);
  k = k + 1 === blocks.length ? 0 : k + 1;
  if (mode === 'allocate') sink[0] = new Float64Array(2);
};
// The meter ends a 100 ms block only every 35-odd calls, so V8 optimises its block-end code
// (the true-peak scan) minutes into a show rather than within the probe's own warm-up; until
// then unoptimised code boxes its doubles. Steady state is what the rest of the show runs.
while (tap && blocksMeasured < TAP_WARM_UP_BLOCKS) call();
const bytes = allocatedBytesPerCall(call);
process.stdout.write(JSON.stringify({ bytes, compressorDb: chain.compressorReduction.takeMaxDb(), limiterDb: chain.limiterReduction.takeMaxDb(), blocksMeasured }));
