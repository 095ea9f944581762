import { initAll } from './govuk/govuk-frontend.min.js'

initAll()

// Wide tables scroll inside their own region rather than widening the page (WCAG 2.2
// reflow, 1.4.10: no sideways page scrolling at 320 CSS pixels). A region that does scroll
// is named after its table and can take the keyboard's focus, so it can be scrolled
// without a mouse; one that fits takes no stop in the tab order.
// The heading a table sits under, for a table without a caption.
function headingBefore (element) {
  const headings = [...document.querySelectorAll('main h1, main h2, main h3')]
  const before = headings.filter(h => h.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING)
  return before.length ? `${before[before.length - 1].textContent.trim()}: table` : 'Table'
}

// Landmarks need names of their own: a second table under the same heading is "(2)".
function uniqueName (name, taken) {
  let unique = name
  for (let n = 2; taken.has(unique); n++) unique = `${name} (${n})`
  taken.add(unique)
  return unique
}

function scrollWideTables () {
  const taken = new Set([...document.querySelectorAll('[role="region"][aria-label]')]
    .filter(region => region.dataset.eoiNamed === undefined)
    .map(region => region.getAttribute('aria-label')))
  for (const section of document.querySelectorAll('section[aria-labelledby]')) {
    const heading = document.getElementById(section.getAttribute('aria-labelledby'))
    if (heading) taken.add(heading.textContent.trim())
  }
  for (const table of document.querySelectorAll('main table.govuk-table')) {
    let region = table.closest('.eoi-scroll')
    if (!region) {
      region = document.createElement('div')
      region.className = 'eoi-scroll'
      table.parentNode.insertBefore(region, table)
      region.appendChild(table)
    }
    const caption = table.querySelector('caption')
    const scrolls = region.scrollWidth > region.clientWidth + 1
    if (scrolls) {
      region.setAttribute('role', 'region')
      region.setAttribute('tabindex', '0')
      if (region.dataset.eoiNamed !== undefined || (!region.hasAttribute('aria-label') &&
          !region.hasAttribute('aria-labelledby'))) {
        const name = caption ? caption.textContent.trim() : headingBefore(region)
        region.setAttribute('aria-label', uniqueName(name, taken))
        region.dataset.eoiNamed = 'yes'
      }
    } else if (region.dataset.eoiNamed !== undefined) {
      region.removeAttribute('role')
      region.removeAttribute('tabindex')
      region.removeAttribute('aria-label')
      delete region.dataset.eoiNamed
    }
  }
}

scrollWideTables()
window.addEventListener('resize', scrollWideTables)
