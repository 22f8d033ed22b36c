// Typeset TeX written with pymdownx.arithmatex (generic mode).
// MathJax is fetched from the site's own copy, and only on pages with math;
// Material's document$ fires on the first load and after every instant
// navigation, so math typesets either way.
//
// MathJax costs about a megabyte of script and, on a phone, a couple of
// seconds of main thread. A page whose math all sits further down (a notebook
// with a long introduction) would pay that before the reader can scroll, so
// MathJax is fetched only once some math comes within a screen of the
// viewport, or when the page is printed. Once loaded, it typesets all of a
// page's math at once, and every later page immediately.
const mathjaxSource = new URL("../assets/mathjax/tex-chtml.js", document.currentScript.src).href

window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex"
  }
}

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
    MathJax.typesetPromise()
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
