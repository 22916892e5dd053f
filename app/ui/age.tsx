/** "read 3 min ago": how old a snapshot is (seconds, measured by its loader), with the exact time on hover. */
export function Age({ at, seconds }: { at: Date | null; seconds: number | null }) {
  if (!at || seconds === null) return <span className="text-slate-400">never read</span>
  const text =
    seconds < 60
      ? `${seconds} s ago`
      : seconds < 3600
        ? `${Math.round(seconds / 60)} min ago`
        : seconds < 86_400
          ? `${Math.round(seconds / 3600)} h ago`
          : `${Math.round(seconds / 86_400)} d ago`
  return (
    <time dateTime={at.toISOString()} title={at.toISOString()} data-testid="snapshot-age">
      read {text}
    </time>
  )
}
