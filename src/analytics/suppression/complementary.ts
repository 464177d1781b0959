/**
 * Small-group hiding that cannot be undone by arithmetic (complementary suppression). Pure.
 *
 * A table is a list of cells (counts of surveys and answers) and the additive relations that the
 * published figures expose: `parent = Σ children` (a team and its agents, an agent and its weeks, a
 * week and the agents in it, …). Protected cells (figures about one person) with fewer answers than
 * the minimum are withheld (primary suppression). Then, while any withheld cell could be worked out
 * from shown ones, another cell is withheld too (secondary suppression): a cell of the same kind
 * (another agent, another week) where one exists, the parent ("withhold the remainder") only when
 * nothing else can cover it.
 *
 * When every cell takes part in at most two relations (true for a table with margins: a cell is in
 * its row and its column; a margin in its own line and the grand total's), the withheld cells' values
 * are unknowns x_e of a linear system with one equation per relation, and the system is that of a
 * graph: relations are vertices, withheld cells are edges between the two relations they are in
 * (a cell in a single relation is tied to a "ground" vertex, which has no equation). A withheld
 * value is determined by the shown ones exactly when its edge is a bridge of that graph (an edge on
 * a cycle can be moved along the cycle, +t/−t alternately, without changing any equation). So: while
 * a bridge exists, withhold the cheapest set of shown cells that closes a cycle through it (a
 * cheapest path between its two ends, by Dijkstra).
 *
 * Cells without any survey hold nothing to protect and cannot hide anything either (anyone may guess
 * they are 0), so they are treated as known: withheld if small, but never counted as cover.
 *
 * What remains known is the sum of two or more withheld cells, as with any complementary
 * suppression; and only the relations given here are protected — comparing differently filtered
 * tables (other dates, other filters) is outside this function.
 */

export interface SuppressionCell {
  /** Surveys counted in the cell. 0: nothing to protect, and no cover for others. */
  surveys: number;
  /** Answers counted in the cell: a protected cell below the minimum is withheld. */
  answered: number;
  /** A figure about one person (an agent): withheld below the minimum, and preferred as cover. */
  protected: boolean;
  /**
   * How much worse it is to withhold this cell than a plain one, beyond its answers: margins (a row's
   * total, a period's total, the grand total) are worth more than the cells they add up. Default 0.
   */
  weight?: number;
}

export interface Relation {
  /** Index of the cell that is the sum of the children. */
  parent: number;
  children: readonly number[];
}

export interface SuppressionTable {
  cells: readonly SuppressionCell[];
  relations: readonly Relation[];
}

/** Hiding a shown parent or other public figure costs far more than hiding another person's figure. */
const PUBLIC_COST = 1_000_000_000;

/** Which cells to withhold: true at the index of each withheld cell. */
export function suppress(table: SuppressionTable, minAnswers: number): boolean[] {
  const { cells } = table;
  const hidden = cells.map((c) => c.protected && c.answered < minAnswers);
  if (!hidden.some(Boolean)) return hidden;

  const ends = edgeEnds(table);
  const graph = new Graph(table.relations.length + 1, ends);
  const cost = (i: number) => 1 + cells[i]!.answered + (cells[i]!.weight ?? 0) + (cells[i]!.protected ? 0 : PUBLIC_COST);
  const carries = (i: number) => cells[i]!.surveys > 0 && ends[i]![0] !== ends[i]![1];

  for (;;) {
    const bridge = graph.firstBridge((i) => hidden[i]! && carries(i));
    if (bridge < 0) return hidden;
    const [from, to] = ends[bridge]!;
    const path = graph.cheapestPath(from, to, (i) => (i === bridge || !carries(i) ? null : hidden[i] ? 0 : cost(i)));
    // Unreachable in a table whose relations add up; withholding both relations whole is the safe answer.
    const cover = path ?? table.relations.filter((_, index) => index + 1 === from || index + 1 === to).flatMap((r) => [r.parent, ...r.children]);
    for (const i of cover) hidden[i] = true;
  }
}

/** The two relations (vertex ids; 0 = ground) each cell is in. More than two is a misuse. */
function edgeEnds(table: SuppressionTable): [number, number][] {
  const ends: number[][] = table.cells.map(() => []);
  table.relations.forEach((r, i) => {
    for (const c of [r.parent, ...r.children]) {
      const list = ends[c];
      if (!list) throw new Error(`relation ${i} names cell ${c}, which does not exist`);
      list.push(i + 1);
    }
  });
  return ends.map((list, c) => {
    if (list.length > 2) throw new Error(`cell ${c} is in ${list.length} relations; at most 2 are supported`);
    return [list[0] ?? 0, list[1] ?? 0];
  });
}

/** An undirected multigraph over relation vertices with one edge per cell. */
class Graph {
  private readonly adjacency: { edge: number; to: number }[][];

  constructor(
    private readonly vertices: number,
    private readonly ends: readonly [number, number][],
  ) {
    this.adjacency = Array.from({ length: vertices }, () => []);
    ends.forEach(([a, b], edge) => {
      if (a === b) return; // in no relation, or twice in one: never determined by the others
      this.adjacency[a]!.push({ edge, to: b });
      this.adjacency[b]!.push({ edge, to: a });
    });
  }

  /** The lowest-numbered bridge among the edges `use` keeps (Tarjan's low-link, iterative), or −1. */
  firstBridge(use: (edge: number) => boolean): number {
    const order = new Int32Array(this.vertices).fill(-1);
    const low = new Int32Array(this.vertices);
    let counter = 0;
    let best = -1;
    for (let root = 0; root < this.vertices; root++) {
      if (order[root] !== -1) continue;
      // Stack frames: vertex, the edge we came by, next adjacency index.
      const stack: { v: number; via: number; next: number }[] = [{ v: root, via: -1, next: 0 }];
      order[root] = low[root] = counter++;
      while (stack.length) {
        const frame = stack[stack.length - 1]!;
        const list = this.adjacency[frame.v]!;
        if (frame.next < list.length) {
          const { edge, to } = list[frame.next++]!;
          if (edge === frame.via || !use(edge)) continue;
          if (order[to] === -1) {
            order[to] = low[to] = counter++;
            stack.push({ v: to, via: edge, next: 0 });
          } else {
            low[frame.v] = Math.min(low[frame.v]!, order[to]!);
          }
          continue;
        }
        stack.pop();
        const parent = stack[stack.length - 1];
        if (!parent) continue;
        low[parent.v] = Math.min(low[parent.v]!, low[frame.v]!);
        if (low[frame.v]! > order[parent.v]! && (best < 0 || frame.via < best)) best = frame.via;
      }
    }
    return best;
  }

  /** Edges (with a cost; null = unusable) of a cheapest path between two vertices, or null. */
  cheapestPath(from: number, to: number, costOf: (edge: number) => number | null): number[] | null {
    const dist = new Float64Array(this.vertices).fill(Infinity);
    const via = new Int32Array(this.vertices).fill(-1);
    const heap = new MinHeap();
    dist[from] = 0;
    heap.push(0, from);
    while (heap.size) {
      const [d, v] = heap.pop();
      if (d > dist[v]!) continue;
      if (v === to) break;
      for (const { edge, to: w } of this.adjacency[v]!) {
        const c = costOf(edge);
        if (c === null) continue;
        const nd = d + c;
        if (nd < dist[w]!) {
          dist[w] = nd;
          via[w] = edge;
          heap.push(nd, w);
        }
      }
    }
    if (dist[to] === Infinity) return null;
    const path: number[] = [];
    for (let v = to; v !== from; ) {
      const edge = via[v]!;
      path.push(edge);
      const [a, b] = this.ends[edge]!;
      v = a === v ? b : a;
    }
    return path;
  }
}

class MinHeap {
  private readonly keys: number[] = [];
  private readonly values: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  push(key: number, value: number): void {
    const { keys, values } = this;
    let i = keys.length;
    keys.push(key);
    values.push(value);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= key) break;
      keys[i] = keys[p]!;
      values[i] = values[p]!;
      i = p;
    }
    keys[i] = key;
    values[i] = value;
  }

  pop(): [number, number] {
    const { keys, values } = this;
    const top: [number, number] = [keys[0]!, values[0]!];
    const lastKey = keys.pop()!;
    const lastValue = values.pop()!;
    if (keys.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= keys.length) break;
        const r = l + 1;
        const c = r < keys.length && keys[r]! < keys[l]! ? r : l;
        if (keys[c]! >= lastKey) break;
        keys[i] = keys[c]!;
        values[i] = values[c]!;
        i = c;
      }
      keys[i] = lastKey;
      values[i] = lastValue;
    }
    return top;
  }
}
