import 'server-only'
// The /api/v1 route handlers behind a real HTTP server on loopback, in the test's own process: what the command
// line (a separate Node process) talks to in integration tests without a production build. Routes are found the way
// Next finds them, from app/api/v1/**/route.ts; each request becomes a NextRequest for the route's handler, and its
// Response (an SSE stream included) is written back as it comes.
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { NextRequest } from 'next/server'

const root = path.resolve(import.meta.dirname, '../..')

type Handler = (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>
type Route = { pattern: RegExp; names: string[]; file: string; module?: Record<string, unknown>; segments: number }

function routeFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name)
    if (entry.isDirectory()) return routeFiles(relative)
    return entry.name === 'route.ts' ? [relative] : []
  })
}

function routes(): Route[] {
  return routeFiles('app/api/v1')
    .map((file) => {
      const parts = path.posix.dirname(file).replace(/^app/, '').split('/').filter(Boolean)
      const names: string[] = []
      const pattern = parts
        .map((part) => {
          const param = /^\[(\w+)\]$/.exec(part)
          if (!param) return part.replace(/[.]/g, '\\.')
          names.push(param[1]!)
          return '([^/]+)'
        })
        .join('/')
      return {
        pattern: new RegExp(`^/${pattern}$`),
        names,
        file,
        segments: parts.filter((p) => !p.startsWith('[')).length,
      }
    })
    .sort((a, b) => b.segments - a.segments) // a fixed segment wins over a parameter, as in Next
}

export async function startApiServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const table = routes()
  const server = http.createServer((incoming, outgoing) => {
    void serve(table, incoming, outgoing).catch((error: unknown) => {
      outgoing.statusCode = 500
      outgoing.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function serve(table: Route[], incoming: http.IncomingMessage, outgoing: http.ServerResponse) {
  const url = new URL(incoming.url ?? '/', 'http://127.0.0.1')
  const route = table.find((r) => r.pattern.test(url.pathname))
  if (!route) {
    outgoing.statusCode = 404
    return outgoing.end()
  }
  route.module ??= (await import(/* @vite-ignore */ path.join(root, route.file))) as Record<string, unknown>
  const handler = route.module[incoming.method ?? 'GET'] as Handler | undefined
  if (!handler) {
    outgoing.statusCode = 405
    return outgoing.end()
  }
  const match = route.pattern.exec(url.pathname)!
  const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]))
  const chunks: Buffer[] = []
  for await (const chunk of incoming) chunks.push(chunk as Buffer)
  const body = chunks.length ? Buffer.concat(chunks) : undefined
  const abort = new AbortController()
  outgoing.on('close', () => abort.abort())
  const request = new NextRequest(url, {
    method: incoming.method,
    headers: Object.entries(incoming.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])) as [
      string,
      string,
    ][],
    body: body && !['GET', 'HEAD'].includes(incoming.method ?? '') ? body : undefined,
    signal: abort.signal,
  })
  const response = await handler(request, { params: Promise.resolve(params) })
  outgoing.statusCode = response.status
  response.headers.forEach((value, key) => outgoing.setHeader(key, value))
  if (!response.body) return outgoing.end()
  outgoing.flushHeaders()
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (abort.signal.aborted) break
    outgoing.write(chunk)
  }
  outgoing.end()
}
