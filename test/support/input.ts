// Real input for element tests: press what a person presses, where a person can press it.
import { sendMouse } from '@web/test-runner-commands';

/** The innermost element the pointer lands on at viewport point (x, y), looking through open shadow roots. */
export function hitAt(x: number, y: number): Element | null {
  let hit = document.elementFromPoint(x, y);
  while (hit?.shadowRoot) {
    const inner = hit.shadowRoot.elementFromPoint(x, y);
    if (!inner || inner === hit) break;
    hit = inner;
  }
  return hit;
}

/** `node` is `target` or inside it, across shadow boundaries (a slotted child is inside its light-DOM parent). */
function within(target: Element, node: Node | null): boolean {
  for (let n = node; n; n = n instanceof ShadowRoot ? n.host : n.parentNode) if (n === target) return true;
  return false;
}

function nameOf(node: Element | null): string {
  if (!node) return 'nothing';
  const part = node.getAttribute('part');
  return `<${node.localName}${node.id ? `#${node.id}` : ''}${part ? ` part="${part}"` : ''}>`;
}

/**
 * Where a person would press `target`: the middle of its box (or `across` its width, 0…1, on a slider), scrolled
 * into view. Throws when `target` has no box (0×0, `display: none`) or another box covers that point, because a
 * person could not press it (or see it) there.
 */
export async function centreOf(target: Element, across = 0.5): Promise<[number, number]> {
  target.scrollIntoView({ block: 'center', inline: 'center' });
  await new Promise((r) => requestAnimationFrame(r));
  const r = target.getBoundingClientRect();
  if (r.width < 1 || r.height < 1)
    throw new Error(`${nameOf(target)} has no box to press (${r.width}×${r.height})`);
  const x = Math.round(r.left + r.width * across);
  const y = Math.round(r.top + r.height / 2);
  const hit = hitAt(x, y);
  if (!within(target, hit)) throw new Error(`${nameOf(target)} is covered at (${x}, ${y}) by ${nameOf(hit)}`);
  return [x, y];
}

/** A real pointer click (`sendMouse`) at the middle of `target` (or `across` it), refused as `centreOf` says. */
export async function pressCentre(target: Element, across = 0.5): Promise<void> {
  await sendMouse({ type: 'click', position: await centreOf(target, across) });
}
