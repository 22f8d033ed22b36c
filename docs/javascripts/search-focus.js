// The diary's search worker may answer a query twice: with the results by
// title as soon as they are ranked, then with the same list and the matching
// sections' text (diary/assets/search-worker.js). The theme draws each answer
// afresh, so a reader who has already stepped into the first list with the
// arrow keys would be dropped out of it when the text comes. This puts
// keyboard focus back on the same result. Links are compared without their
// query string: the words to highlight on the page opened may differ between
// the two answers.
let focusedResult = null

function placeOf(link) {
  const url = new URL(link.href)
  return url.origin + url.pathname + url.hash
}

document.addEventListener("focusin", event => {
  const link = event.target instanceof Element ? event.target.closest(".md-search-result__list [href]") : null
  focusedResult = link ? placeOf(link) : null
})

const resultList = document.querySelector(".md-search-result__list")
if (resultList) {
  new MutationObserver(() => {
    if (!focusedResult || document.activeElement !== document.body) return
    const same = [...resultList.querySelectorAll("[href]")].find(link => placeOf(link) === focusedResult)
    if (same) same.focus()
  }).observe(resultList, { childList: true })
}
