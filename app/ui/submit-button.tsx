/** A form's submit button: disabled while its action runs (and whenever `disabled`), showing `pendingLabel` meanwhile. */
export function SubmitButton({
  pending,
  pendingLabel,
  className = 'btn btn-primary',
  disabled,
  children,
  ...button
}: { pending: boolean; pendingLabel?: string } & Omit<React.ButtonHTMLAttributes<HTMLButtonElement>, 'type'>) {
  return (
    <button className={className} disabled={pending || disabled} {...button}>
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  )
}
