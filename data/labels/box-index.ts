import type { Rect } from './iou.js';

/** A box from which a cell list is kept only when it spans at most this many cells (else checked always). */
const MAX_CELLS_PER_BOX = 64;

/**
 * The boxes of one image, indexed for label matching: an exact-coordinate map and a uniform grid, so a
 * label row looks only at boxes that share a pixel with it (IoU > 0 needs that). Without it, matching was
 * quadratic in the boxes of an image and blocked the event loop past the heartbeat timeout.
 */
export class BoxIndex<B extends Rect> {
  private readonly exactMap = new Map<string, B>();
  private readonly grid = new Map<string, number[]>();
  private readonly wide: number[] = [];
  private readonly cell: number;

  constructor(private readonly boxes: readonly B[]) {
    let area = 0;
    for (const b of boxes) area += Math.max(1, (b.x2 - b.x1) * (b.y2 - b.y1));
    this.cell = Math.max(1, Math.round(Math.sqrt(area / Math.max(1, boxes.length))));
    boxes.forEach((b, i) => {
      const key = exactKey(b);
      if (!this.exactMap.has(key)) this.exactMap.set(key, b);
      const cells = this.cellsOf(b, MAX_CELLS_PER_BOX);
      if (cells === undefined) this.wide.push(i);
      else for (const c of cells) this.at(c).push(i);
    });
  }

  /** The first box (in input order) with exactly these coordinates. */
  exact(r: Rect): B | undefined {
    return this.exactMap.get(exactKey(r));
  }

  /** Every box that may overlap `r`, in input order (so ties resolve as a full scan would). */
  overlapping(r: Rect): B[] {
    const cells = this.cellsOf(r, this.boxes.length);
    if (cells === undefined) return [...this.boxes];
    const seen = new Set<number>(this.wide);
    for (const c of cells) for (const i of this.grid.get(c) ?? []) seen.add(i);
    return [...seen].sort((a, b) => a - b).map((i) => this.boxes[i]!);
  }

  private at(cell: string): number[] {
    let list = this.grid.get(cell);
    if (!list) {
      list = [];
      this.grid.set(cell, list);
    }
    return list;
  }

  /** Grid cells covering the pixels of `r` (x2/y2 exclusive), or undefined when more than `max`. */
  private cellsOf(r: Rect, max: number): string[] | undefined {
    if (r.x2 <= r.x1 || r.y2 <= r.y1) return [];
    const [cx1, cx2] = [Math.floor(r.x1 / this.cell), Math.floor((r.x2 - 1) / this.cell)];
    const [cy1, cy2] = [Math.floor(r.y1 / this.cell), Math.floor((r.y2 - 1) / this.cell)];
    if ((cx2 - cx1 + 1) * (cy2 - cy1 + 1) > max) return undefined;
    const cells: string[] = [];
    for (let x = cx1; x <= cx2; x++) for (let y = cy1; y <= cy2; y++) cells.push(`${x},${y}`);
    return cells;
  }
}

function exactKey(r: Rect): string {
  return `${r.x1},${r.y1},${r.x2},${r.y2}`;
}
