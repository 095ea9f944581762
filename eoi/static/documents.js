// The "being prepared" page: ask where the document has got to every few seconds; when it is
// ready, offer the download in place of the waiting message; if it failed, reload to say so.
// Without this script the page's "Check again" button does the same by hand.
const panel = document.querySelector('[data-module="eoi-document-status"]')

if (panel) {
  const waiting = panel.querySelector('.eoi-document-waiting')
  const ready = panel.querySelector('.eoi-document-ready')
  const check = async () => {
    try {
      const answer = await fetch(panel.dataset.statusUrl, { headers: { Accept: 'application/json' } })
      if (answer.ok) {
        const found = await answer.json()
        if (found.ready) {
          waiting.hidden = true
          ready.hidden = false
          ready.querySelector('a').focus()
          return
        }
        if (found.failed) {
          window.location.reload()
          return
        }
      }
    } catch (error) {
      // A dropped connection: try again at the next turn.
    }
    window.setTimeout(check, 5000)
  }
  window.setTimeout(check, 5000)
}
