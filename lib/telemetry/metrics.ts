import 'server-only'
import { createHash, timingSafeEqual } from 'node:crypto'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { db } from '@/lib/db/client'

// What Prometheus scrapes from /metrics. Counters are bumped where things happen (the one host-command choke point in
// lib/ssh, the audit append, authorize, the login); the gauges read the database at scrape time (jobs by state, each
// host's last health check), so they are right whichever process changed it.

/** Outcome of one host command as counted: how it ended, not what it printed. */
export type CommandOutcome = 'ok' | 'failed' | 'timeout' | 'cancelled' | 'unreachable' | 'error'

function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return {
    registry,
    hostCommands: new Counter({
      name: 'virtnet_host_commands_total',
      help: 'Commands run on hosts, by host and outcome (ok, failed: non-zero exit, timeout, cancelled, unreachable, error).',
      labelNames: ['host', 'outcome'] as const,
      registers: [registry],
    }),
    hostCommandSeconds: new Histogram({
      name: 'virtnet_host_command_duration_seconds',
      help: 'Time from queueing a host command to its end, by host and outcome.',
      labelNames: ['host', 'outcome'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers: [registry],
    }),
    auditAppends: new Counter({
      name: 'virtnet_audit_appends_total',
      help: 'Records appended to the audit chain, by result (success, failure, refused).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    refusedRequests: new Counter({
      name: 'virtnet_refused_requests_total',
      help: 'Requests refused before any work: signed_out, forbidden (the role does not allow it), metrics_token.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    loginFailures: new Counter({
      name: 'virtnet_login_failures_total',
      help: 'Log-in attempts with a wrong user name or password, or by a disabled user.',
      registers: [registry],
    }),
    hostUp: new Gauge({
      name: 'virtnet_host_up',
      help: "1 when the host's last health check reached it, 0 when it did not (hosts never checked are left out).",
      labelNames: ['host'] as const,
      registers: [registry],
      async collect() {
        this.reset()
        for (const { name, health } of await lastHealthChecks()) this.set({ host: name }, health.reachable ? 1 : 0)
      },
    }),
    hostRoundTrip: new Gauge({
      name: 'virtnet_host_ssh_round_trip_seconds',
      help: "Round trip of a command on the host's kept SSH session, measured by its last health check.",
      labelNames: ['host'] as const,
      registers: [registry],
      async collect() {
        this.reset()
        for (const { name, health } of await lastHealthChecks())
          if (health.reachable && typeof health.latencyMs === 'number')
            this.set({ host: name }, health.latencyMs / 1000)
      },
    }),
    hostCheckedAt: new Gauge({
      name: 'virtnet_host_health_checked_timestamp_seconds',
      help: "When the host's last health check ran (Unix time): how old virtnet_host_up is.",
      labelNames: ['host'] as const,
      registers: [registry],
      async collect() {
        this.reset()
        for (const { name, checkedAt } of await lastHealthChecks()) this.set({ host: name }, checkedAt.getTime() / 1000)
      },
    }),
    jobs: new Gauge({
      name: 'virtnet_jobs',
      help: 'Background jobs by state (running, succeeded, failed, interrupted).',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        this.reset()
        for (const state of ['running', 'succeeded', 'failed', 'interrupted']) this.set({ state }, 0)
        const groups = await db.job.groupBy({ by: ['status'], _count: { _all: true } })
        for (const group of groups) this.set({ state: group.status }, group._count._all)
      },
    }),
  }
}

type HealthSeen = { reachable: boolean; latencyMs?: number }

/** Each checked host's last health report (lib/hosts keeps its whole shape; only these two fields are read here). */
async function lastHealthChecks(): Promise<Array<{ name: string; health: HealthSeen; checkedAt: Date }>> {
  const hosts = await db.host.findMany({
    where: { health: { not: null }, healthCheckedAt: { not: null } },
    select: { name: true, health: true, healthCheckedAt: true },
  })
  return hosts.flatMap(({ name, health, healthCheckedAt }) => {
    try {
      const parsed = JSON.parse(health!) as HealthSeen
      return typeof parsed.reachable === 'boolean' ? [{ name, health: parsed, checkedAt: healthCheckedAt! }] : []
    } catch {
      return []
    }
  })
}

// One set per process, on globalThis: Next bundles the instrumentation hook, route handlers and actions apart, and a
// module instance each would count into registries nobody scrapes (and dev hot reloads would register twice).
const KEY = Symbol.for('virtnet.telemetry.metrics')
const metrics: ReturnType<typeof createMetrics> = ((globalThis as Record<symbol, unknown>)[KEY] ??=
  createMetrics()) as ReturnType<typeof createMetrics>

/** Called by lib/ssh's run() for every command, whatever its end. */
export function countHostCommand(host: string, outcome: CommandOutcome, seconds: number): void {
  metrics.hostCommands.inc({ host, outcome })
  metrics.hostCommandSeconds.observe({ host, outcome }, seconds)
}

export function countAuditAppend(result: string): void {
  metrics.auditAppends.inc({ result })
}

export function countRefusedRequest(reason: 'signed_out' | 'forbidden' | 'metrics_token'): void {
  metrics.refusedRequests.inc({ reason })
}

export function countLoginFailure(): void {
  metrics.loginFailures.inc()
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/**
 * The scrape's authorization: the request must carry `Authorization: Bearer <VIRTNET_METRICS_TOKEN>`. Without the
 * variable set, /metrics is off. Compared in constant time; a refusal is counted like any other.
 */
export function authorizeScrape(request: Request): 'allowed' | 'off' | 'refused' {
  const token = process.env.VIRTNET_METRICS_TOKEN
  if (!token) return 'off'
  const sent = request.headers.get('authorization')?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
  if (sent !== undefined && timingSafeEqual(digest(sent), digest(token))) return 'allowed'
  countRefusedRequest('metrics_token')
  return 'refused'
}

/** The text a scrape gets, and its content type (Prometheus' text format). */
export async function metricsText(): Promise<{ text: string; contentType: string }> {
  return { text: await metrics.registry.metrics(), contentType: metrics.registry.contentType }
}
