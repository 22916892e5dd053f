import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { parseTrustedProxies } from '@/lib/config/client-address'
import { oidcVariables, readOidcSettings } from '@/lib/config/oidc-env'

// Metrics and logs (lib/telemetry): /metrics answers only with this bearer token; the log level of the JSON lines.
const ObservabilityEnv = {
  VIRTNET_METRICS_TOKEN: z
    .string()
    .min(24, 'VIRTNET_METRICS_TOKEN must be at least 24 characters (e.g. openssl rand -hex 24)')
    .regex(/^\S+$/, 'VIRTNET_METRICS_TOKEN must not contain spaces')
    .optional(),
  VIRTNET_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'VIRTNET_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional(),
}

// Validated once at boot so a typo in the environment fails loudly at start, not on the first request that needs it.
// Every message names the variable and says what is wrong in words: it is all an operator sees when the service
// refuses to start (journalctl -u virtnet).

const absolutePath = (name: string) =>
  z
    .string()
    .min(1, `${name} is empty; leave it out for the default or give an absolute path`)
    .refine((value) => path.isAbsolute(value), {
      message: `${name} must be an absolute path (a relative one would depend on the directory the service starts in)`,
    })

const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(
      /^(file:|postgres(ql)?:\/\/)/,
      'DATABASE_URL must be a SQLite file URL (file:/path/to/virtnet.db) or a PostgreSQL URL (postgresql://user:password@host/database)',
    )
    .optional(),
  VIRTNET_DATA_DIR: absolutePath('VIRTNET_DATA_DIR').optional(),
  VIRTNET_SSH_KEY: absolutePath('VIRTNET_SSH_KEY').optional(),
  VIRTNET_AUDIT_KEY_FILE: absolutePath('VIRTNET_AUDIT_KEY_FILE').optional(),
  VIRTNET_SECURE_COOKIES: z.enum(['0', '1'], 'VIRTNET_SECURE_COOKIES must be 0 or 1').optional(),
  VIRTNET_ADMIN_PASSWORD: z.string().min(12, 'VIRTNET_ADMIN_PASSWORD must be at least 12 characters').optional(),
  PORT: z
    .string()
    .refine((value) => /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65535, {
      message: 'PORT must be a TCP port number between 1 and 65535',
    })
    .optional(),
  VIRTNET_LISTEN_ADDRESS: z
    .string()
    .regex(
      /^[0-9A-Za-z.:-]+$/,
      'VIRTNET_LISTEN_ADDRESS must be an address or host name to listen on (127.0.0.1 behind a reverse proxy)',
    )
    .optional(),
  VIRTNET_TRUSTED_PROXIES: z
    .string()
    .optional()
    .superRefine((value, context) => {
      try {
        parseTrustedProxies(value)
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message })
      }
    }),
  VIRTNET_ALLOWED_ORIGINS: z
    .string()
    .regex(/^[^\s/,]+(,\s*[^\s/,]+)*$/, 'VIRTNET_ALLOWED_ORIGINS lists host[:port] values, comma-separated')
    .optional(),
  ...ObservabilityEnv,
  // Single sign-on (lib/config/oidc-env.ts): all of the required variables or none, each in its shape.
  ...Object.fromEntries(Object.values(oidcVariables).map((name) => [name, z.string().optional()])),
})

export type Env = z.infer<typeof EnvSchema>
type Environment = Record<string, string | undefined>

function problemsOf(env: Environment): string[] {
  const parsed = EnvSchema.safeParse(env)
  return [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => issue.message)),
    ...readOidcSettings(env).problems,
  ]
}

/** A directory the service must write to: it exists (or can be made) and this user may write it. */
function writableDirectoryProblem(name: string, dir: string): string | null {
  const who = typeof process.getuid === 'function' ? ` by user id ${process.getuid()}` : ''
  try {
    if (!fs.statSync(dir).isDirectory()) return `${name} (${dir}) is not a directory`
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return `${name} (${dir}) does not exist; the install script creates it (scripts/install-production.sh)`
    return `${name} (${dir}) cannot be read: ${(error as Error).message}`
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK)
  } catch {
    return `${name} (${dir}) is not writable${who}; it must belong to the service's user`
  }
  return null
}

function inside(dir: string, file: string) {
  const relative = path.relative(dir, file)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/**
 * What the production service needs beyond the shapes above (deploy/systemd/virtnet.service checks it before it
 * migrates): its paths set explicitly, its directories writable, and the audit seal key apart from the data directory
 * so that no copy of that directory carries the key that seals it.
 */
function serviceProblems(env: Environment): string[] {
  const problems: string[] = []
  for (const name of ['VIRTNET_DATA_DIR', 'VIRTNET_AUDIT_KEY_FILE', 'PORT', 'VIRTNET_LISTEN_ADDRESS'])
    if (env[name] === undefined) problems.push(`${name} is not set; the service needs it in its environment file`)
  const dataDir = env.VIRTNET_DATA_DIR
  const auditKey = env.VIRTNET_AUDIT_KEY_FILE
  if (!dataDir || !auditKey || !path.isAbsolute(dataDir) || !path.isAbsolute(auditKey)) return problems
  const dataProblem = writableDirectoryProblem('VIRTNET_DATA_DIR', dataDir)
  if (dataProblem) problems.push(dataProblem)
  if (inside(dataDir, auditKey))
    problems.push(
      `VIRTNET_AUDIT_KEY_FILE (${auditKey}) is inside VIRTNET_DATA_DIR (${dataDir}); keep the audit seal key apart from the data it seals (for example /var/lib/virtnet-audit/seal.key)`,
    )
  // The seal key's folder also receives the one-line `sealed-from-…` marker on the first audit record.
  const keyDirProblem = writableDirectoryProblem('The folder of VIRTNET_AUDIT_KEY_FILE', path.dirname(auditKey))
  if (keyDirProblem) problems.push(keyDirProblem)
  const database = env.DATABASE_URL?.startsWith('file:') ? env.DATABASE_URL.replace(/^file:/, '') : undefined
  if (database && path.isAbsolute(database) && !inside(dataDir, database))
    problems.push(
      `DATABASE_URL (${env.DATABASE_URL}) is outside VIRTNET_DATA_DIR (${dataDir}), the one writable folder`,
    )
  return problems
}

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((problem) => `- ${problem}`).join('\n')}`)
  }
}

/**
 * Throws InvalidEnvironmentError listing every problem at once. `service`: the stricter checks of the production
 * service (explicit paths, writable directories, the seal key apart).
 */
export function validateEnv(options: { service?: boolean } = {}, env: Environment = process.env): Env {
  const problems = problemsOf(env)
  if (options.service) problems.push(...serviceProblems(env))
  if (problems.length) throw new InvalidEnvironmentError(problems)
  return EnvSchema.parse(env)
}
