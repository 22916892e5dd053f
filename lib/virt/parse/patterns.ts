import 'server-only'

/** Strict dotted-quad IPv4 (no leading zeros), as a RegExp source for composing larger patterns. */
export const IPV4_PATTERN_SOURCE = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}'
