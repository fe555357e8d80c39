/**
 * The small slice of Markdown the docs tests need: which files are pages, their fenced code blocks, their
 * links, and the anchors their headings make (GitHub's slug rules).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');

/**
 * README.md, each package's README.md (the page npm shows) and every .md under docs/ (the generated API reference
 * holds no Markdown, but is skipped anyway).
 */
export function markdownPages(): string[] {
  const pages = [join(repoRoot, 'README.md')];
  for (const pkg of readdirSync(join(repoRoot, 'packages'))) {
    const readme = join(repoRoot, 'packages', pkg, 'README.md');
    if (existsSync(readme)) pages.push(readme);
  }
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'api' && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(path);
      } else if (entry.name.endsWith('.md')) pages.push(path);
    }
  };
  walk(join(repoRoot, 'docs'));
  return pages.sort();
}

/** The page's path from the repository root, for messages. */
export function pageName(path: string): string {
  return relative(repoRoot, path);
}

export interface CodeBlock {
  /** The info string's first word: `ts`, `text`, `sh`... */
  readonly lang: string;
  /** The rest of the info string, split on spaces: markers such as `no-run` or `output`. */
  readonly markers: readonly string[];
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** 1-based line of the closing fence. */
  readonly endLine: number;
}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/;

/** Fenced code blocks in order. An unclosed fence runs to the end of the page, as CommonMark says. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const t = lines[j].trim();
      if (t.startsWith(fence[0].repeat(fence.length)) && /^(`+|~+)$/.test(t)) break;
      body.push(lines[j]);
    }
    blocks.push({
      lang: open[3].toLowerCase(),
      markers: open[4].split(/\s+/).filter(Boolean),
      code: body.join('\n'),
      line: i + 1,
      endLine: j + 1,
    });
    i = j;
  }
  return blocks;
}

/** The page with the contents of its code blocks and inline code spans blanked out (so their text is not read as links). */
export function proseOnly(markdown: string): string {
  const lines = markdown.split('\n');
  for (const b of codeBlocks(markdown)) for (let k = b.line; k < b.endLine - 1; k++) lines[k] = '';
  return lines.map((l) => l.replace(/`[^`]*`/g, (m) => ' '.repeat(m.length))).join('\n');
}

export interface Link {
  readonly target: string;
  readonly line: number;
}

/** Inline links and images `[text](target)` and reference definitions `[id]: target`, outside code. */
export function links(markdown: string): Link[] {
  const out: Link[] = [];
  proseOnly(markdown)
    .split('\n')
    .forEach((text, i) => {
      for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1], line: i + 1 });
      const def = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(text);
      if (def) out.push({ target: def[1], line: i + 1 });
      for (const m of text.matchAll(/<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g)) out.push({ target: m[1], line: i + 1 });
    });
  return out;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered -1, -2... */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of proseOnlyKeepingCode(markdown).split('\n')) {
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = h[1]
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]);
  return out;
}

/** Headings keep their inline code (GitHub slugs its text), but lines inside code blocks are not headings. */
function proseOnlyKeepingCode(markdown: string): string {
  const lines = markdown.split('\n');
  for (const b of codeBlocks(markdown)) for (let k = b.line - 1; k < b.endLine; k++) lines[k] = '';
  return lines.join('\n');
}

export function readPage(path: string): string {
  return readFileSync(path, 'utf8');
}
