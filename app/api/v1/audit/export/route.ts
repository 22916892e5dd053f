import { apiRoute } from '@/lib/api/route'
import { GET as exportAudit } from '@/app/api/audit/export/route'

/** The dashboard's export (CSV, or JSON with ?format=json), for a token whose user may read the audit log. */
export const GET = apiRoute(async ({ request }) => exportAudit(request))
