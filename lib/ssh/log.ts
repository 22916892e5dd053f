import 'server-only'

/** Debug logging of every command, enabled with VIRTNET_SSH_DEBUG=1 (read on each call, so it can be toggled in tests). */
export function sshDebugEnabled(): boolean {
  const value = process.env.VIRTNET_SSH_DEBUG
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false'
}

export function sshDebug(message: string): void {
  if (sshDebugEnabled()) console.debug(`[virtnet:ssh] ${message}`)
}
