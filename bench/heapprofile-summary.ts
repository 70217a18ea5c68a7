// Summarises a V8 sampling heap profile (bench/alloc-probe.ts): bytes allocated in total and per
// call, by function (self) and by package or project folder, so a load run shows who allocates.
// Run: npx node bench/heapprofile-summary.ts <file.heapprofile> [calls] [top=25]
import { readFileSync } from 'node:fs';
import { groupOf, shortUrl } from './cpuprofile-summary.ts';

interface HeapProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly HeapProfileNode[];
}

/** One row: a function or group, the bytes it allocated and its share of all sampled bytes. */
export interface AllocationRow {
  readonly name: string;
  readonly bytes: number;
  readonly percent: number;
}

/** Bytes allocated per function (self) and per group over the whole sampled tree. */
export function summariseAllocations(root: HeapProfileNode, top = 25): { readonly totalBytes: number; readonly functions: AllocationRow[]; readonly groups: AllocationRow[] } {
  const fn = new Map<string, number>();
  const groups = new Map<string, number>();
  let total = 0;
  const stack: HeapProfileNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as HeapProfileNode;
    stack.push(...node.children);
    if (node.selfSize === 0) continue;
    total += node.selfSize;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + node.selfSize);
    const group = groupOf(url, functionName);
    groups.set(group, (groups.get(group) ?? 0) + node.selfSize);
  }
  const rows = (m: Map<string, number>): AllocationRow[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, bytes]) => ({ name, bytes, percent: Math.round((bytes / (total || 1)) * 1000) / 10 }));
  return { totalBytes: total, functions: rows(fn), groups: rows(groups) };
}

function table(rows: readonly AllocationRow[], calls: number | undefined): string {
  const size = (bytes: number): string => (calls ? `${(bytes / 1024 / calls).toFixed(1).padStart(9)} KiB/call` : `${(bytes / 1024 ** 2).toFixed(1).padStart(9)} MiB`);
  return rows.map((r) => `${r.percent.toFixed(1).padStart(6)}%  ${size(r.bytes)}  ${r.name}`).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, callsArg, topArg] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: npx node bench/heapprofile-summary.ts <file.heapprofile> [calls] [top=25]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapProfileNode };
  const calls = callsArg === undefined ? undefined : Number(callsArg);
  const summary = summariseAllocations(profile.head, Number(topArg ?? 25));
  const total = calls ? `${(summary.totalBytes / 1024 / calls).toFixed(1)} KiB per call over ${calls} calls` : `${(summary.totalBytes / 1024 ** 2).toFixed(1)} MiB`;
  console.log(`${file}: ${total} allocated (sampled)\n\nTop functions by bytes allocated:\n${table(summary.functions, calls)}\n\nBy package / folder:\n${table(summary.groups, calls)}`);
}
