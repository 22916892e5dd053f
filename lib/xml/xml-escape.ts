import 'server-only'

/*
 * Two escaping dialects, because a libvirt document is written by two formatters:
 *  - libvirt's own (virBufferEscapeString): single-quoted attributes, and <>&"' escaped
 *    in attributes and text alike;
 *  - libxml2's xmlNodeDump, which libvirt uses for <metadata>: double-quoted attributes,
 *    <>&" escaped there, non-ASCII attribute characters as &#xHEX;, quotes left alone in text.
 *
 * Where libvirt would lose data we deliberately differ: tab/newline/CR in attribute values
 * are written as character references (libvirt writes them raw and they read back as spaces),
 * and CR in text likewise (a raw CR reads back as LF).
 */

// Characters XML 1.0 cannot represent at all; libvirt silently drops them too.
const UNREPRESENTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g

const LIBVIRT_ATTRIBUTE: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
}
const LIBVIRT_TEXT: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
}
const LIBXML2_ATTRIBUTE: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
}
const LIBXML2_TEXT: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '\r': '&#13;' }

export type EscapeDialect = 'libvirt' | 'libxml2'

export function escapeAttribute(value: string, dialect: EscapeDialect): string {
  const clean = value.replace(UNREPRESENTABLE, '')
  if (dialect === 'libvirt') return clean.replace(/[<>&"'\t\n\r]/g, (c) => LIBVIRT_ATTRIBUTE[c] ?? c)
  return clean
    .replace(/[<>&"\t\n\r]/g, (c) => LIBXML2_ATTRIBUTE[c] ?? c)
    .replace(/[^\x00-\x7F]/gu, (c) => `&#x${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()};`)
}

export function escapeText(value: string, dialect: EscapeDialect): string {
  const clean = value.replace(UNREPRESENTABLE, '')
  if (dialect === 'libvirt') return clean.replace(/[<>&"'\r]/g, (c) => LIBVIRT_TEXT[c] ?? c)
  return clean.replace(/[<>&\r]/g, (c) => LIBXML2_TEXT[c] ?? c)
}

export function quoteAttribute(value: string, dialect: EscapeDialect): string {
  const q = dialect === 'libvirt' ? "'" : '"'
  return `${q}${escapeAttribute(value, dialect)}${q}`
}
