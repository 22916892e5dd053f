import 'server-only'

export type DiffLine = { kind: 'same' | 'added' | 'removed'; text: string }

/**
 * How far the search for the shortest diff of one changed stretch may go (diagonals tried plus lines compared, a few
 * nanoseconds each) before the stretch is shown as replaced wholesale: thousands of scattered edits still get their
 * shortest diff, while a definition rewritten from top to bottom, which reads no better as one, cannot hold a request
 * for long. Memory does not depend on it.
 */
export const MAX_SEARCH_STEPS = 20_000_000

/**
 * Line diff of two texts: the shortest edit script (Myers' O(ND) algorithm in its linear-space form, which splits
 * the texts at the middle of an optimal path and recurses on both halves). A definition with thousands of DHCP hosts
 * runs to tens of thousands of lines, so memory must not grow with the product of the two lengths: the only arrays
 * are the lines themselves (as numbers), two search vectors of (n + m) entries shared by every step, and the result.
 * Within a changed stretch the added lines come first, then the removed ones.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.replace(/\n$/, '').split('\n')
  const b = after.replace(/\n$/, '').split('\n')
  // Equal lines get equal numbers, so the search compares integers.
  const numbers = new Map<string, number>()
  const numberOf = (line: string) => {
    let n = numbers.get(line)
    if (n === undefined) numbers.set(line, (n = numbers.size))
    return n
  }
  const A = Int32Array.from(a, numberOf)
  const B = Int32Array.from(b, numberOf)
  const vector = 2 * Math.ceil((A.length + B.length) / 2) + 4
  const forward = new Int32Array(vector)
  const backward = new Int32Array(vector)
  const out: DiffLine[] = []

  const replaced = (aLo: number, aHi: number, bLo: number, bHi: number) => {
    for (let j = bLo; j < bHi; j++) out.push({ kind: 'added', text: b[j]! })
    for (let i = aLo; i < aHi; i++) out.push({ kind: 'removed', text: a[i]! })
  }

  /**
   * A point on an optimal edit path through A[aLo, aHi) × B[bLo, bHi) near its middle, found by searching from both
   * ends at once (the ranges share no first or last line); null when that takes more than MAX_SEARCH_STEPS. After
   * diff-match-patch's bisect (Neil Fraser), on integer lines and preallocated vectors.
   */
  const middle = (aLo: number, aHi: number, bLo: number, bHi: number): [number, number] | null => {
    const n = aHi - aLo
    const m = bHi - bLo
    const maxD = Math.ceil((n + m) / 2)
    const offset = maxD
    const length = 2 * maxD + 2
    forward.fill(-1, 0, length)
    backward.fill(-1, 0, length)
    forward[offset + 1] = 0
    backward[offset + 1] = 0
    const delta = n - m
    // With an odd delta the forward search meets the backward one, else the backward meets the forward.
    const front = delta % 2 !== 0
    let k1start = 0
    let k1end = 0
    let k2start = 0
    let k2end = 0
    let steps = 0
    for (let d = 0; d < maxD && steps < MAX_SEARCH_STEPS; d++) {
      steps += 4 * d + 2
      for (let k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
        const k1o = offset + k1
        let x1 =
          k1 === -d || (k1 !== d && forward[k1o - 1]! < forward[k1o + 1]!) ? forward[k1o + 1]! : forward[k1o - 1]! + 1
        let y1 = x1 - k1
        const x1Start = x1
        while (x1 < n && y1 < m && A[aLo + x1] === B[bLo + y1]) {
          x1++
          y1++
        }
        steps += x1 - x1Start
        forward[k1o] = x1
        if (x1 > n) k1end += 2
        else if (y1 > m) k1start += 2
        else if (front) {
          const k2o = offset + delta - k1
          if (k2o >= 0 && k2o < length && backward[k2o] !== -1 && x1 >= n - backward[k2o]!) return [x1, y1]
        }
      }
      for (let k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
        const k2o = offset + k2
        let x2 =
          k2 === -d || (k2 !== d && backward[k2o - 1]! < backward[k2o + 1]!)
            ? backward[k2o + 1]!
            : backward[k2o - 1]! + 1
        let y2 = x2 - k2
        const x2Start = x2
        while (x2 < n && y2 < m && A[aHi - 1 - x2] === B[bHi - 1 - y2]) {
          x2++
          y2++
        }
        steps += x2 - x2Start
        backward[k2o] = x2
        if (x2 > n) k2end += 2
        else if (y2 > m) k2start += 2
        else if (!front) {
          const k1o = offset + delta - k2
          if (k1o >= 0 && k1o < length && forward[k1o] !== -1) {
            const x1 = forward[k1o]!
            if (x1 >= n - x2) return [x1, x1 - (k1o - offset)]
          }
        }
      }
    }
    return null
  }

  const compare = (aLo: number, aHi: number, bLo: number, bHi: number) => {
    while (aLo < aHi && bLo < bHi && A[aLo] === B[bLo]) {
      out.push({ kind: 'same', text: a[aLo]! })
      aLo++
      bLo++
    }
    let common = 0
    while (aLo < aHi - common && bLo < bHi - common && A[aHi - 1 - common] === B[bHi - 1 - common]) common++
    aHi -= common
    bHi -= common
    if (aLo === aHi || bLo === bHi) replaced(aLo, aHi, bLo, bHi)
    else {
      const split = middle(aLo, aHi, bLo, bHi)
      if (!split) replaced(aLo, aHi, bLo, bHi)
      else {
        compare(aLo, aLo + split[0], bLo, bLo + split[1])
        compare(aLo + split[0], aHi, bLo + split[1], bHi)
      }
    }
    for (let i = aHi; i < aHi + common; i++) out.push({ kind: 'same', text: a[i]! })
  }

  compare(0, A.length, 0, B.length)
  return addedFirst(out)
}

/** Each changed stretch as the operator reads it: its added lines, then its removed ones. */
function addedFirst(lines: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = []
  let removed: DiffLine[] = []
  for (const line of lines) {
    if (line.kind === 'removed') removed.push(line)
    else if (line.kind === 'added') out.push(line)
    else {
      for (const r of removed) out.push(r)
      removed = []
      out.push(line)
    }
  }
  for (const r of removed) out.push(r)
  return out
}

export function hasChanges(diff: DiffLine[]): boolean {
  return diff.some((line) => line.kind !== 'same')
}
