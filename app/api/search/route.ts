import { NextResponse } from 'next/server'
import { searchInventory } from '@/lib/inventory/read'
import { NotAuthorizedError } from '@/lib/core/errors'

/** The command palette's search: where a MAC, address, guest, network or host port lives, from the inventory. */
export async function GET(request: Request) {
  const query = new URL(request.url).searchParams.get('q') ?? ''
  try {
    const hits = await searchInventory(query.slice(0, 200))
    return NextResponse.json({ hits }, { headers: { 'cache-control': 'no-store' } })
  } catch (error) {
    if (error instanceof NotAuthorizedError)
      return NextResponse.json({ error: error.message }, { status: error.user ? 403 : 401 })
    throw error
  }
}
