/**
 * BS.1770 channel weights G_i by layout. LFE is excluded (weight 0); surrounds get +1.5 dB
 * (×1.41). Channel order follows WAVE/SMPTE: L R C LFE Ls Rs for 5.1, L R C Ls Rs for 5.0.
 */
const SURROUND = 1.41;

export type ChannelLayout = 'mono' | 'stereo' | '5.0' | '5.1' | 'other';

export function layoutForChannelCount(channels: number): ChannelLayout {
  switch (channels) {
    case 1:
      return 'mono';
    case 2:
      return 'stereo';
    case 5:
      return '5.0';
    case 6:
      return '5.1';
    default:
      return 'other';
  }
}

export function channelWeights(channels: number, layout: ChannelLayout = layoutForChannelCount(channels)): Float64Array {
  if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
    throw new RangeError(`channel weights: ${channels} channels is outside 1–64`);
  }
  const weights = new Float64Array(channels).fill(1);
  if (layout === '5.0' && channels === 5) {
    weights[3] = SURROUND;
    weights[4] = SURROUND;
  } else if (layout === '5.1' && channels === 6) {
    weights[3] = 0;
    weights[4] = SURROUND;
    weights[5] = SURROUND;
  }
  return weights;
}
