import { NextResponse } from 'next/server'
import { searchInventory } from '@/lib/inventory/read'
import { sessionRoute } from '@/lib/auth/session-route'

/** The command palette's search: where a MAC, address, guest, network or host port lives, from the inventory. */
export const GET = sessionRoute(async (request) => {
  const query = new URL(request.url).searchParams.get('q') ?? ''
  const hits = await searchInventory(query.slice(0, 200))
  return NextResponse.json({ hits }, { headers: { 'cache-control': 'no-store' } })
})
