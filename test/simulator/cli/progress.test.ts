import { describe, expect, it } from 'vitest';
import { createProgress, isInteractive } from '../../../simulator/cli/progress.ts';

function sink(tty: boolean, columns = 60) {
  let text = '';
  return { out: { write: (s: string) => (text += s), isTTY: tty, columns }, text: () => text };
}

describe('progress', () => {
  it('is interactive only on a terminal outside CI', () => {
    expect(isInteractive({ write: () => 0, isTTY: true }, {})).toBe(true);
    expect(isInteractive({ write: () => 0, isTTY: true }, { CI: 'true' })).toBe(false);
    expect(isInteractive({ write: () => 0, isTTY: true }, { CI: 'false' })).toBe(true);
    expect(isInteractive({ write: () => 0, isTTY: false }, {})).toBe(false);
    expect(isInteractive({ write: () => 0 }, {})).toBe(false);
  });

  it('prints one plain line per finished scenario when not interactive', () => {
    const s = sink(false);
    const p = createProgress(s.out, { total: 12, interactive: false, label: 'seed 3' });
    p.started('a');
    p.started('b');
    p.finished('b', 'fail', 1500);
    p.finished('a', 'pass', 20);
    p.done();
    expect(s.text()).toBe('seed 3 [ 1/12] FAIL  b (1.5 s)\nseed 3 [ 2/12] PASS  a (20 ms)\n');
  });

  it('redraws a single line on a terminal, keeps failures as lines and clears at the end', () => {
    const s = sink(true);
    const p = createProgress(s.out, { total: 2, interactive: true });
    p.started('alpha');
    expect(s.text()).toBe('\r\u001b[2K[0/2] · running alpha');
    p.started('beta');
    p.finished('alpha', 'error', 10);
    p.line('note');
    p.finished('beta', 'pass', 10);
    p.done();
    const text = s.text();
    expect(text).toContain('ERROR alpha (10 ms)\n');
    expect(text).toContain('[1/2] 1 failed · running beta');
    expect(text).toContain('note\n');
    expect(text).not.toContain('PASS');
    expect(text.endsWith('\r\u001b[2K')).toBe(true);
    // The live line is always cleared, never ended with a newline.
    expect(text).not.toMatch(/running[^\r]*\n/);
  });

  it('cuts the live line to the terminal width', () => {
    const s = sink(true, 50);
    const p = createProgress(s.out, { total: 1, interactive: true });
    p.started('x'.repeat(200));
    const live = s.text().replace('\r\u001b[2K', '');
    expect(live.length).toBeLessThanOrEqual(49);
    expect(live.endsWith('…')).toBe(true);
  });
});
