import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'
import { checkLogin } from '@/lib/auth/login'
import { recordAudit } from '@/lib/audit/record'
import { request } from '@/lib/test/next-request'
import { run, sh, closeAllSessions } from '@/lib/ssh'
import { registeredLabHost } from '@/lib/test/lab'
import { GET } from '@/app/metrics/route'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)

// /metrics through its real route handler: refused without the token, and with it the Prometheus text, parsed, with
// a command just run on lab host A counted under the host's name.

const token = 'vnm-metrics-token-0123456789abcdef'

type Sample = { name: string; labels: Record<string, string>; value: number }

/** Prometheus' text format: `# HELP`/`# TYPE` lines, then `name{label="value",…} number` per sample. */
function parse(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>()
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    const type = line.match(/^# TYPE (\S+) (\S+)$/)
    if (type) types.set(type[1]!, type[2]!)
    if (!line || line.startsWith('#')) continue
    const sample = line.match(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/)
    if (!sample) throw new Error(`not a Prometheus sample line: ${line}`)
    const labels = Object.fromEntries(
      [...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
    )
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) })
  }
  return { types, samples }
}

const scrape = (authorization?: string) =>
  GET(new Request('http://localhost/metrics', { headers: authorization ? { authorization } : {} }))

async function scraped() {
  const response = await scrape(`Bearer ${token}`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return parse(await response.text())
}

const valueOf = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0

beforeAll(() => {
  process.env.VIRTNET_METRICS_TOKEN = token
})

afterEach(() => {
  process.env.VIRTNET_METRICS_TOKEN = token
})

afterAll(async () => {
  delete process.env.VIRTNET_METRICS_TOKEN
  await closeAllSessions()
})

describe('/metrics', () => {
  it('is off without a configured token', async () => {
    delete process.env.VIRTNET_METRICS_TOKEN
    const response = await scrape(`Bearer ${token}`)
    expect(response.status).toBe(404)
    expect(await response.text()).not.toMatch(/virtnet_/)
  })

  it('refuses a scrape without the token or with a wrong one, and counts the refusals', async () => {
    const before = valueOf((await scraped()).samples, 'virtnet_refused_requests_total', { reason: 'metrics_token' })
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token-wrong', `Basic ${token}`]) {
      const response = await scrape(authorization)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(await response.text()).not.toMatch(/virtnet_/)
    }
    const after = valueOf((await scraped()).samples, 'virtnet_refused_requests_total', { reason: 'metrics_token' })
    expect(after - before).toBe(3)
  })

  it('lists every Virtnet metric with its type', async () => {
    const { types } = await scraped()
    expect(Object.fromEntries([...types].filter(([name]) => name.startsWith('virtnet_')))).toEqual({
      virtnet_host_commands_total: 'counter',
      virtnet_host_command_duration_seconds: 'histogram',
      virtnet_audit_appends_total: 'counter',
      virtnet_refused_requests_total: 'counter',
      virtnet_login_failures_total: 'counter',
      virtnet_host_up: 'gauge',
      virtnet_host_ssh_round_trip_seconds: 'gauge',
      virtnet_host_health_checked_timestamp_seconds: 'gauge',
      virtnet_jobs: 'gauge',
    })
    expect(types.get('process_cpu_seconds_total')).toBe('counter')
  })

  it('counts a real command on lab host A by host name and outcome, with its duration', async () => {
    const { target } = await registeredLabHost('lab-a')
    const host = target.name!
    const before = (await scraped()).samples
    await run(target, sh`true`)
    await run(target, sh`exit 3`, { allowFailure: true })
    const after = (await scraped()).samples
    const delta = (name: string, labels: Record<string, string>) =>
      valueOf(after, name, labels) - valueOf(before, name, labels)
    expect(delta('virtnet_host_commands_total', { host, outcome: 'ok' })).toBe(1)
    expect(delta('virtnet_host_commands_total', { host, outcome: 'failed' })).toBe(1)
    expect(delta('virtnet_host_command_duration_seconds_count', { host, outcome: 'ok' })).toBe(1)
    expect(delta('virtnet_host_command_duration_seconds_bucket', { host, outcome: 'ok', le: '+Inf' })).toBe(1)
    expect(delta('virtnet_host_command_duration_seconds_sum', { host, outcome: 'ok' })).toBeGreaterThan(0)
  })

  it("reports a host's last health check and the jobs by state from the database", async () => {
    const { row } = await registeredLabHost('lab-a')
    const checkedAt = new Date()
    const previous = { health: row.health, healthCheckedAt: row.healthCheckedAt }
    await db.host.update({
      where: { id: row.id },
      data: { health: JSON.stringify({ reachable: true, latencyMs: 2.5, warnings: [] }), healthCheckedAt: checkedAt },
    })
    try {
      const { samples } = await scraped()
      expect(valueOf(samples, 'virtnet_host_up', { host: row.name })).toBe(1)
      expect(valueOf(samples, 'virtnet_host_ssh_round_trip_seconds', { host: row.name })).toBe(0.0025)
      expect(valueOf(samples, 'virtnet_host_health_checked_timestamp_seconds', { host: row.name })).toBe(
        checkedAt.getTime() / 1000,
      )
      const running = await db.job.count({ where: { status: 'running' } })
      expect(samples.find((s) => s.name === 'virtnet_jobs' && s.labels.state === 'running')?.value).toBe(running)
    } finally {
      await db.host.update({ where: { id: row.id }, data: previous })
    }
  })

  it('counts audit appends by result, refused requests and log-in failures where they happen', async () => {
    const before = (await scraped()).samples
    await recordAudit({ actor: { id: null, username: 'vnm-metrics' }, action: 'vnm.metrics-test', result: 'refused' })
    request.cookies.clear()
    await expect(authorize('viewHosts')).rejects.toThrow()
    expect((await checkLogin('vnm-metrics-nobody', 'wrong', '127.0.0.9')).outcome).toBe('wrong')
    await db.loginThrottle.deleteMany({ where: { clientIp: '127.0.0.9' } })
    const after = (await scraped()).samples
    const delta = (name: string, labels: Record<string, string> = {}) =>
      valueOf(after, name, labels) - valueOf(before, name, labels)
    expect(delta('virtnet_audit_appends_total', { result: 'refused' })).toBe(1)
    expect(delta('virtnet_refused_requests_total', { reason: 'signed_out' })).toBe(1)
    expect(delta('virtnet_login_failures_total')).toBe(1)
  })
})
