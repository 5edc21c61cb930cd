/**
 * The state machine as a graph the page can draw: states and the transitions the ASL allows (Next, Default,
 * Choices, Catch), laid out by dagre (a layered Sugiyama layout, as the Step Functions console draws its
 * graphs). Only flat definitions: this workflow has no Parallel or Map states, and one that had them would
 * get their branches drawn as a single box (said in the node's type).
 */
import { graphlib, layout } from '@dagrejs/dagre';
import type { Graph, GraphEdge, GraphNode } from './web/types';

interface AslState {
  Type?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Array<{ Next?: string }>;
  Catch?: Array<{ Next?: string }>;
  Retry?: unknown[];
}

export interface AslDefinition {
  StartAt?: string;
  States?: Record<string, AslState>;
}

export interface Transition {
  from: string;
  to: string;
  kind: 'next' | 'default' | 'choice' | 'catch';
}

/** Every transition the definition allows, in definition order. */
export function transitionsOf(definition: AslDefinition): Transition[] {
  const out: Transition[] = [];
  for (const [name, s] of Object.entries(definition.States ?? {})) {
    if (s.Next) out.push({ from: name, to: s.Next, kind: 'next' });
    for (const c of s.Choices ?? []) if (c.Next) out.push({ from: name, to: c.Next, kind: 'choice' });
    if (s.Default) out.push({ from: name, to: s.Default, kind: 'default' });
    for (const c of s.Catch ?? []) if (c.Next) out.push({ from: name, to: c.Next, kind: 'catch' });
  }
  return out;
}

/** Box size for a state's label: the page draws 13 px text in boxes this wide (7.5 px per character is enough for its font). */
const CHAR_WIDTH = 7.5;
const BOX_PADDING = 28;
const BOX_HEIGHT = 44;

export function layoutGraph(definition: AslDefinition): Graph {
  const states = definition.States ?? {};
  const g = new graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 28, edgesep: 14, ranksep: 44, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const name of Object.keys(states))
    g.setNode(name, { width: Math.max(96, Math.ceil(name.length * CHAR_WIDTH) + BOX_PADDING), height: BOX_HEIGHT });

  // One drawn edge per pair of states: a Catch and a Next to the same state are one arrow with two kinds.
  const merged = new Map<string, Omit<GraphEdge, 'points'>>();
  for (const t of transitionsOf(definition)) {
    if (!(t.to in states)) throw new Error(`state ${t.from}: ${t.kind} goes to ${t.to}, which is not a state of the definition`);
    const key = `${t.from}\u0000${t.to}`;
    const e = merged.get(key) ?? { from: t.from, to: t.to, kinds: [] };
    if (!e.kinds.includes(t.kind)) e.kinds.push(t.kind);
    merged.set(key, e);
  }
  for (const e of merged.values()) g.setEdge(e.from, e.to);
  layout(g);

  const nodes: GraphNode[] = Object.entries(states).map(([id, s]) => {
    const n = g.node(id);
    return {
      id,
      type: s.Type ?? '?',
      x: n.x,
      y: n.y,
      width: n.width,
      height: n.height,
      start: id === definition.StartAt,
      terminal: s.Type === 'Succeed' || s.Type === 'Fail' || s.End === true,
      retries: Array.isArray(s.Retry) && s.Retry.length > 0,
    };
  });
  const edges: GraphEdge[] = [...merged.values()].map((e) => ({
    ...e,
    points: (g.edge(e.from, e.to).points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })),
  }));
  const { width = 0, height = 0 } = g.graph();
  return { width, height, nodes, edges };
}
