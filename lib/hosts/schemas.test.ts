import { describe, expect, it } from 'vitest'
import { AddHostSchema, ConfirmHostKeySchema } from './schemas'

const valid = { name: 'lab-b', address: '10.77.0.2', port: '22', username: 'root' }

describe('AddHostSchema', () => {
  it('accepts a normal host and coerces the port', () => {
    expect(AddHostSchema.parse(valid)).toEqual({ ...valid, port: 22, useSudo: false })
    expect(AddHostSchema.parse({ ...valid, useSudo: 'on' }).useSudo).toBe(true)
  })
  it.each([
    ['address', 'host; rm -rf /'],
    ['address', '$(id)'],
    ['address', '300.1.1.1'],
    ['port', '0'],
    ['port', '70000'],
    ['port', 'ssh'],
    ['username', 'root; id'],
    ['username', '-oProxyCommand=x'],
    ['name', ''],
    ['name', '../etc'],
  ])('rejects %s = %j', (field, value) => {
    const result = AddHostSchema.safeParse({ ...valid, [field]: value })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual([field])
  })
})

describe('ConfirmHostKeySchema', () => {
  it('accepts an OpenSSH SHA256 fingerprint only', () => {
    expect(ConfirmHostKeySchema.safeParse({ hostId: 'h', fingerprint: 'SHA256:' + 'A'.repeat(43) }).success).toBe(true)
    expect(ConfirmHostKeySchema.safeParse({ hostId: 'h', fingerprint: 'MD5:aa:bb' }).success).toBe(false)
  })
})
