import { z } from 'zod'
import { parseTrustedProxies } from '@/lib/config/client-address'

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
const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^file:/, 'DATABASE_URL must be a SQLite file URL (file:/path/to/virtnet.db)')
    .optional(),
  VIRTNET_DATA_DIR: z.string().min(1).optional(),
  VIRTNET_SSH_KEY: z.string().min(1).optional(),
  VIRTNET_AUDIT_KEY_FILE: z.string().min(1).optional(),
  VIRTNET_SECURE_COOKIES: z.enum(['0', '1']).optional(),
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
  VIRTNET_ADMIN_PASSWORD: z.string().min(12, 'VIRTNET_ADMIN_PASSWORD must be at least 12 characters').optional(),
  ...ObservabilityEnv,
})

export function validateEnv() {
  const parsed = EnvSchema.safeParse(process.env)
  if (!parsed.success) {
    throw new Error(
      `Invalid environment:\n${parsed.error.issues.map((i) => `- ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    )
  }
  return parsed.data
}
