import { describe, expect, it } from 'vitest'
import { migrationProblem, shippedMigrations } from '@/lib/db/readiness'

describe('migrationProblem', () => {
  const shipped = ['20260101000000_init', '20260201000000_more']

  it('is null when the database has exactly the shipped migrations', () => {
    expect(migrationProblem(shipped, [...shipped].reverse())).toBeNull()
  })

  it('names a shipped migration the database lacks', () => {
    expect(migrationProblem(shipped, shipped.slice(0, 1))).toBe('migrations not applied: 20260201000000_more')
  })

  it('names a migration of a newer release', () => {
    expect(migrationProblem(shipped, [...shipped, '20270101000000_newer'])).toMatch(
      /does not ship: 20270101000000_newer/,
    )
  })

  it('reads the shipped migrations from prisma/migrations, oldest first', () => {
    const names = shippedMigrations()
    expect(names[0]).toMatch(/_init$/)
    expect(names).toEqual([...names].sort())
  })
})
