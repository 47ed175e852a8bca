import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pages = ['README.md', 'CHANGELOG.md', 'CONTRIBUTING.md', ...markdownUnder('docs')];

function markdownUnder(folder: string): string[] {
  const dir = join(root, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'api' ? [] : markdownUnder(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** Relative targets of Markdown links and images, without their #fragment; code blocks skipped. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const targets = [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
  return targets.filter((t) => !/^[a-z]+:/i.test(t) && !t.startsWith('#')).map((t) => decodeURI(t.split('#')[0]));
}

describe('the documentation', () => {
  it('README.md is at most 15 KB and shows the library example the package check runs', () => {
    expect(statSync(join(root, 'README.md')).size).toBeLessThanOrEqual(15_000);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toMatch(/<!-- library-example -->\s*```ts\n/);
  });

  it.each(pages)('every relative link in %s resolves to a file in the repository', (page) => {
    const markdown = readFileSync(join(root, page), 'utf8');
    const missing = relativeLinks(markdown).filter((target) => !existsSync(resolve(root, dirname(page), target)));
    expect(missing).toEqual([]);
  });
});
