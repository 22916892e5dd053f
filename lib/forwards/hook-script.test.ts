import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { hookDigest, hookScript } from '@/lib/forwards/hook-script'

describe('hook script', () => {
  const script = hookScript()

  it('is valid POSIX sh (dash) and stable', () => {
    execFileSync('dash', ['-n'], { input: script })
    expect(hookDigest()).toBe(hookDigest(hookScript()))
  })

  it('never calls libvirt and applies with one bounded iptables-restore batch', () => {
    expect(script).not.toMatch(/\bvirsh\b|\bvirt-/)
    expect(script.match(/iptables-restore/g)).toHaveLength(1)
    expect(script).toContain('iptables-restore -w 5 --noflush')
  })

  it('exits 0 for every libvirt call, whatever happens when applying', () => {
    const qemuBranch = script.slice(script.indexOf('*/qemu.d/*)'), script.indexOf('*/network.d/*)'))
    expect(qemuBranch).toContain('apply "qemu $op $guest" || true')
    expect(qemuBranch.trimEnd().split('\n').at(-2)?.trim()).toBe('exit 0')
    // Unknown operations (migrate, restore: libvirt reads their stdout as new XML) print nothing.
    expect(qemuBranch).toContain('*) exit 0 ;;')
  })
})
