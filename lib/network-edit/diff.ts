import 'server-only'

export type DiffLine = { kind: 'same' | 'added' | 'removed'; text: string }

/**
 * Line diff of two texts (longest common subsequence). Network definitions are a few hundred lines at most, so the
 * quadratic table is cheap and the result is the minimal edit an operator expects to read.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.replace(/\n$/, '').split('\n')
  const b = after.replace(/\n$/, '').split('\n')
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0))
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
    }
  }
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]! })
      i++
      j++
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push({ kind: 'added', text: b[j]! })
      j++
    } else {
      out.push({ kind: 'removed', text: a[i]! })
      i++
    }
  }
  return out
}

export function hasChanges(diff: DiffLine[]): boolean {
  return diff.some((line) => line.kind !== 'same')
}
