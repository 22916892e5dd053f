import { NextResponse } from 'next/server'
import { startSso } from '@/lib/users/sso'

/** "Sign in with …": off to the provider, the flow's secrets sealed in a cookie (lib/users/sso.ts). */
export async function GET() {
  return NextResponse.redirect(await startSso(), 303)
}
