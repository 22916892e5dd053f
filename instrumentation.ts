export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { boot } = await import('@/lib/boot/boot')
    try {
      await boot()
    } catch (error) {
      // Next would log a failed instrumentation hook and serve anyway; a dashboard that cannot boot (a wrong
      // environment, an unreadable key) must not: exit with EX_CONFIG so the service refuses to start and says why.
      console.error(`Virtnet will not start: ${error instanceof Error ? error.message : String(error)}`)
      process.exit(78)
    }
  }
}
