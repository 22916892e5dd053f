import { describe, expect, it } from 'vitest'
import { diffLines, type DiffLine } from '@/lib/network-edit/diff'

const sides = (diff: DiffLine[]) => ({
  before: diff
    .filter((l) => l.kind !== 'added')
    .map((l) => l.text)
    .join('\n'),
  after: diff
    .filter((l) => l.kind !== 'removed')
    .map((l) => l.text)
    .join('\n'),
})
const changes = (diff: DiffLine[]) => diff.filter((l) => l.kind !== 'same').map((l) => `${l.kind} ${l.text}`)

/** Length of a longest common subsequence, the textbook way (only for the small texts below). */
function lcsLength(a: string[], b: string[]): number {
  let row = new Array<number>(b.length + 1).fill(0)
  for (const x of a) {
    const next = [0]
    for (let j = 0; j < b.length; j++) next.push(x === b[j] ? row[j]! + 1 : Math.max(row[j + 1]!, next[j]!))
    row = next
  }
  return row[b.length]!
}

describe('diffLines on large definitions', () => {
  // A network with 20,000 static hosts: the old table of (n + 1) × (m + 1) numbers took gigabytes here.
  const hosts = Array.from(
    { length: 20_000 },
    (_, i) => `    <host mac='52:54:00:00:${i >> 8}:${i & 255}' ip='10.0.${i >> 8}.${i & 255}'/>`,
  )
  const before = `${hosts.join('\n')}\n`

  it('finds the few changes in a 20,000-line document and keeps every other line', () => {
    const edited = [...hosts]
    edited[100] = "    <host mac='52:54:00:00:0:100' ip='10.0.9.9'/>"
    edited.splice(10_000, 1)
    edited.splice(
      15_000,
      0,
      "    <host mac='52:54:00:ff:0:1' ip='10.1.0.1'/>",
      "    <host mac='52:54:00:ff:0:2' ip='10.1.0.2'/>",
    )
    edited[edited.length - 1] = '  </dhcp>'
    const diff = diffLines(before, `${edited.join('\n')}\n`)
    expect(changes(diff)).toEqual([
      "added     <host mac='52:54:00:00:0:100' ip='10.0.9.9'/>",
      "removed     <host mac='52:54:00:00:0:100' ip='10.0.0.100'/>",
      "removed     <host mac='52:54:00:00:39:16' ip='10.0.39.16'/>",
      "added     <host mac='52:54:00:ff:0:1' ip='10.1.0.1'/>",
      "added     <host mac='52:54:00:ff:0:2' ip='10.1.0.2'/>",
      'added   </dhcp>',
      "removed     <host mac='52:54:00:00:78:31' ip='10.0.78.31'/>",
    ])
    expect(diff.filter((l) => l.kind === 'same')).toHaveLength(19_997)
    expect(sides(diff)).toEqual({ before: hosts.join('\n'), after: edited.join('\n') })
  })

  it('gives thousands of scattered edits their shortest diff', () => {
    const edited = hosts.map((line, i) => (i % 7 === 0 ? line.replace('/>', " name='x'/>") : line))
    const diff = diffLines(before, edited.join('\n'))
    expect(diff.filter((l) => l.kind === 'same')).toHaveLength(20_000 - Math.ceil(20_000 / 7))
    expect(sides(diff)).toEqual({ before: hosts.join('\n'), after: edited.join('\n') })
  })

  it('shows a document rewritten from top to bottom as replaced', () => {
    const edited = hosts.map((line) => line.replace('<host', '<host name="x"'))
    const diff = diffLines(before, edited.join('\n'))
    expect(diff.map((l) => l.kind)).toEqual([...edited.map(() => 'added'), ...hosts.map(() => 'removed')])
  })
})

describe('diffLines on small texts', () => {
  it('is the shortest edit of every small pair of texts, and turns one into the other', () => {
    let seed = 7
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n
    for (let round = 0; round < 3_000; round++) {
      const letters = 1 + random(5)
      const text = () => Array.from({ length: random(12) }, () => 'abcde'[random(letters)]!)
      const [a, b] = [text(), text()]
      const diff = diffLines(a.join('\n'), b.join('\n'))
      expect(sides(diff)).toEqual({ before: a.join('\n'), after: b.join('\n') })
      // (an empty text counts as one empty line)
      expect(diff.filter((l) => l.kind === 'same')).toHaveLength(
        lcsLength(a.join('\n').split('\n'), b.join('\n').split('\n')),
      )
    }
  })
})
