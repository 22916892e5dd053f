import { describe, expect, it } from 'vitest'
import { readableHostError } from './readable-error'

describe('readableHostError', () => {
  it('turns virsh error lines into one sentence', () => {
    expect(
      readableHostError(
        'error: Failed to start network vn1\nerror: internal error: Network is already in use by interface virbr0\n',
      ),
    ).toBe('Failed to start network vn1: internal error: Network is already in use by interface virbr0.')
  })
  it('says something when there is nothing', () => {
    expect(readableHostError('\n')).toBe('The command failed without an error message.')
  })
})
