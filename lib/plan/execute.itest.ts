import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sh } from '@/lib/ssh'
import { virsh } from '@/lib/libvirt/virsh'
import { buildNatNetworkXml } from '@/lib/libvirt-xml/network-build'
import { executePlan, PlanFailedError } from '@/lib/plan/execute'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'

const name = `itest-plan-${process.pid}`

describe.each(libvirtLabHosts)('the plan executor on $name (libvirt $libvirt)', (lab) => {
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  beforeAll(async () => {
    host = await registeredLabHost(lab.name)
  })
  afterAll(() => {
    lab.exec(`virsh -q net-destroy ${name} 2>/dev/null; virsh -q net-undefine ${name} 2>/dev/null; true`)
  })

  it('undoes the steps already done when a later one fails, and says so', async () => {
    // The running default network owns 192.168.122.0/24, so libvirt defines this one but refuses to start it.
    const xml = buildNatNetworkXml({ name, bridge: 'vbitest0', ipv4Cidr: '192.168.122.0/24' })
    const plan = {
      title: 'define then start',
      steps: [
        {
          label: `Define ${name}`,
          command: virsh('net-define', '--file', '/dev/stdin'),
          stdin: xml,
          undo: { label: `Undefine ${name}`, command: virsh('net-undefine', '--network', name) },
        },
        { label: `Start ${name}`, command: virsh('net-start', '--network', name) },
      ],
    }
    const failure = await executePlan(host.target, plan).catch((error) => error)
    expect(failure).toBeInstanceOf(PlanFailedError)
    expect(failure.message).toMatch(
      new RegExp(`Step 2 of 2 \\("Start ${name}"\\) failed: .*in use.*Rolled back: Define ${name}\\.`),
    )
    expect(failure.outcomes.map((o: { status: string }) => o.status)).toEqual(['undone', 'failed'])
    expect(lab.exec('virsh -q net-list --all --name')).not.toContain(name)
  })

  it('reports exactly what is left when an undo fails too', async () => {
    const plan = {
      title: 'undo that cannot work',
      steps: [
        { label: 'Harmless step', command: sh`true`, undo: { label: 'Broken undo', command: sh`false` } },
        { label: 'Failing step', command: sh`exit 7` },
      ],
    }
    const failure = await executePlan(host.target, plan).catch((error) => error)
    expect(failure).toBeInstanceOf(PlanFailedError)
    expect(failure.leftover).toEqual(['"Harmless step" is still in effect; to undo it run on the host: false'])
    expect(failure.message).toContain('Left on the host')
  })
})
