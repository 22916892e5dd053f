import 'server-only'
import { randomBytes } from 'node:crypto'
import { OperatorError } from '@/lib/core/errors'
import { readableHostError } from '@/lib/libvirt/readable-error'
import { run, sh, shellJoin, type HostTarget, type RunOptions, type ShellCommand } from '@/lib/ssh'

// Virtnet manages the system libvirt instance; LC_ALL=C keeps virsh's output and messages in the parsed form.
const connectUri = 'qemu:///system'

/** One virsh command line: every argument quoted by the SSH layer's quoting function. */
export function virsh(...args: string[]): ShellCommand {
  return sh`LC_ALL=C virsh -q -c ${connectUri} ${args}`
}

/**
 * Runs many virsh commands in ONE virsh process (one libvirt connection, one SSH round trip) and splits the
 * output per command. virsh's own tokenizer follows POSIX quoting, so each command is joined with the same quoting
 * function before the whole script travels as a single quoted argument. A command that fails yields '' (its
 * error goes to stderr) and does not stop the ones after it.
 */
export async function virshBatch(host: HostTarget, commands: string[][], options?: RunOptions): Promise<string[]> {
  if (commands.length === 0) return []
  // Not quiet (-q): net-list keeps its header, whose column positions the table parser reads.
  const marker = `@@virtnet-${randomBytes(8).toString('hex')}@@`
  const script = commands.map((argv) => `${shellJoin(argv)} ; echo ${marker}`).join(' ; ')
  const result = await run(host, sh`LC_ALL=C virsh -c ${connectUri} ${script}`, { allowFailure: true, ...options })
  const parts = result.stdout.split(marker)
  // Not even the first marker: virsh never got to run the commands (libvirtd down, no permission).
  if (parts.length < 2) throw new OperatorError(`virsh could not run: ${readableHostError(result.stderr)}`)
  return commands.map((_, index) => parts[index] ?? '')
}
