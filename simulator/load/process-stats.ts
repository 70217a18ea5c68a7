import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory and CPU time of one or more processes at one instant. */
export interface ProcessReading {
  readonly rssBytes: number;
  /** User + system CPU time, ms. */
  readonly cpuMs: number;
  /** The pids summed. */
  readonly pids: readonly number[];
}

/** Reads process figures; injected so the load runner can be tested without /proc. */
export interface ProcessProbe {
  /** This process (the kit, and an embedded agent with it). */
  self(): ProcessReading;
  /**
   * The agent started as process group `pgid` (a spawned agent: the shell and what it runs); only
   * the group's leaf processes count, so a wrapper (`sh -c`, `npx`) does not add its own memory.
   * Undefined when the figures cannot be read (no /proc, the group is gone).
   */
  group(pgid: number): ProcessReading | undefined;
}

/** Linux reports /proc CPU times in USER_HZ ticks, fixed at 100 per second for user space. */
const TICK_MS = 10;

/** `VmRSS` of a /proc/<pid>/status text, bytes; undefined when absent (a zombie). */
export function parseVmRss(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** ppid, pgrp and utime+stime (ms) of a /proc/<pid>/stat text. */
export function parseStat(stat: string): { readonly ppid: number; readonly pgrp: number; readonly cpuMs: number } | undefined {
  // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = stat.slice(close + 2).split(' ');
  // Fields from 3 on: state(3) ppid(4) pgrp(5) … utime(14) stime(15).
  const ppid = Number(f[1]);
  const pgrp = Number(f[2]);
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  if (![ppid, pgrp, utime, stime].every(Number.isFinite)) return undefined;
  return { ppid, pgrp, cpuMs: (utime + stime) * TICK_MS };
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The {@link ProcessProbe} of this machine: `process.*` for itself, /proc for agent processes (Linux). */
export function createProcessProbe(): ProcessProbe {
  return {
    self() {
      const cpu = process.cpuUsage();
      return { rssBytes: process.memoryUsage.rss(), cpuMs: (cpu.user + cpu.system) / 1000, pids: [process.pid] };
    },
    group(pgid) {
      let entries: string[];
      try {
        entries = readdirSync('/proc');
      } catch {
        return undefined;
      }
      const members = new Map<number, { ppid: number; cpuMs: number }>();
      for (const name of entries) {
        if (!/^\d+$/.test(name)) continue;
        const stat = read(`/proc/${name}/stat`);
        const parsed = stat === undefined ? undefined : parseStat(stat);
        if (parsed !== undefined && parsed.pgrp === pgid) members.set(Number(name), parsed);
      }
      if (members.size === 0) return undefined;
      const parents = new Set([...members.values()].map((m) => m.ppid));
      let rssBytes = 0;
      let cpuMs = 0;
      const pids: number[] = [];
      for (const [pid, m] of members) {
        if (parents.has(pid)) continue;
        const rss = parseVmRss(read(`/proc/${pid}/status`) ?? '');
        if (rss === undefined) continue;
        rssBytes += rss;
        cpuMs += m.cpuMs;
        pids.push(pid);
      }
      return pids.length === 0 ? undefined : { rssBytes, cpuMs, pids };
    },
  };
}
