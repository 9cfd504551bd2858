/**
 * The 80-bit IEEE 754 extended-precision number AIFF uses for its sample rate: a sign bit, a
 * 15-bit exponent biased by 16383, and a 64-bit mantissa with an explicit integer bit.
 */

const EXPONENT_BIAS = 16383;

export function readExtended(view: DataView, offset: number): number {
  const signAndExponent = view.getUint16(offset);
  const mantissaHigh = view.getUint32(offset + 2);
  const mantissaLow = view.getUint32(offset + 6);
  const exponent = signAndExponent & 0x7fff;
  if (exponent === 0x7fff) return NaN; // infinities and NaNs are never a valid sample rate
  const magnitude = (mantissaHigh * 2 ** 32 + mantissaLow) * 2 ** (exponent - EXPONENT_BIAS - 63);
  return signAndExponent & 0x8000 ? -magnitude : magnitude;
}

/** Writes a positive finite number (a sample rate) exactly, as long as it fits in a double. */
export function writeExtended(view: DataView, offset: number, value: number): void {
  if (value === 0) {
    for (let i = 0; i < 10; i++) view.setUint8(offset + i, 0);
    return;
  }
  let exponent = Math.floor(Math.log2(value));
  // log2 may round across a power of two; nudge so the mantissa lands in [1, 2).
  if (value / 2 ** exponent >= 2) exponent++;
  if (value / 2 ** exponent < 1) exponent--;
  const scaled = (value / 2 ** exponent) * 2 ** 31; // integer bit at bit 31 of the high word
  const mantissaHigh = Math.floor(scaled);
  view.setUint16(offset, exponent + EXPONENT_BIAS);
  view.setUint32(offset + 2, mantissaHigh);
  view.setUint32(offset + 6, Math.floor((scaled - mantissaHigh) * 2 ** 32));
}
