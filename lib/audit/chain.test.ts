import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { chainHash, findChainBreak, genesisHash, type ChainedFields, type SealCheck } from './chain'

const key = Buffer.alloc(32, 7)
const hmac = (hash: string) => createHmac('sha256', key).update(hash).digest('hex')
const seals = (from: number | null): SealCheck => ({ matches: (hash, seal) => hmac(hash) === seal, from })

/** Records 1..count chained; those with id >= sealFrom also sealed, as record.ts does. */
function buildChain(
  count: number,
  sealFrom = Infinity,
  edit: (fields: ChainedFields, id: number) => ChainedFields = (f) => f,
) {
  const records: Array<ChainedFields & { id: number; hash: string; seal: string | null }> = []
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
    const edited = edit(fields, id)
    const hash = chainHash(edited)
    records.push({ ...edited, id, hash, seal: id >= sealFrom ? hmac(hash) : null })
    prevHash = hash
  }
  return records
}

describe('audit hash chain', () => {
  it('accepts an intact chain', () => {
    const records = buildChain(5)
    expect(findChainBreak(records, genesisHash)).toEqual({ lastHash: records[4]!.hash, broken: null, sealed: 0 })
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

  it('counts seals, and accepts unsealed records from before sealing was switched on', () => {
    const records = buildChain(6, 3)
    expect(findChainBreak(records, genesisHash, seals(3))).toMatchObject({ broken: null, sealed: 4 })
  })

  it('catches a chain rewritten from an edited record on, which the hashes alone accept', () => {
    const original = buildChain(5, 1)
    // Whoever can write the database edits record 3 and recomputes every later hash; without the key they cannot seal.
    const rewritten = buildChain(5, Infinity, (f, id) => (id === 3 ? { ...f, result: 'failure' } : f)).map((r, i) => ({
      ...r,
      seal: original[i]!.seal,
    }))
    expect(findChainBreak(rewritten, genesisHash).broken).toBeNull()
    expect(findChainBreak(rewritten, genesisHash, seals(1)).broken).toEqual({
      id: 3,
      reason: expect.stringContaining('without the audit key'),
    })
  })

  it('catches a seal removed after sealing was switched on', () => {
    const records = buildChain(5, 1)
    records[3] = { ...records[3]!, seal: null }
    expect(findChainBreak(records, genesisHash, seals(1)).broken).toEqual({
      id: 4,
      reason: expect.stringContaining('seal was removed'),
    })
  })
})
