/** The hand-written closure-based micrograd port: the W3 yardstick, run in the same benchmark. */
import type { BenchCase } from '../cases.js';
import { scalarMlpData } from '../data.js';
import { referenceParams, scalarMlpLoss } from '../micrograd-reference.js';
import type { Peer, Runner } from './peer.js';

/** The micrograd port; runs W3 only. */
export const referencePeer: Peer = {
  id: 'reference',
  label: 'closure micrograd (plain JS)',
  init() {
    return 'a port of micrograd: one closure per node, recursive topological sort';
  },
  supports: (c: BenchCase) => c.workload === 'W3',
  prepare(): Runner {
    const data = scalarMlpData();
    const params = referenceParams(data);
    const flat = params.flat(2);
    return {
      step() {
        for (const p of flat) p.grad = 0;
        const loss = scalarMlpLoss(params, data);
        loss.backward();
        return loss.data;
      },
    };
  },
};
