/**
 * The window the device's Docs button opens: docs/device.md laid out as comment boxes in a
 * plain Max patcher, so the guide works offline and travels with the device folder.
 */

const WIDTH = 640;
const CHARS_PER_LINE = 95;
const LINE_HEIGHT = 15;

interface Block {
  text: string;
  heading: boolean;
}

/** Paragraphs, list items and headings of the markdown, with markup that Max cannot show removed. */
function blocks(markdown: string): Block[] {
  return markdown
    .split(/\n\s*\n/)
    .map((raw) => raw.trim())
    .filter((raw) => raw !== '')
    .map((raw) => {
      const heading = raw.startsWith('#');
      const text = raw
        .replace(/^#+\s*/, '')
        .replace(/`([^`]*)`/g, '$1')
        .replace(/\*\*([^*]*)\*\*/g, '$1')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
      return { text, heading };
    });
}

export function guidePatcher(markdown: string): Record<string, unknown> {
  let y = 12;
  const boxes = blocks(markdown).map((block, k) => {
    const lines = block.text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(line.length / CHARS_PER_LINE)), 0);
    const height = lines * LINE_HEIGHT + 6;
    const box = {
      box: {
        id: `guide-${k + 1}`,
        maxclass: 'comment',
        text: block.text,
        linecount: lines,
        fontsize: block.heading ? 14 : 11,
        fontface: block.heading ? 1 : 0,
        numinlets: 1,
        numoutlets: 0,
        patching_rect: [12, y, WIDTH, height],
      },
    };
    y += height + (block.heading ? 4 : 8);
    return box;
  });
  return {
    fileversion: 1,
    appversion: { major: 8, minor: 6, revision: 5, architecture: 'x64', modernui: 1 },
    classnamespace: 'box',
    rect: [100, 100, WIDTH + 40, Math.min(y + 20, 800)],
    default_fontsize: 11,
    default_fontname: 'Arial',
    boxes,
    lines: [],
  };
}
