import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createProcessProbe, parseStat, parseVmRss } from '../../../simulator/load/process-stats.ts';

describe('/proc parsing', () => {
  it('reads VmRSS in bytes', () => {
    expect(parseVmRss('Name:\tnode\nVmRSS:\t  123456 kB\nThreads: 7\n')).toBe(123456 * 1024);
    expect(parseVmRss('Name:\tzombie\n')).toBeUndefined();
  });

  it('reads ppid, pgrp and utime+stime even when the command has spaces and parentheses', () => {
    const stat = '4242 (node (worker) x) S 4000 4242 4000 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 1000 1000000 2000';
    expect(parseStat(stat)).toEqual({ ppid: 4000, pgrp: 4242, cpuMs: 3000 });
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe('createProcessProbe', () => {
  it('reads this process', () => {
    const self = createProcessProbe().self();
    expect(self.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(self.cpuMs).toBeGreaterThan(0);
    expect(self.pids).toEqual([process.pid]);
  });

  it('reads the leaf process of a spawned group, not the shell that started it', async () => {
    const child = spawn('sleep 30 & wait', { shell: true, detached: true, stdio: 'ignore' });
    onTestFinished(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    });
    const probe = createProcessProbe();
    let reading = probe.group(child.pid as number);
    for (let i = 0; i < 50 && (reading === undefined || reading.pids.includes(child.pid as number)); i++) {
      await new Promise((r) => setImmediate(r));
      reading = probe.group(child.pid as number);
    }
    if (!existsSync('/proc/self/stat')) {
      expect(reading).toBeUndefined();
      return;
    }
    expect(reading?.rssBytes).toBeGreaterThan(0);
    expect(reading?.pids).not.toContain(child.pid);
    expect(probe.group(0x7ffffff0)).toBeUndefined();
  });
});
