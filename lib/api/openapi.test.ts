import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { openApiDocument } from './openapi'

const root = path.resolve(import.meta.dirname, '../..')

function routeFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name)
    if (entry.isDirectory()) return routeFiles(relative)
    return entry.name === 'route.ts' ? [relative] : []
  })
}

describe('the OpenAPI document', () => {
  const document = openApiDocument()

  it('describes every /api/v1 route and method (except itself)', () => {
    for (const file of routeFiles('app/api/v1')) {
      const url = `/${path.posix
        .dirname(file)
        .replace(/^app\//, '')
        .replace(/\[(\w+)\]/g, '{$1}')}`
      if (url === '/api/v1/openapi.json') continue
      const source = fs.readFileSync(path.join(root, file), 'utf8')
      const methods = [...source.matchAll(/^export const (GET|POST|PUT|PATCH|DELETE)\b/gm)].map((m) => m[1]!)
      expect(Object.keys(document.paths), file).toContain(url)
      const described = Object.keys(document.paths[url as keyof typeof document.paths])
      expect(described.sort(), file).toEqual(methods.map((m) => m.toLowerCase()).sort())
    }
  })

  it('has request bodies from the forms’ zod schemas that compile as JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: false })
    addFormats.default(ajv)
    const forward = document.paths['/api/v1/hosts/{host}/forwards'].post.requestBody!.content['application/json']
    expect(forward.schema.required).toEqual(expect.arrayContaining(['guest', 'protocol', 'hostPort', 'guestPort']))
    expect(forward.schema.required).not.toContain('hostId')
    for (const item of Object.values(document.paths))
      for (const operation of Object.values(item) as Array<{
        requestBody?: { content: Record<string, { schema: object }> }
      }>)
        if (operation.requestBody) ajv.compile(operation.requestBody.content['application/json']!.schema)
    expect(ajv.compile(document.components.schemas.Problem)({ type: 'x', title: 't', status: 422, detail: 'd' })).toBe(
      true,
    )
  })
})
