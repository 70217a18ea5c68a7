// Loaded into a spawned agent with `node --import ./bench/heap-probe.ts` for the soak: after each
// major (mark-compact) GC it appends `{"atMs":…,"heapUsed":…,"heapTotal":…,"rss":…,"external":…}` to
// $RELAYSIM_HEAP_PROBE_FILE. The live JS heap after a full collection separates a leak (it grows)
// from V8 and the allocator keeping memory they already have (RSS grows, the live heap does not);
// heapTotal against RSS tells V8's reserved heap from memory outside it. It forces no GC.
import { appendFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';

const file = process.env.RELAYSIM_HEAP_PROBE_FILE;
if (file) {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      const memory = process.memoryUsage();
      const atMs = Math.round(performance.timeOrigin + entry.startTime + entry.duration);
      appendFileSync(file, `${JSON.stringify({ atMs, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, rss: memory.rss, external: memory.external, arrayBuffers: memory.arrayBuffers })}\n`);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}
