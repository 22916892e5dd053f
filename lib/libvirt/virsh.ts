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
  const batch = virshBatchScript(commands)
  const result = await run(host, batch.command, { allowFailure: true, ...options })
  const outputs = batch.split(result.stdout)
  // Not even the first marker: virsh never got to run the commands (libvirtd down, no permission).
  if (!outputs) throw new OperatorError(`virsh could not run: ${readableHostError(result.stderr)}`)
  return outputs
}

/**
 * virshBatch's command and the splitting of its output, for a caller that runs the batch inside a larger script
 * (another read in the same round trip). `split` answers null when virsh never got to run the commands.
 */
export function virshBatchScript(commands: string[][]): {
  command: ShellCommand
  split: (stdout: string) => string[] | null
} {
  // Not quiet (-q): net-list keeps its header, whose column positions the table parser reads.
  const marker = `@@virtnet-${randomBytes(8).toString('hex')}@@`
  const script = commands.map((argv) => `${shellJoin(argv)} ; echo ${marker}`).join(' ; ')
  return {
    command: sh`LC_ALL=C virsh -c ${connectUri} ${script}`,
    split: (stdout) => {
      const parts = stdout.split(marker)
      return parts.length < 2 ? null : commands.map((_, index) => parts[index] ?? '')
    },
  }
}
