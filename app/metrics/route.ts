import { NextResponse } from 'next/server'
import { authorizeScrape, metricsText } from '@/lib/telemetry/metrics'

export const dynamic = 'force-dynamic'

// Prometheus scrapes here with the bearer token of VIRTNET_METRICS_TOKEN; the token is checked here, in the handler.
export async function GET(request: Request) {
  const verdict = authorizeScrape(request)
  if (verdict === 'off')
    return NextResponse.json({ error: 'Metrics are off: the server has no VIRTNET_METRICS_TOKEN.' }, { status: 404 })
  if (verdict === 'refused')
    return NextResponse.json(
      { error: 'Send the metrics token as "Authorization: Bearer <token>".' },
      { status: 401, headers: { 'www-authenticate': 'Bearer realm="virtnet-metrics"' } },
    )
  const { text, contentType } = await metricsText()
  return new Response(text, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } })
}
