import type { Metadata } from 'next'
import { authorizePage } from '@/lib/auth/authorize-page'
import { openApiDocument } from '@/lib/api/openapi'

export const metadata: Metadata = { title: 'API reference' }

/** The OpenAPI document in words: every path, method and summary, and each body's fields. */
export default async function ApiReferencePage() {
  await authorizePage('ownAccount')
  const document = openApiDocument()
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">API reference</h1>
      <p className="text-sm">
        {document.info.description} The machine-readable document:{' '}
        <a className="underline" href="/api/v1/openapi.json">
          /api/v1/openapi.json
        </a>{' '}
        (OpenAPI {document.openapi}).
      </p>
      {Object.entries(document.paths).map(([url, item]) => (
        <section key={url} className="card space-y-2" aria-label={url}>
          <h2 className="font-mono text-sm font-semibold">{url}</h2>
          {Object.entries(item).map(([method, operation]) => {
            const op = operation as {
              summary: string
              requestBody?: {
                content: { 'application/json': { schema: { properties?: object; required?: string[] } } }
              }
            }
            const schema = op.requestBody?.content['application/json'].schema
            return (
              <div key={method} className="text-sm">
                <span className="font-mono font-semibold uppercase">{method}</span> {op.summary}
                {schema?.properties && (
                  <p className="text-slate-600 dark:text-slate-300">
                    Fields:{' '}
                    {Object.keys(schema.properties)
                      .map((field) => (schema.required?.includes(field) ? `${field}*` : field))
                      .join(', ')}
                  </p>
                )}
              </div>
            )
          })}
        </section>
      ))}
    </div>
  )
}
