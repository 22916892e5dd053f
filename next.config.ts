import type { NextConfig } from 'next'

const nextConfig: NextConfig = {
  // ssh2 and better-sqlite3 carry native/optional bindings that must not be bundled.
  serverExternalPackages: ['ssh2', 'better-sqlite3', '@prisma/adapter-better-sqlite3'],
  poweredByHeader: false,
  // Separate build folders let several checkouts' builds (or a build beside a running server) coexist.
  distDir: process.env.VIRTNET_DIST_DIR ?? '.next',
  // forbidden() gives a real 403 page when a role may not see a page.
  experimental: { authInterrupts: true },
}

export default nextConfig
