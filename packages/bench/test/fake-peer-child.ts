// A peer process for schedule.test.ts: the real protocol (servePeer) around a fake peer whose step takes ~1 ms and
// returns 42, so the test needs no library and no build. Run by Node with tsx registered (see the test).
import { servePeer } from '../src/peer-process.js';
import { benchCases } from '../src/cases.js';

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

void servePeer(
  () => ({
    id: 'fake',
    label: 'a fake peer',
    init: () => 'set up',
    supports: (c) => c.id === 'W3',
    prepare: () => ({ step: () => (busy(1), 42) }),
  }),
  benchCases(true, 1),
);
