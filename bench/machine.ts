// What the bench ran on, and how busy the machine was with other work while it measured.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';

/** The machine, as printed at the top of bench/RESULTS.md. */
export interface MachineInfo {
  readonly cpus: number;
  readonly model: string;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly loadAverage1m: number;
}

/** Describes this machine and Node. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Busy CPU time of the whole machine so far, ms (Linux /proc/stat); undefined elsewhere. */
export function machineBusyMs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait; ticks of 10 ms.
    const busy = f.reduce((a, b) => a + b, 0) - (f[3] ?? 0) - (f[4] ?? 0);
    return busy * 10;
  } catch {
    return undefined;
  }
}

/**
 * The share of the machine (all cores) that other processes used during a measurement, percent:
 * machine busy time minus what the measurement itself used, over cores × wall time.
 */
export function foreignCpuPercent(busyBeforeMs: number | undefined, busyAfterMs: number | undefined, ownCpuMs: number, wallMs: number): number | undefined {
  if (busyBeforeMs === undefined || busyAfterMs === undefined || wallMs <= 0) return undefined;
  const foreign = Math.max(0, busyAfterMs - busyBeforeMs - ownCpuMs);
  return Math.round((foreign / (wallMs * cpus().length)) * 1000) / 10;
}
