import 'server-only'
// The contract test's check: a real answer of /api/v1 against the OpenAPI document the API serves. The answer's
// status must be documented for its path and method, and its body must validate against the documented schema.
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { openApiDocument } from '@/lib/api/openapi'

const document = openApiDocument()
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats.default(ajv)
ajv.addSchema(document, 'openapi.json')

const templates = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+').replace(/\./g, '\\.')}$`),
  fixed: template.split('/').filter((part) => !part.startsWith('{')).length,
}))

const pointer = (...parts: string[]) => parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')

/** Null when the answer keeps to the document; otherwise what is wrong, in words. */
export function contractProblem(
  method: string,
  pathname: string,
  status: number,
  contentType: string | null,
  body: unknown,
) {
  const match = templates.filter((t) => t.pattern.test(pathname)).sort((a, b) => b.fixed - a.fixed)[0]
  if (!match) return `${pathname} is not in the document`
  const operation = (
    document.paths as Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
    >
  )[match.template]![method.toLowerCase()]
  if (!operation) return `${method} ${match.template} is not in the document`
  const response = operation.responses[String(status)]
  if (!response) return `${method} ${match.template} does not document the status ${status}`
  const type = (contentType ?? '').split(';')[0]!.trim()
  if (!response.content?.[type]) return `${method} ${match.template} ${status} does not document ${type}`
  const ref = `openapi.json#/${pointer('paths', match.template, method.toLowerCase(), 'responses', String(status), 'content', type, 'schema')}`
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref })
  if (validate(body)) return null
  return `${method} ${match.template} ${status}: ${ajv.errorsText(validate.errors)}`
}
