import { describe, expect, it } from 'vitest'
import { chainHash, findChainBreak, genesisHash, type ChainedFields } from './chain'

function buildChain(count: number) {
  const records: Array<ChainedFields & { id: number; hash: string }> = []
  let prevHash = genesisHash
  for (let id = 1; id <= count; id++) {
    const fields: ChainedFields = {
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, id)),
      actorId: 'u1',
      actorName: 'alice',
      hostId: 'h1',
      hostName: 'lab-a',
      action: 'network.start',
      target: `net${id}`,
      params: JSON.stringify({ name: `net${id}` }),
      commands: '[]',
      result: 'success',
      error: null,
      prevHash,
    }
    const hash = chainHash(fields)
    records.push({ ...fields, id, hash })
    prevHash = hash
  }
  return records
}

describe('audit hash chain', () => {
  it('accepts an intact chain', () => {
    const records = buildChain(5)
    expect(findChainBreak(records, genesisHash)).toEqual({ lastHash: records[4]!.hash, broken: null })
  })

  it('detects an edited record', () => {
    const records = buildChain(5)
    records[2] = { ...records[2]!, result: 'failure' }
    expect(findChainBreak(records, genesisHash).broken).toEqual({ id: 3, reason: expect.stringContaining('edited') })
  })

  it('detects a removed record', () => {
    const records = buildChain(5)
    records.splice(1, 1)
    expect(findChainBreak(records, genesisHash).broken?.id).toBe(3)
  })

  it('changes the hash when any covered field changes', () => {
    const [record] = buildChain(1)
    const base = chainHash(record!)
    expect(chainHash({ ...record!, actorName: 'mallory' })).not.toBe(base)
    expect(chainHash({ ...record!, at: new Date(record!.at.getTime() + 1) })).not.toBe(base)
    expect(chainHash({ ...record!, commands: '[{"command":"true"}]' })).not.toBe(base)
  })
})
