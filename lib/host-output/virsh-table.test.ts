import { describe, expect, it } from 'vitest'
import { ParseError } from '@/lib/core/errors'
import { parseVirshTable } from '@/lib/host-output/virsh-table'

const COLUMNS = [
  { key: 'id', header: 'Id' },
  { key: 'name', header: 'Name' },
  { key: 'state', header: 'State' },
] as const

// Laid out by hand following vshTablePrint: each cell is preceded by one space and padded to the
// column's widest cell (counted in terminal columns: 日本語 is six wide) plus two spaces.
const WITH_HEADER = [
  ' Id   Name       State',
  '----------------------------',
  ' 12   web 01     running',
  ' -    db         shut off',
  ' -    日本語vm   paused',
  '',
].join('\n')

const QUIET = [' 12   web 01     running', ' -    db         shut off', ' -    日本語vm   paused'].join('\n')

const EXPECTED = [
  { id: '12', name: 'web 01', state: 'running' },
  { id: '-', name: 'db', state: 'shut off' },
  { id: '-', name: '日本語vm', state: 'paused' },
]

describe('parseVirshTable', () => {
  it('cuts cells at the header positions, so values may contain spaces', () => {
    expect(parseVirshTable(WITH_HEADER, COLUMNS, 'test').map((r) => r.cells)).toEqual(EXPECTED)
  })

  it('infers the positions without a header (virsh -q)', () => {
    expect(parseVirshTable(QUIET, COLUMNS, 'test').map((r) => r.cells)).toEqual(EXPECTED)
  })

  it('returns no rows for empty output or a header alone', () => {
    expect(parseVirshTable('', COLUMNS, 'test')).toEqual([])
    expect(parseVirshTable(' Id   Name   State\n--------------------\n\n', COLUMNS, 'test')).toEqual([])
  })

  it('reports the line of a row that does not line up', () => {
    const shifted = WITH_HEADER.replace(' -    db         shut off', ' -    database-name-too-long shut off')
    expect(() => parseVirshTable(shifted, COLUMNS, 'test')).toThrowError(ParseError)
    expect(() => parseVirshTable(shifted, COLUMNS, 'test')).toThrowError(/line 4/)
  })

  it('refuses an unexpected header (e.g. localized output or other columns)', () => {
    expect(() => parseVirshTable(' Id   Nom   État\n-----------\n 1   a   b\n', COLUMNS, 'test')).toThrowError(
      'unexpected table header "Id   Nom   État"',
    )
    expect(() => parseVirshTable(' Id   Name   State   Title\n----------\n', COLUMNS, 'test')).toThrowError(
      'unexpected extra column "Title"',
    )
  })

  it('refuses header-less output whose columns cannot be found', () => {
    expect(() => parseVirshTable(' 1 a b\n', COLUMNS, 'test')).toThrowError('cannot find the 3 columns')
  })
})
