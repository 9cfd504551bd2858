/** Numbers as the panel prints them: one decimal, a real minus sign, and a dash for "nothing measured". */
export function formatDb(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = Math.abs(value).toFixed(1);
  const sign = value < 0 && text !== '0.0' ? '−' : '';
  return `${sign}${text}${unit ? ` ${unit}` : ''}`;
}

export function formatSigned(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = formatDb(value, unit);
  return value > 0 && text !== `0.0${unit ? ` ${unit}` : ''}` ? `+${text}` : text;
}
