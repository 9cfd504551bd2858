import type { LoudnessResult } from './loudness-log';

/**
 * The loudness log leaves the laptop in two forms: CSV for a spreadsheet, and a one-page HTML
 * report FOH can print or open on a phone — self-contained (no scripts, fonts or images from
 * anywhere), every piece of text escaped, and a bar per song showing how far it landed from the
 * target.
 */

const COLUMNS: readonly [string, (r: LoudnessResult) => string | number | null][] = [
  ['time', (r) => r.at],
  ['show', (r) => r.show],
  ['venue', (r) => r.venue],
  ['song key', (r) => r.songKey],
  ['song', (r) => r.songName],
  ['slot', (r) => r.slot],
  ['integrated LUFS', (r) => r.integrated],
  ['LRA LU', (r) => r.lra],
  ['max true peak dBTP', (r) => r.maxTruePeak],
  ['max short-term LUFS', (r) => r.maxShortTerm],
  ['target LUFS', (r) => r.targetLufs],
  ['tolerance LU', (r) => r.toleranceLu],
  ['trim dB', (r) => r.trimDb],
  ['deviation LU', (r) => r.deviationLu],
];

/** RFC 4180: a field with a comma, a double quote or a line break is quoted, and its quotes doubled. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One header line and one line per result, CRLF line endings as RFC 4180 asks. */
export function toCsv(results: readonly LoudnessResult[]): string {
  const lines = [COLUMNS.map(([name]) => csvField(name)), ...results.map((r) => COLUMNS.map(([, get]) => csvField(get(r))))];
  return lines.map((fields) => `${fields.join(',')}\r\n`).join('');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

function fixed(value: number | null, digits = 1): string {
  if (value === null) return '—';
  const text = value.toFixed(digits);
  return value > 0 ? `+${text}` : text.replace('-', '−');
}

function plain(value: number | null, digits = 1): string {
  return value === null ? '—' : value.toFixed(digits).replace('-', '−');
}

export interface HtmlReportOptions {
  title: string;
  /** A line under the title: venue, date, who ran it. */
  subtitle?: string;
  results: readonly LoudnessResult[];
}

const BAR_ROW = 22;
const LABEL_WIDTH = 200;
const CHART_WIDTH = 640;
const MIN_SCALE_LU = 3;
const VALUE_ROOM = 40;

/** A horizontal bar per song from 0 LU (on target), the tolerance band shaded; longer bars mean further off. */
function deviationChart(results: readonly LoudnessResult[]): string {
  const measured = results.filter((r) => r.deviationLu !== null);
  const tolerance = Math.max(0, ...results.map((r) => r.toleranceLu));
  const scale = Math.max(MIN_SCALE_LU, tolerance, ...measured.map((r) => Math.abs(r.deviationLu!)));
  // Room on both sides of the plot for the value printed past the end of the longest bars.
  const plotWidth = CHART_WIDTH - LABEL_WIDTH - 2 * VALUE_ROOM;
  const zero = LABEL_WIDTH + VALUE_ROOM + plotWidth / 2;
  const x = (lu: number) => zero + (lu / scale) * (plotWidth / 2);
  const height = BAR_ROW * results.length + 30;
  const rows = results.map((r, i) => {
    const y = 10 + i * BAR_ROW;
    const label = `<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(r.songName)}</text>`;
    if (r.deviationLu === null) return `${label}<text x="${zero + 6}" y="${y + 15}" class="none">not measured</text>`;
    const left = Math.min(x(0), x(r.deviationLu));
    const width = Math.max(1, Math.abs(x(r.deviationLu) - x(0)));
    const kind = r.withinTolerance ? 'ok' : r.deviationLu > 0 ? 'loud' : 'quiet';
    const valueX = r.deviationLu >= 0 ? left + width + 4 : left - 4;
    const anchor = r.deviationLu >= 0 ? 'start' : 'end';
    return `${label}<rect class="${kind}" x="${left.toFixed(1)}" y="${y + 3}" width="${width.toFixed(1)}" height="${BAR_ROW - 6}"><title>${escapeHtml(r.songName)}: ${fixed(r.deviationLu)} LU</title></rect><text x="${valueX.toFixed(1)}" y="${y + 15}" text-anchor="${anchor}">${fixed(r.deviationLu)}</text>`;
  });
  const band = tolerance > 0 ? `<rect class="band" x="${x(-tolerance).toFixed(1)}" y="4" width="${(x(tolerance) - x(-tolerance)).toFixed(1)}" height="${height - 24}"/>` : '';
  const axis = `<line x1="${zero}" y1="4" x2="${zero}" y2="${height - 20}" class="axis"/><text x="${x(-scale).toFixed(1)}" y="${height - 4}">${fixed(-scale)} LU</text><text x="${zero}" y="${height - 4}" text-anchor="middle">target</text><text x="${x(scale).toFixed(1)}" y="${height - 4}" text-anchor="end">${fixed(scale)} LU</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Deviation from target per song" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}">${band}${axis}${rows.join('')}</svg>`;
}

const STYLE = `
body { font: 13px/1.4 system-ui, sans-serif; color: #111; margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; }
p.sub { margin: 0 0 16px; color: #444; }
table { border-collapse: collapse; width: 100%; margin-top: 16px; }
th, td { border-bottom: 1px solid #ccc; padding: 4px 6px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
td.off { font-weight: 600; color: #a00; }
svg text { font: 11px system-ui, sans-serif; fill: #111; }
svg .none { fill: #777; font-style: italic; }
svg .axis { stroke: #111; stroke-width: 1; }
svg .band { fill: #e3f1e3; }
svg .ok { fill: #2e7d32; }
svg .loud { fill: #c62828; }
svg .quiet { fill: #1565c0; }
@media print {
  body { margin: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  tr, svg { break-inside: avoid; }
  @page { margin: 12mm; }
}`;

/** A printable, self-contained HTML page: the chart of deviation from target, then the table. */
export function toHtmlReport({ title, subtitle, results }: HtmlReportOptions): string {
  const rows = results.map(
    (r) =>
      `<tr><td>${escapeHtml(r.songName)}</td><td>${escapeHtml(r.slot)}</td><td>${plain(r.integrated)}</td><td>${plain(r.targetLufs)}</td><td class="${r.withinTolerance === false ? 'off' : ''}">${fixed(r.deviationLu)}</td><td>${plain(r.lra)}</td><td>${plain(r.maxTruePeak)}</td><td>${plain(r.maxShortTerm)}</td><td>${fixed(r.trimDb)}</td><td>${escapeHtml(r.at.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC'))}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${subtitle ? `<p class="sub">${escapeHtml(subtitle)}</p>` : ''}
${results.length ? deviationChart(results) : '<p>No songs logged.</p>'}
<table>
<thead><tr><th>Song</th><th>Slot</th><th>Integrated LUFS</th><th>Target LUFS</th><th>Deviation LU</th><th>LRA LU</th><th>Max true peak dBTP</th><th>Max short-term LUFS</th><th>Trim dB</th><th>Played</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}
