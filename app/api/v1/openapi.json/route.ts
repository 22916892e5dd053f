import { openApiDocument } from '@/lib/api/openapi'

/** The API's description is public, like any API reference; every route it describes asks for a token. */
export function GET() {
  return Response.json(openApiDocument(), { headers: { 'cache-control': 'no-store' } })
}
