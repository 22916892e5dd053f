import 'server-only'

// Public API of the SSH host-session layer. Import from '@/lib/ssh'.
export type { HostTarget, RunOptions, RunResult, CommandRecord } from './types'
export { run, runViaExecChannel } from './run'
export { testConnection } from './connection-check'
export { probeHostKey } from './connect'
export { closeHostSession, closeAllSessions, retireAllSessions } from './session'
export { sh, shellQuote, shellJoin, isShellCommand, type ShellCommand, type ShellValue } from './quote'
export { recordCommands, recordedCommandsOf } from './record'
export { normalizeFingerprint, isSha256Fingerprint } from './fingerprint'
export {
  SshError,
  HostKeyMismatchError,
  HostKeyNotPinnedError,
  HostUnreachableError,
  HostAuthError,
  CommandTimeoutError,
  CommandFailedError,
  CommandCancelledError,
} from './errors'
