// oidc-provider ships no type declarations (and @types/oidc-provider lags its major versions): the little the e2e
// provider (scripts/e2e-oidc-provider.ts) uses.
declare module 'oidc-provider' {
  type Account = { accountId: string; claims: () => Promise<Record<string, unknown>> }
  type Configuration = {
    clients: Array<Record<string, unknown>>
    pkce?: { required: () => boolean }
    claims?: Record<string, string[]>
    findAccount: (context: unknown, id: string) => Promise<Account>
    cookies?: { keys: string[] }
  }
  export default class Provider {
    constructor(issuer: string, configuration: Configuration)
    proxy: boolean
    listen(port: number, host: string, callback: () => void): unknown
  }
}
