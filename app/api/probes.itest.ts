import { afterEach, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { shippedMigrations } from '@/lib/db/readiness'
import { GET as health } from '@/app/api/health/route'
import { GET as ready } from '@/app/api/ready/route'

// The probes a load balancer or the service manager asks, signed out: through the real route handlers, on the real
// (migrated) test database.

const latest = shippedMigrations().at(-1)!

afterEach(async () => {
  // Put back what a test took away, even when it failed half-way.
  await db.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = ${latest}`
})

describe('/api/health', () => {
  it('answers ok and nothing else', async () => {
    const response = health()
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({ status: 'ok' })
  })
})

describe('/api/ready', () => {
  it('is ready on a migrated database, and says nothing else', async () => {
    const response = await ready()
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ready' })
  })

  it('is not ready while a shipped migration is not applied, without saying which', async () => {
    await db.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = CURRENT_TIMESTAMP WHERE migration_name = ${latest}`
    const response = await ready()
    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({ status: 'not ready' })
  })
})
