// What a bench prints is also its section of BENCHMARKS.md, a generated file: each bench run that
// ends well replaces its own section with its output, its date, the machine and the commit.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { format } from 'node:util';
import { ROOT } from '../support/env.ts';

const FILE = `${ROOT}BENCHMARKS.md`;
const HEADER = `# Benchmarks

Generated: each \`npm run bench:*\` that ends well replaces its own section with what it printed.
The reasons behind the figures are in README.md ("Measured here"); the figures live only here.
`;

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** `text` as the section `name` of `document`, in place of the old one or at the end. */
export function withSection(document: string, name: string, text: string): string {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const section = `${open}\n${text.trim()}\n${close}`;
  const start = document.indexOf(open);
  const end = document.indexOf(close);
  if (start >= 0 && end > start) return document.slice(0, start) + section + document.slice(end + close.length);
  return `${document.trimEnd()}\n\n${section}\n`;
}

/** Keeps everything the bench prints from now on, and writes it to BENCHMARKS.md if it exits with 0. */
export function reportBench(name: string): void {
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    printed.push(format(...args));
    log(...args);
  };
  const started = new Date().toISOString().slice(0, 16).replace('T', ' ');
  process.on('exit', (code) => {
    if (code !== 0) return;
    const machine = `${availableParallelism()} cores, ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`;
    const text = `## npm run bench:${name}\n\nRun ${started} UTC on ${machine}, commit ${commit()}.\n\n\`\`\`text\n${printed.join('\n').trim()}\n\`\`\``;
    writeFileSync(FILE, withSection(existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER, name, text));
  });
}
