import 'server-only'
import ssh2 from 'ssh2'
import type { Client, ConnectConfig } from 'ssh2'
import { dashboardIdentity } from './identity'
import {
  endpointLabel,
  HostAuthError,
  HostKeyMismatchError,
  HostKeyNotPinnedError,
  HostUnreachableError,
  SshError,
  type Endpoint,
} from './errors'
import { normalizeFingerprint, sshFingerprint, sshKeyType } from './fingerprint'
import type { HostTarget } from './types'

// Deadlines that keep a dead host from holding anything up (lib/ssh/README.md, "Deadlines"). A host whose packets are
// silently dropped never sends a reset: without these, TCP would retransmit for many minutes before giving up.

/** Connecting gives up after this long without a complete handshake and login (a black-holed port, a hung sshd). */
export const READY_TIMEOUT_MS = 10_000
/** An open connection sends an SSH keepalive (a request the host must answer) this often … */
export const KEEPALIVE_INTERVAL_MS = 3_000
/** … and is declared dead once this many in a row went unanswered: 9 s of silence, noticed 9–12 s after the last answer. */
export const KEEPALIVE_COUNT_MAX = 3
/** How long a host may leave keepalives unanswered before its connection is given up. */
export const SILENCE_LIMIT_MS = KEEPALIVE_INTERVAL_MS * KEEPALIVE_COUNT_MAX

type SshLibError = Error & { level?: string; code?: string | number }

/** Turn an ssh2 / socket error during connection setup into an operator-readable SshError. */
export function connectError(target: Endpoint & { username?: string }, err: SshLibError, hostId?: string): SshError {
  const where = endpointLabel(target)
  const code = typeof err.code === 'string' ? err.code : undefined
  if (err.level === 'client-authentication') {
    const hint = 'shown on the Hosts page'
    return new HostAuthError({ ...target, username: target.username ?? 'root' }, hint, { hostId, cause: err })
  }
  if (err.level === 'client-timeout') {
    return new HostUnreachableError(
      `Cannot reach ${where}: no SSH answer within ${READY_TIMEOUT_MS / 1000} s. Check the address, the port and any firewall in between.`,
      {
        hostId,
        cause: err,
      },
    )
  }
  const reasons: Record<string, string> = {
    ECONNREFUSED: `the connection was refused. Check that sshd is running on the host and listening on port ${target.port}.`,
    ETIMEDOUT: 'the host did not answer. Check the address and any firewall in between.',
    EHOSTUNREACH: 'there is no route to the host. Check the address and the network.',
    ENETUNREACH: 'the network is unreachable from the dashboard.',
    ECONNRESET: 'the connection was reset by the host.',
    EPIPE: 'the connection was closed by the host.',
    ENOTFOUND: `the name "${target.address}" cannot be resolved.`,
    EAI_AGAIN: `the name "${target.address}" cannot be resolved right now (DNS failure).`,
  }
  if (code && reasons[code])
    return new HostUnreachableError(`Cannot reach ${where}: ${reasons[code]}`, { hostId, cause: err })
  if (/before handshake/i.test(err.message)) {
    return new HostUnreachableError(
      `Cannot reach ${where}: the connection was closed before the SSH handshake. sshd may be restarting, overloaded (MaxStartups) or refusing the dashboard's address.`,
      { hostId, cause: err },
    )
  }
  if (err.level === 'client-socket' || err.level === 'client-dns') {
    return new HostUnreachableError(`Cannot reach ${where}: ${err.message}`, { hostId, cause: err })
  }
  return new SshError(`The SSH handshake with ${where} failed: ${err.message}`, {
    code: 'SSH_HANDSHAKE_FAILED',
    hostId,
    cause: err,
  })
}

function baseConfig(target: Endpoint): ConnectConfig {
  return {
    host: target.address,
    port: target.port,
    readyTimeout: READY_TIMEOUT_MS,
  }
}

/**
 * Open an authenticated connection to a host whose key is pinned. Rejects with
 * HostKeyNotPinnedError, HostKeyMismatchError, HostAuthError, HostUnreachableError or SshError.
 * The returned client keeps a permanent 'error' listener, so a later error never crashes the process.
 */
export function connectClient(
  host: HostTarget,
  signal?: AbortSignal,
  identity?: { privateKey: string },
): Promise<Client> {
  if (!host.pinnedFingerprint) return Promise.reject(new HostKeyNotPinnedError(host, host.id))
  const expected = normalizeFingerprint(host.pinnedFingerprint)
  let privateKey: string
  try {
    privateKey = identity?.privateKey ?? dashboardIdentity().privateKey
  } catch (error) {
    return Promise.reject(
      new SshError(`The dashboard's SSH key cannot be loaded: ${(error as Error).message}`, {
        code: 'SSH_IDENTITY',
        hostId: host.id,
        cause: error,
      }),
    )
  }

  return new Promise<Client>((resolve, reject) => {
    const client = new ssh2.Client()
    let settled = false
    let mismatch: HostKeyMismatchError | undefined
    const settle = (error: SshError | undefined) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      if (error) {
        client.end()
        reject(error)
      } else {
        resolve(client)
      }
    }
    const onAbort = () =>
      settle(
        new SshError(`Connecting to ${endpointLabel(host)} was aborted.`, {
          code: 'SSH_CONNECT_ABORTED',
          hostId: host.id,
        }),
      )
    signal?.addEventListener('abort', onAbort, { once: true })

    client.on('ready', () => {
      // Commands are small writes answered by small reads: Nagle's algorithm against delayed ACKs would add ~40 ms to each.
      client.setNoDelay(true)
      settle(undefined)
    })
    client.on('error', (err: SshLibError) => settle(mismatch ?? connectError(host, err, host.id)))
    client.on('close', () =>
      settle(
        mismatch ??
          new HostUnreachableError(
            `${endpointLabel(host)} closed the connection during the SSH handshake. The host may be overloaded (sshd MaxStartups) or refusing the dashboard's address.`,
            {
              hostId: host.id,
            },
          ),
      ),
    )
    if (signal?.aborted) return onAbort()
    client.connect({
      ...baseConfig(host),
      username: host.username,
      privateKey,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      // ssh2 passes the raw key blob; the server's signature over the exchange is verified after this.
      hostVerifier: (key: Buffer) => {
        const actual = sshFingerprint(key)
        if (actual === expected) return true
        mismatch = new HostKeyMismatchError(host, expected, actual, sshKeyType(key), host.id)
        return false
      },
    })
  })
}

/**
 * Connect far enough to learn the host key (including the server proving it owns that key), then
 * disconnect without authenticating. Returns the OpenSSH SHA-256 fingerprint and key type.
 */
export function probeHostKey(target: Endpoint): Promise<{ fingerprint: string; keyType: string }> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client()
    let key: Buffer | undefined
    let settled = false
    const finish = (result: { fingerprint: string; keyType: string } | SshError) => {
      if (settled) return
      settled = true
      client.end()
      if (result instanceof SshError) reject(result)
      else resolve(result)
    }
    const fromKey = () => (key ? { fingerprint: sshFingerprint(key), keyType: sshKeyType(key) } : undefined)
    // 'handshake' fires once key exchange is complete, i.e. after the host's signature was verified.
    client.on('handshake', () => {
      const found = fromKey()
      if (found) finish(found)
    })
    client.on('error', (err: SshLibError) => finish(connectError(target, err)))
    client.on('close', () =>
      finish(new HostUnreachableError(`${endpointLabel(target)} closed the connection before showing its host key.`)),
    )
    client.connect({
      ...baseConfig(target),
      username: 'virtnet-host-key-probe',
      hostVerifier: (blob: Buffer) => {
        key = Buffer.from(blob)
        return true
      },
      // Never try to authenticate (ssh2 treats `false` as "no more methods").
      authHandler: (_methodsLeft, _partialSuccess, next) => (next as unknown as (method: false) => void)(false),
    })
  })
}
