/** The session cookie's name; its own module so scripts can use it without loading Next's request APIs. */
export const sessionCookieName = 'virtnet_session'
