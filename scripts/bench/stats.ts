export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** One figure per line, `name: value unit`, so later benchmarks add lines the same way. */
export function report(name: string, value: number, unit: string) {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 3
  console.log(`${name}: ${value.toFixed(digits)} ${unit}`)
}
