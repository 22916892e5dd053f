import type { NextConfig } from 'next'

const nextConfig: NextConfig = {
  // ssh2 and better-sqlite3 carry native/optional bindings that must not be bundled.
  serverExternalPackages: ['ssh2', 'better-sqlite3', '@prisma/adapter-better-sqlite3'],
  poweredByHeader: false,
  // Separate build folders let several checkouts' builds (or a build beside a running server) coexist.
  distDir: process.env.VIRTNET_DIST_DIR ?? '.next',
  experimental: {
    // forbidden() gives a real 403 page when a role may not see a page.
    authInterrupts: true,
    // Next refuses a bigger server-action body with an error page, the operator's text lost and nothing audited; up
    // to this bound the request reaches runAction, whose schemas refuse a text over its own cap (the XML, a CSV:
    // 1 MB) as a field error that keeps the text, audited. Below proxyClientMaxBodySize (10 MB), which proxy.ts needs.
    // Behind a proxy that rewrites the Host header, the public origin the browser posts from (deploy/nginx/).
    serverActions: {
      bodySizeLimit: '8mb',
      allowedOrigins: process.env.VIRTNET_ALLOWED_ORIGINS?.split(',').map((origin) => origin.trim()),
    },
  },
}

export default nextConfig
