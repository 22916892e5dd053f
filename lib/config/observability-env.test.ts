import { afterEach, describe, expect, it } from 'vitest'
import { validateEnv } from '@/lib/config/env'

// The metrics token and the log level are checked at boot like the rest of the environment: a wrong value stops the
// start with the reason in words.

const saved = { ...process.env }
afterEach(() => {
  process.env = { ...saved }
})

describe('VIRTNET_METRICS_TOKEN and VIRTNET_LOG_LEVEL', () => {
  it('accepts a long token and a pino level', () => {
    process.env.VIRTNET_METRICS_TOKEN = 'a'.repeat(24)
    process.env.VIRTNET_LOG_LEVEL = 'debug'
    expect(validateEnv()).toMatchObject({ VIRTNET_METRICS_TOKEN: 'a'.repeat(24), VIRTNET_LOG_LEVEL: 'debug' })
  })

  it('refuses a short token, in words', () => {
    process.env.VIRTNET_METRICS_TOKEN = 'short'
    expect(() => validateEnv()).toThrow(/- VIRTNET_METRICS_TOKEN must be at least 24 characters/)
  })

  it('refuses an unknown log level, naming the levels', () => {
    process.env.VIRTNET_LOG_LEVEL = 'verbose'
    expect(() => validateEnv()).toThrow(
      /VIRTNET_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
    )
  })
})
