// @ts-check

/**
 * @typedef {[name: number, kind: number, values: number[], children: PackedNode[]]} PackedNode
 * @typedef {{ name: string, kind: string, values: number[], children: FlameNode[], parent: FlameNode | null }}
 *   FlameNode
 * @typedef {{ names: string[], kinds: string[], root: PackedNode }} StacksSpec
 * @typedef {{ type: string, unit: string }} SampleType
 */

const FLAME_ROW = 18;

/**
 * An icicle of the map samples' stacks: the root on top, each frame as wide as its share of the
 * selected sample type. Click a frame to zoom into it, a frame above it to zoom out.
 */
function mountFlame(
  /** @type {HTMLElement} */ el,
  /** @type {StacksSpec} */ spec,
  /** @type {SampleType[]} */ types,
  /** @type {HTMLSelectElement} */ select,
) {
  /** @returns {FlameNode} */
  const unpack = (/** @type {PackedNode} */ [name, kind, values, children], /** @type {FlameNode | null} */ parent) => {
    /** @type {FlameNode} */
    const node = { name: spec.names[name], kind: spec.kinds[kind], values, children: [], parent };
    node.children = children.map((c) => unpack(c, node));
    return node;
  };
  const root = unpack(spec.root, null);
  let focus = root;
  select.addEventListener('change', () => draw());
  new ResizeObserver(() => draw()).observe(el);

  function draw() {
    const t = Number(select.value);
    const width = el.clientWidth;
    const total = Math.max(root.values[t], 0);
    /** @type {FlameNode[]} */
    const above = [];
    for (let n = focus.parent; n !== null; n = n.parent) above.unshift(n);
    const boxes = document.createDocumentFragment();
    let depth = 0;
    above.forEach((n, d) => boxes.append(box(n, d, 0, 1, true)));
    const layout = (
      /** @type {FlameNode} */ node,
      /** @type {number} */ d,
      /** @type {number} */ x,
      /** @type {number} */ w,
    ) => {
      boxes.append(box(node, d, x, w, false));
      depth = Math.max(depth, d);
      const value = Math.max(node.values[t], 0);
      if (value === 0) return;
      let cx = x;
      const sorted = [...node.children].sort((a, b) =>
        a.kind === 'other' ? 1 : b.kind === 'other' ? -1 : b.values[t] - a.values[t],
      );
      for (const child of sorted) {
        const cw = (w * Math.max(child.values[t], 0)) / value;
        // Narrower than a pixel: nothing to see or click.
        if (cw * width >= 1) layout(child, d + 1, cx, cw);
        cx += cw;
      }
    };
    layout(focus, above.length, 0, 1);
    el.replaceChildren(boxes);
    el.style.height = `${(depth + 1) * FLAME_ROW}px`;

    function box(
      /** @type {FlameNode} */ node,
      /** @type {number} */ d,
      /** @type {number} */ x,
      /** @type {number} */ w,
      /** @type {boolean} */ ancestor,
    ) {
      const div = document.createElement('div');
      const phase = node.kind === 'phase' ? ` phase-${node.name}` : '';
      div.className = `k-${node.kind}${phase}${ancestor ? ' ancestor' : ''}`;
      div.style.left = `${x * 100}%`;
      div.style.width = `${w * 100}%`;
      div.style.top = `${d * FLAME_ROW}px`;
      const name = node.kind === 'root' ? 'all map samples' : node.name;
      div.textContent = name;
      const share = total === 0 ? '' : ` (${((100 * node.values[t]) / total).toFixed(1)}% of map ${types[t].type})`;
      div.title = `${name}\n${formatValue(node.values[t], types[t].unit)}${share}\n${KIND_NAMES[node.kind] ?? ''}`;
      div.addEventListener('click', () => {
        focus = node;
        draw();
      });
      return div;
    }
  }
}

/** @type {Record<string, string>} */
const KIND_NAMES = {
  owner: 'owner: the code charged with the map',
  via: 'via: the library function the owner went through',
  map: 'map runtime code',
  recovered: 'map runtime code, recovered from the binary',
  inferred: 'map operation inferred from the source line',
  phase: 'phase',
  other: 'frames too small to draw, merged',
};
