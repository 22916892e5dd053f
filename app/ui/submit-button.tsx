/**
 * A form's submit button: disabled while its action runs (and whenever `disabled`), showing `pendingLabel` meanwhile.
 * `type="button"` when a confirmation dialog posts the form instead (app/ui/confirm-dialog.tsx).
 */
export function SubmitButton({
  pending,
  pendingLabel,
  className = 'btn btn-primary',
  disabled,
  children,
  type = 'submit',
  ...button
}: { pending: boolean; pendingLabel?: string; type?: 'submit' | 'button' } & Omit<
  React.ButtonHTMLAttributes<HTMLButtonElement>,
  'type'
>) {
  return (
    <button type={type} className={className} disabled={pending || disabled} {...button}>
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  )
}
