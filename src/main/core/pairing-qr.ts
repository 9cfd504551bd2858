import QRCode from 'qrcode';

/** QR codes of the pairing URL; loaded only in LAN mode, so a loopback start does not pay for them. */
export function pairingQrTerminal(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'terminal', small: true });
}

export function pairingQrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', margin: 2 });
}
