// A hand's extent from BlazePose's points. Its index and pinky points are the knuckles at the fingers' base
// and its thumb point the thumb's middle joint, so the fingertips lie past them, about a palm's length on
// (a flat hand's fingers are as long as its palm) — in a direction BlazePose often misjudges for a bent
// hand. Hence two outlines: the palm (the points and the fingers' first half) and the reach (to the tips).
import type { HandPoint, HandPointName, Point } from '../types.js';

/** Fingers past the knuckles, as a share of the wrist-to-knuckle length. */
const FINGER_LENGTH = 1;
/** The thumb's tip past its middle joint, as a share of the wrist-to-joint length. */
const THUMB_TIP = 0.4;
/** The fingers' first half: bent or not, there are fingers there, whatever BlazePose made of their direction. */
const SURE_SHARE = 0.5;

export interface HandOutline {
  /** Convex hull of the wrist, the visible finger points and the fingers' first half, in order. */
  readonly palm: readonly Point[];
  /** The same with the fingertips they imply: where the fingers can be. */
  readonly reach: readonly Point[];
  /** Wrist to the knuckles' middle: the hand's scale, for margins. */
  readonly palmLength: number;
  /** The palm's middle, where the hand's own colour is sampled. */
  readonly centre: Point;
}

const past = (from: Point, to: Point, share: number): Point => ({ x: to.x + (to.x - from.x) * share, y: to.y + (to.y - from.y) * share });

/** Andrew's monotone chain: the hull of a handful of points, counter-clockwise in image axes. */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (sorted.length < 3) return sorted;
  const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const half = (list: Point[]): Point[] => {
    const chain: Point[] = [];
    for (const p of list) {
      while (chain.length >= 2 && cross(chain[chain.length - 2], chain[chain.length - 1], p) <= 0) chain.pop();
      chain.push(p);
    }
    return chain.slice(0, -1);
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}

/** Undefined unless the wrist and at least two of the three finger points are visible. */
export function handOutline(hand: Readonly<Record<HandPointName, HandPoint>>): HandOutline | undefined {
  const { wrist, index, pinky, thumb } = hand;
  const fingers = [index, pinky, thumb].filter((p) => p.visible);
  if (!wrist.visible || fingers.length < 2) return undefined;
  const points: Point[] = [wrist, ...fingers];
  const tips = (share: number): Point[] => [
    ...(index.visible ? [past(wrist, index, share * FINGER_LENGTH)] : []),
    ...(pinky.visible ? [past(wrist, pinky, share * FINGER_LENGTH)] : []),
    ...(thumb.visible ? [past(wrist, thumb, share * THUMB_TIP)] : []),
  ];
  const knuckles = [index, pinky].filter((p) => p.visible);
  const base = knuckles.length > 0 ? knuckles : fingers;
  const palmEnd = { x: base.reduce((s, p) => s + p.x, 0) / base.length, y: base.reduce((s, p) => s + p.y, 0) / base.length };
  const palmLength = Math.hypot(palmEnd.x - wrist.x, palmEnd.y - wrist.y);
  if (palmLength < 1) return undefined;
  const centre = { x: (wrist.x + palmEnd.x) / 2, y: (wrist.y + palmEnd.y) / 2 };
  return { palm: convexHull([...points, ...tips(SURE_SHARE)]), reach: convexHull([...points, ...tips(1)]), palmLength, centre };
}
