import type { MapStacks, StackNode, StackNodeKind } from '../../analysis/map-stacks.js';

/** A trie node as client/flame.js reads it: [name number, kind number, values, children]. */
type PackedNode = [number, number, readonly number[], PackedNode[]];

export interface PackedStacks {
  readonly names: readonly string[];
  readonly kinds: readonly StackNodeKind[];
  readonly root: PackedNode;
}

/** The flame graph's trie, names and kinds stored once: runtime frames repeat under every owner. */
export function packStacks(stacks: MapStacks): PackedStacks {
  const names: string[] = [];
  const nameIds = new Map<string, number>();
  const kinds: StackNodeKind[] = [];
  const id = <T>(list: T[], value: T, ids?: Map<T, number>): number => {
    let i = ids === undefined ? list.indexOf(value) : (ids.get(value) ?? -1);
    if (i < 0) {
      i = list.push(value) - 1;
      ids?.set(value, i);
    }
    return i;
  };
  const pack = (node: StackNode): PackedNode => [
    id(names, node.name, nameIds),
    id(kinds, node.kind),
    node.values,
    node.children.map(pack),
  ];
  const root = pack(stacks.root);
  return { names, kinds, root };
}
