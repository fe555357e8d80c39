/**
 * tapegrad with `@tapegrad/native` (matrix products on the system's OpenBLAS), with 1 and 2 threads, and OpenBLAS's
 * sgemm alone on W2, called on the same arrays with nothing around it: the limit W2's floor is measured against.
 * Where the addon was not built, these peers say why and are left out of the table.
 */
import { enableNative, nativeAddon, nativeStatus } from '@tapegrad/native';
import type { BenchCase } from '../cases.js';
import { matmulData } from '../data.js';
import type { Peer, Runner } from './peer.js';
import { tapegradFusedPeer, tapegradPeer } from './tapegrad.js';

function nativePeer(threads: number): Peer {
  return {
    ...tapegradPeer,
    id: threads === 1 ? 'tapegrad-native' : `tapegrad-native-${threads}t`,
    label: threads === 1 ? 'tapegrad native' : `tapegrad native ${threads} threads`,
    init() {
      if (!enableNative({ threads, quiet: true })) throw new Error(nativeStatus().reason ?? 'the native backend is unavailable');
      const { blas, threads: budget } = nativeStatus();
      return `as tapegrad, plus @tapegrad/native enableNative({ threads: ${threads} }): every float matmul of at least 8^3 multiply-adds on OpenBLAS with ${budget} thread(s) (${blas}); elementwise ops, reductions and addInPlace of at least 256 elements on the addon's C kernels where they give core's bits`;
    },
  };
}

export const tapegradNativePeer = nativePeer(1);
export const tapegradNative2tPeer = nativePeer(2);

/** W4 written with `fuse`, with the native backend on: the fused programs run on the addon's C block runner. */
export const tapegradNativeFusedPeer: Peer = {
  ...tapegradFusedPeer,
  id: 'tapegrad-native-fused',
  label: 'tapegrad native fused',
  init() {
    if (!enableNative({ threads: 1, quiet: true })) throw new Error(nativeStatus().reason ?? 'the native backend is unavailable');
    return "as tapegrad fused, plus @tapegrad/native enableNative({ threads: 1 }): the fused forward and backward programs each run as one call into the addon's C block runner (csrc/program.c)";
  },
};

/**
 * OpenBLAS's sgemm on one thread, through the addon, into one preallocated C: no tensor, no allocation. The step
 * adds C up in JavaScript, as tapegrad's W2 step does (the value the peers must agree on), so both pay that alike.
 */
export const openblasPeer: Peer = {
  id: 'openblas-1',
  label: 'OpenBLAS sgemm 1 thread',
  init() {
    const addon = nativeAddon();
    if (addon === null) throw new Error(nativeStatus().reason ?? 'the native addon is unavailable');
    addon.setThreads(1);
    return `cblas_sgemm through @tapegrad/native's addon, 1 thread, into a preallocated C (${addon.blasInfo()})`;
  },
  supports: (c: BenchCase) => c.workload === 'W2',
  prepare(c: BenchCase): Runner {
    const addon = nativeAddon()!;
    const n = Number(c.id.split('-')[1]);
    const { a, b } = matmulData(n);
    const out = new Float32Array(n * n);
    return {
      step() {
        addon.gemm(a.data, 0, b.data, 0, out, 0, n, n, n, false, false);
        let s = 0;
        for (let i = 0; i < out.length; i++) s += out[i];
        return s;
      },
    };
  },
};
