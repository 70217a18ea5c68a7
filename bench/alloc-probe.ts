// Loaded into a spawned process with `node --import ./bench/alloc-probe.ts` when
// $RELAYSIM_ALLOC_PROFILE names a file: runs V8's sampling heap profiler with collected objects
// included, so the profile counts every allocation (not only what is still live), and writes it
// to that file on SIGTERM, when `relaysim load` stops a spawned agent. Summarise it with
// bench/heapprofile-summary.ts. Sampling costs a little CPU; do not take latency figures with it.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.RELAYSIM_ALLOC_PROFILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  process.once('SIGTERM', () => {
    // An in-thread inspector session answers synchronously, before the agent's own drain exits.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
