import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { checkHealth } from '@/lib/hosts/health'
import { listNetworks } from '@/lib/libvirt/read-networks'
import { closeAllSessions, run, sh } from '@/lib/ssh'
import { inHostA, inHostB, labHost, registeredLabHost } from '@/lib/test/lab'
import { callAction, createTestUser, signIn } from '@/lib/test/server-actions'
import { createNetworkAction } from '@/app/(dashboard)/hosts/[hostId]/networks/actions'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

// A host reached as a non-root user whose every command goes through `sudo -n /bin/sh`: the lab's lab-b-sudo is host
// B as vnsudo (passwordless sudo, defined only in B's own user database, its /etc overlay) over a second sshd. Reads and a change go
// through the dashboard on it, and host B's own view (lab.sh exec-b, as root) checks them.

const prefix = `vnm-sudo-${process.pid}`
const network = `vnm-sudo${process.pid % 10000}`
let host: Awaited<ReturnType<typeof registeredLabHost>>

beforeAll(async () => {
  host = await registeredLabHost('lab-b-sudo')
}, 180_000)

afterAll(async () => {
  inHostB(`virsh -q net-destroy ${network} 2>/dev/null; virsh -q net-undefine ${network} 2>/dev/null; true`)
  await db.desiredNetwork.deleteMany({ where: { name: network } })
  await db.user.deleteMany({ where: { username: { startsWith: prefix } } })
  await closeAllSessions()
})

describe('a host reached as a non-root user through sudo -n', () => {
  it('is registered as vnsudo with sudo, and the login really is not root', () => {
    expect(host.row).toMatchObject({ username: 'vnsudo', useSudo: true, port: labHost('lab-b-sudo').port })
    expect(inHostB('getent passwd vnsudo')).toMatch(/^vnsudo:x:60577:/)
    // Only host B knows the user: this machine's own user database is untouched.
    expect(() => inHostA('getent passwd vnsudo')).toThrow()
  })

  it('runs every command as root through sudo, keeps stdin, and quotes arguments as for root', async () => {
    const who = await run(host.target, sh`printf '%s %s' "$(id -u)" "$SUDO_USER"`)
    expect(who.stdout).toBe('0 vnsudo')
    const tricky = `it's "$HOME" ; $(id) \\ *`
    expect((await run(host.target, sh`printf '%s' ${tricky}`)).stdout).toBe(tricky)
    const text = 'line 1\nline 2 with $dollar and `ticks`\n'
    expect((await run(host.target, sh`cat`, { stdin: text })).stdout).toBe(text)
  })

  it('reads host B for real: health, hostname, libvirt and its networks', async () => {
    const health = await checkHealth(host.target)
    expect(health).toMatchObject({ reachable: true, hostname: inHostB('hostname').trim() })
    expect(health.libvirtVersion).toMatch(/^\d+\.\d+/)
    const names = (await listNetworks(host.target)).map((n) => n.name)
    expect(names).toEqual(expect.arrayContaining(inHostB('virsh -q net-list --all --name').split('\n').filter(Boolean)))
  })

  it('creates and starts a network through the action, as host B itself then shows', async () => {
    await signIn(await createTestUser(`${prefix}-op`, 'operator'))
    const { state } = await callAction(createNetworkAction, {
      hostId: host.row.id,
      name: network,
      ipv4Cidr: '10.231.77.0/24',
      start: 'on',
    })
    expect(state).toMatchObject({ status: 'success' })
    expect(inHostB(`virsh -q net-info ${network}`)).toMatch(/Active:\s+yes/)
    expect(inHostB(`virsh net-dumpxml ${network}`)).toContain("address='10.231.77.1'")
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { action: 'network.create', target: network },
      orderBy: { id: 'desc' },
    })
    expect(audit).toMatchObject({ result: 'success', hostName: 'lab-b-sudo', actorName: `${prefix}-op` })
  })
})
