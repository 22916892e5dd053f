/** The id of the root layout's region where toasts stack, newest last, instead of covering each other. */
export const toastStackId = 'toast-stack'
