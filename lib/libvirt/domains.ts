import 'server-only'
import type { HostTarget } from '@/lib/ssh'
import { virshBatch } from '@/lib/libvirt/virsh'

/** The names of the host's guests: every defined and running one, or only the running ones. */
export async function domainNames(host: HostTarget, which: 'all' | 'running' = 'all'): Promise<string[]> {
  const [names = ''] = await virshBatch(host, [which === 'all' ? ['list', '--all', '--name'] : ['list', '--name']])
  return names
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
}

/** One virsh command per guest, all in one virsh process: each guest with that command's output. */
export async function perDomain(
  host: HostTarget,
  domains: string[],
  command: (domain: string) => string[],
): Promise<Array<{ name: string; output: string }>> {
  const outputs = await virshBatch(host, domains.map(command))
  return domains.map((name, index) => ({ name, output: outputs[index] ?? '' }))
}

/** Every guest's XML: the live definition of a running guest, the persistent one otherwise (virsh dumpxml). */
export async function domainXmls(host: HostTarget): Promise<Array<{ name: string; xml: string }>> {
  const outputs = await perDomain(host, await domainNames(host), (domain) => ['dumpxml', '--domain', domain])
  return outputs.map(({ name, output }) => ({ name, xml: output }))
}
