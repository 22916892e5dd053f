import { test, expect, signIn } from './fixtures'
import { e2eUsers } from './users'

// A malformed percent-escape used to end in a bare 500 from Next's router (signed in or not): now the app's own
// not-found page, and a JSON 400 from the API.
const malformed = ['/hosts/%ZZ', '/jobs/%ZZ', '/hosts/h1/networks/%ZZ', '/hosts/h1/networks/%ZZ/edit']

for (const signedIn of [false, true]) {
  test(`a malformed address shows the not-found page (${signedIn ? 'signed in' : 'signed out'})`, async ({ page }) => {
    if (signedIn) await signIn(page, e2eUsers.operator)
    for (const path of malformed) {
      const response = await page.goto(path)
      expect([path, response?.status()]).toEqual([path, 404])
      await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible()
    }
    const api = await page.request.get('/api/jobs/%ZZ')
    expect(api.status()).toBe(400)
    expect(await api.json()).toEqual({ error: 'The address has a malformed percent-escape.' })
  })
}
