import { apiRoute } from '@/lib/api/route'
import { json } from '@/lib/api/json'
import { listRecentJobs } from '@/lib/jobs/jobs'

/** The 20 most recent jobs. */
export const GET = apiRoute(async () => json(await listRecentJobs()))
