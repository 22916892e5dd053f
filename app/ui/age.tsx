/**
 * "read 3 min ago": how old a snapshot is (seconds, measured by its loader), with the exact time on hover; "reading
 * now" beside it while a read that was asked for has not finished.
 */
export function Age({ at, seconds, reading = false }: { at: Date | null; seconds: number | null; reading?: boolean }) {
  const now = reading && (
    <span role="status" data-testid="snapshot-reading" className="ml-1 text-sky-800 dark:text-sky-300">
      (reading now…)
    </span>
  )
  if (!at || seconds === null) return <span className="text-slate-500 dark:text-slate-400">never read{now}</span>
  const text =
    seconds < 60
      ? `${seconds} s ago`
      : seconds < 3600
        ? `${Math.round(seconds / 60)} min ago`
        : seconds < 86_400
          ? `${Math.round(seconds / 3600)} h ago`
          : `${Math.round(seconds / 86_400)} d ago`
  return (
    <span>
      <time dateTime={at.toISOString()} title={at.toISOString()} data-testid="snapshot-age">
        read {text}
      </time>
      {now}
    </span>
  )
}
