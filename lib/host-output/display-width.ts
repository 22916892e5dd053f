import 'server-only'

/*
 * Terminal column width of a character, as wcwidth() reports it. virsh pads its tables by display
 * width, so a name with CJK or emoji characters shifts later columns by more than its length;
 * slicing by display columns keeps such rows aligned with the header.
 */

const ZERO_WIDTH: ReadonlyArray<readonly [number, number]> = [
  [0x0300, 0x036f],
  [0x0483, 0x0489],
  [0x0591, 0x05bd],
  [0x0610, 0x061a],
  [0x064b, 0x065f],
  [0x1ab0, 0x1aff],
  [0x1dc0, 0x1dff],
  [0x200b, 0x200f],
  [0x20d0, 0x20ff],
  [0xfe00, 0xfe0f],
  [0xfe20, 0xfe2f],
]

const DOUBLE_WIDTH: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
]

function inRanges(code: number, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  return ranges.some(([low, high]) => code >= low && code <= high)
}

export function charWidth(char: string): 0 | 1 | 2 {
  const code = char.codePointAt(0) ?? 0
  if (inRanges(code, ZERO_WIDTH)) return 0
  if (inRanges(code, DOUBLE_WIDTH)) return 2
  return 1
}

/**
 * Splits a line into display columns: element i holds whatever is drawn in terminal column i
 * (a wide character occupies its column and leaves '' in the next; a combining mark joins the
 * character before it). Joining a slice of the result gives back the original text of that span.
 */
export function toDisplayColumns(line: string): string[] {
  const columns: string[] = []
  for (const char of line) {
    const width = charWidth(char)
    if (width === 0 && columns.length > 0) columns[columns.length - 1] += char
    else if (width === 2) columns.push(char, '')
    else columns.push(char)
  }
  return columns
}
