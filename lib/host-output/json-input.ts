import 'server-only'
import { ParseError } from '@/lib/core/errors'

/* Helpers for commands that print JSON (ip -j, bridge -j, libvirt's lease status files). */

export type JsonObject = Record<string, unknown>

/** Parses a JSON array of objects; empty output (some tools print nothing for "no entries") is []. */
export function parseJsonArray(output: string, source: string): JsonObject[] {
  if (output.trim() === '') return []
  let value: unknown
  try {
    value = JSON.parse(output)
  } catch (error) {
    throw new ParseError(source, `output is not valid JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  if (!Array.isArray(value)) throw new ParseError(source, 'expected a JSON array')
  value.forEach((item, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new ParseError(source, `entry ${index + 1} is not an object`)
  })
  return value as JsonObject[]
}

export function requiredString(obj: JsonObject, key: string, source: string, entry: number): string {
  const value = obj[key]
  if (typeof value !== 'string') throw new ParseError(source, `entry ${entry}: "${key}" should be a string`)
  return value
}

export function requiredNumber(obj: JsonObject, key: string, source: string, entry: number): number {
  const value = obj[key]
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ParseError(source, `entry ${entry}: "${key}" should be a number`)
  return value
}

export function optionalString(obj: JsonObject, key: string, source: string, entry: number): string | null {
  const value = obj[key]
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw new ParseError(source, `entry ${entry}: "${key}" should be a string`)
  return value
}

export function optionalNumber(obj: JsonObject, key: string, source: string, entry: number): number | null {
  const value = obj[key]
  if (value === undefined || value === null) return null
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ParseError(source, `entry ${entry}: "${key}" should be a number`)
  return value
}

export function stringArray(obj: JsonObject, key: string, source: string, entry: number): string[] {
  const value = obj[key]
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new ParseError(source, `entry ${entry}: "${key}" should be a list of strings`)
  return value as string[]
}

export function optionalObject(obj: JsonObject, key: string, source: string, entry: number): JsonObject | null {
  const value = obj[key]
  if (value === undefined || value === null) return null
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ParseError(source, `entry ${entry}: "${key}" should be an object`)
  return value as JsonObject
}
