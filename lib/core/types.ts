/** The types several folders share; each is declared once, here. */

/** A registered host as domain code names it: its database id and its display name. */
export type HostRef = { id: string; name: string }

/** Who did something, as the audit log and jobs record it; `id` is null for an anonymous or scripted actor. */
export type Actor = { id: string | null; username: string }

/** A signed-in person acting (never anonymous). */
export type UserActor = { id: string; username: string }
