// Typeset TeX written with pymdownx.arithmatex (generic mode).
// MathJax is fetched from the site's own copy, and only on pages with math;
// Material's document$ fires on the first load and after every instant
// navigation, so math typesets either way.
//
// MathJax costs most of a megabyte of script and, on a phone, a good part of
// a second of main thread. A page whose math all sits further down (a notebook
// with a long introduction) would pay that before the reader can scroll, so
// MathJax is fetched only once some math comes within a screen of the
// viewport, or when the page is printed. Its loader then fetches only the
// components named below (diary/math_assets.py ships them): not the menu,
// which was a third of MathJax's bytes.
const mathjaxSource = new URL("../assets/mathjax/startup.js", document.currentScript.src).href

window.MathJax = {
  loader: { load: ["input/tex", "output/chtml", "a11y/assistive-mml"] },
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex"
  },
  startup: {
    pageReady: () => MathJax.startup.defaultPageReady().then(letWideMathScroll)
  }
}

// A display formula wider than the text scrolls sideways (the theme gives it
// overflow: auto); one that does must take keyboard focus, or a reader
// without a mouse cannot scroll it. MathJax's menu, left out, used to make
// every formula focusable.
function letWideMathScroll() {
  for (const math of document.querySelectorAll("div.arithmatex")) {
    if (math.scrollWidth > math.clientWidth) math.tabIndex = 0
    else math.removeAttribute("tabindex")
  }
}

let resizing = null
window.addEventListener("resize", () => {
  clearTimeout(resizing)
  resizing = setTimeout(letWideMathScroll, 200)
})

// Remembered here, not looked up in the DOM: instant navigation drops <head>
// elements the next page lacks, and a second copy of MathJax, started while
// the first is still loading, breaks both.
let mathjaxRequested = false

function loadMathJax() {
  if (mathjaxRequested) return
  mathjaxRequested = true
  // On load MathJax typesets the page it finds by itself.
  const script = document.createElement("script")
  script.src = mathjaxSource
  script.async = true
  document.body.appendChild(script)
}

// Math of the page being shown that waits for MathJax, if any.
let mathNearby = null

function typesetMath() {
  if (mathNearby) mathNearby.disconnect()
  mathNearby = null
  const math = document.querySelectorAll(".arithmatex")
  if (!math.length) return
  if (window.MathJax.typesetPromise) {
    MathJax.startup.output.clearCache()
    MathJax.typesetClear()
    MathJax.texReset()
    MathJax.typesetPromise().then(letWideMathScroll)
  } else if ("IntersectionObserver" in window) {
    // The margin is one viewport: math typesets before it scrolls into view.
    mathNearby = new IntersectionObserver(entries => {
      if (!entries.some(entry => entry.isIntersecting)) return
      mathNearby.disconnect()
      mathNearby = null
      loadMathJax()
    }, { rootMargin: "100% 0px" })
    for (const el of math) mathNearby.observe(el)
  } else {
    loadMathJax()
  }
}

// A printout shows every page of the text at once.
window.addEventListener("beforeprint", () => {
  if (document.querySelector(".arithmatex")) loadMathJax()
})

document$.subscribe(typesetMath)
