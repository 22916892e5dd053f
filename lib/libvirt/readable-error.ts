/**
 * libvirt writes errors as "error: Failed to start network x\nerror: internal error: ...". Operators should read
 * one plain sentence, not the prefix noise (and never a stack trace).
 */
export function readableHostError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim().replace(/^error:\s*/i, ''))
    .filter((line) => line && !/^setlocale/.test(line))
  if (lines.length === 0) return 'The command failed without an error message.'
  const text = lines.join(': ').replace(/\s+/g, ' ')
  const sentence = text.charAt(0).toUpperCase() + text.slice(1)
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`
}
