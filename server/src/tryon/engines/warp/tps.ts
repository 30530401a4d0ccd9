// Thin-plate spline through control points (Bookstein 1989): an affine part plus radial terms
// U(r) = r^2 log r^2, interpolating the points exactly with the least bending.
import type { Point } from '../../types.js';

export interface Tps {
  map(x: number, y: number): Point;
}

const kernel = (r2: number): number => (r2 === 0 ? 0 : r2 * Math.log(r2));

/** Solves A x = b by Gaussian elimination with partial pivoting (small dense systems). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    const p = m[col][col];
    if (Math.abs(p) < 1e-12) throw new Error('thin-plate spline: control points are degenerate (collinear or repeated)');
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r][col] / p;
      if (f !== 0) for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** The spline taking each `from[i]` to `to[i]`. `regularization` > 0 trades exactness for smoothness. */
export function fitTps(from: readonly Point[], to: readonly Point[], regularization = 0): Tps {
  const n = from.length;
  // Normalise coordinates so the kernel's scale does not dominate the affine part.
  const scale = Math.max(1, ...from.map((p) => Math.max(Math.abs(p.x), Math.abs(p.y))));
  const f = from.map((p) => ({ x: p.x / scale, y: p.y / scale }));
  const size = n + 3;
  const a: number[][] = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      a[i][j] = kernel((f[i].x - f[j].x) ** 2 + (f[i].y - f[j].y) ** 2) + (i === j ? regularization : 0);
    }
    a[i][n] = 1;
    a[i][n + 1] = f[i].x;
    a[i][n + 2] = f[i].y;
    a[n][i] = 1;
    a[n + 1][i] = f[i].x;
    a[n + 2][i] = f[i].y;
  }
  const wx = solve(a, [...to.map((p) => p.x), 0, 0, 0]);
  const wy = solve(a, [...to.map((p) => p.y), 0, 0, 0]);
  return {
    map(x: number, y: number): Point {
      const nx = x / scale;
      const ny = y / scale;
      let ox = wx[n] + wx[n + 1] * nx + wx[n + 2] * ny;
      let oy = wy[n] + wy[n + 1] * nx + wy[n + 2] * ny;
      for (let i = 0; i < n; i++) {
        const u = kernel((nx - f[i].x) ** 2 + (ny - f[i].y) ** 2);
        ox += wx[i] * u;
        oy += wy[i] * u;
      }
      return { x: ox, y: oy };
    },
  };
}
