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
  it('says in words that a running guest cannot take a device change live', () => {
    // virsh update-device --live on lab host B (libvirt 9.0), moving a running guest's interface to a macvtap network.
    expect(
      readableHostError(
        "error: Failed to update device from /dev/stdin\nerror: Operation not supported: unable to change config on 'network' network type\n",
      ),
    ).toBe(
      "libvirt cannot make this change to the running guest's device (unable to change config on 'network' network type); shut the guest down and change it then.",
    )
    expect(
      readableHostError(
        'error: Failed to update device from /dev/stdin\nerror: Operation not supported: cannot modify network device model from virtio to e1000\n',
      ),
    ).toMatch(/^libvirt cannot make this change to the running guest's device \(cannot modify network device model/)
  })
  it('says something when there is nothing', () => {
    expect(readableHostError('\n')).toBe('The command failed without an error message.')
  })
})
