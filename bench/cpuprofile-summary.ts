// Summarises a V8 .cpuprofile (node --cpu-prof): top functions by self time, and self time per
// package or project folder, so a load run shows where its CPU goes.
// Run: npx node bench/cpuprofile-summary.ts <file.cpuprofile> [top=25] [function: its callers instead]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

/** One row of the summary: a function or a group, its self time in ms and share of all samples. */
export interface SelfTimeRow {
  readonly name: string;
  readonly selfMs: number;
  readonly percent: number;
}

/** A frame's URL shortened to its package path or project-relative path. */
export function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const m = /\/(agent|simulator|bench|test)\/.*$/.exec(url);
  return m ? m[0].slice(1) : url.replace(/^file:\/\//, '');
}

/** The group a frame's self time counts under: an npm package, a project folder, node internals, or the VM. */
export function groupOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const m = /\/(agent|simulator|bench|test)\/([^/]+)\//.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

/** Self time per function and per group from the profile's samples and time deltas. */
export function summariseProfile(profile: CpuProfile, top = 25): { readonly totalMs: number; readonly functions: SelfTimeRow[]; readonly groups: SelfTimeRow[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    // timeDeltas[i] is the time before sample i; attribute the gap after it to it, as DevTools does.
    const dt = (deltas[i + 1] ?? 0) > 0 ? (deltas[i + 1] as number) : 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const fn = new Map<string, number>();
  const groups = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + us);
    const g = groupOf(url, functionName);
    groups.set(g, (groups.get(g) ?? 0) + us);
  }
  const rows = (m: Map<string, number>): SelfTimeRow[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: Math.round(us / 100) / 10, percent: Math.round((us / totalUs) * 1000) / 10 }));
  return { totalMs: Math.round(totalUs / 1000), functions: rows(fn), groups: rows(groups) };
}

/** Self time of the functions named `name`, split by their call stacks (up to `depth` callers). */
export function callersOf(profile: CpuProfile, name: string, depth = 6, top = 8): SelfTimeRow[] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const stacks = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const dt = (deltas[i + 1] ?? 0) > 0 ? (deltas[i + 1] as number) : 0;
    total += dt;
    const node = byId.get(samples[i] as number);
    if (node?.callFrame.functionName !== name) continue;
    const chain: string[] = [];
    let id = parent.get(node.id);
    while (id !== undefined && chain.length < depth) {
      const p = byId.get(id);
      if (!p) break;
      chain.push(`${p.callFrame.functionName || '(anonymous)'}${p.callFrame.url ? ` ${shortUrl(p.callFrame.url)}:${p.callFrame.lineNumber + 1}` : ''}`);
      id = parent.get(id);
    }
    const key = chain.join(' < ');
    stacks.set(key, (stacks.get(key) ?? 0) + dt);
  }
  return [...stacks.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([stack, us]) => ({ name: stack, selfMs: Math.round(us / 100) / 10, percent: Math.round((us / (total || 1)) * 1000) / 10 }));
}

function table(rows: readonly SelfTimeRow[]): string {
  return rows.map((r) => `${r.percent.toFixed(1).padStart(6)}%  ${r.selfMs.toFixed(1).padStart(9)} ms  ${r.name}`).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, topArg, callers] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: npx node bench/cpuprofile-summary.ts <file.cpuprofile> [top=25] [function name: show its callers]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  if (callers !== undefined) {
    console.log(`Callers of ${callers} (self time by stack):\n${table(callersOf(profile, callers))}`);
    process.exit(0);
  }
  const summary = summariseProfile(profile, Number(topArg ?? 25));
  console.log(`${file}: ${summary.totalMs} ms sampled\n\nTop functions by self time:\n${table(summary.functions)}\n\nSelf time by package / folder:\n${table(summary.groups)}`);
}
