// Stand-in for the 'server-only' marker package under Vitest, which runs everything server-side.
export {}
