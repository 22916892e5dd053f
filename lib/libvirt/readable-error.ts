/*
 * What QEMU's driver answers when a running guest's device cannot take an update without being unplugged
 * (qemuDomainChangeNet: "cannot modify network device model…", "unable to change config on 'network' network
 * type", …): the operator should read that the change needs the guest shut down, not libvirt's error class.
 */
const liveDeviceRefusal =
  /Failed to update device[^\n]*\n(?:error: )?Operation not supported: ((?:cannot|unable to) (?:change|modify) [^\n]+)/

/**
 * libvirt writes errors as "error: Failed to start network x\nerror: internal error: ...". Operators should read
 * one plain sentence, not the prefix noise (and never a stack trace).
 */
export function readableHostError(stderr: string): string {
  const live = liveDeviceRefusal.exec(stderr)
  if (live)
    return `libvirt cannot make this change to the running guest's device (${live[1]!.trim().replace(/\.$/, '')}); shut the guest down and change it then.`
  const lines = stderr
    .split('\n')
    .map((line) => line.trim().replace(/^error:\s*/i, ''))
    .filter((line) => line && !/^setlocale/.test(line))
  if (lines.length === 0) return 'The command failed without an error message.'
  const text = lines.join(': ').replace(/\s+/g, ' ')
  const sentence = text.charAt(0).toUpperCase() + text.slice(1)
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`
}
