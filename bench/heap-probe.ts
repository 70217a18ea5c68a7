// Loaded into a spawned agent with `node --import ./bench/heap-probe.ts` for the soak: after each
// major (mark-compact) GC it appends `{"atMs":…,"heapUsed":…}` to $RELAYSIM_HEAP_PROBE_FILE. The
// live JS heap after a full collection separates a leak (it grows) from V8 and the allocator
// keeping memory they already have (RSS grows, the live heap does not). It forces no GC.
import { appendFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';

const file = process.env.RELAYSIM_HEAP_PROBE_FILE;
if (file) {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      appendFileSync(file, `${JSON.stringify({ atMs: Math.round(performance.timeOrigin + entry.startTime + entry.duration), heapUsed: process.memoryUsage().heapUsed })}\n`);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}
