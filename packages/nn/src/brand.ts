/**
 * Class identity across copies of @tapegrad/nn in one process (its ESM and CommonJS builds side by side, or two
 * bundles on one page): a module made by one copy is `instanceof Module` of the other, so Sequential takes it,
 * `parameters()` finds it and `catch` blocks recognise its errors. The mechanism is core's (`brandClass`); the
 * format number in the key changes whenever what these classes hold changes shape.
 */
import { brandClass } from '@tapegrad/core';

/** Marks `cls` under `tapegrad.nn.1.<name>` (a class with a protected constructor too, hence the wide type). */
export function brand(cls: { readonly prototype: object }, name: string): void {
  brandClass(cls as abstract new () => unknown, `tapegrad.nn.1.${name}`);
}
