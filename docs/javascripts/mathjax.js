// Typeset TeX written with pymdownx.arithmatex (generic mode).
// MathJax is fetched from the site's own copy, and only on pages with math;
// Material's document$ fires on the first load and after every instant
// navigation, so math typesets either way.
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

function typesetMath() {
  if (!document.querySelector(".arithmatex")) return
  if (window.MathJax.typesetPromise) {
    MathJax.startup.output.clearCache()
    MathJax.typesetClear()
    MathJax.texReset()
    MathJax.typesetPromise()
  } else if (!document.getElementById("mathjax-script")) {
    // On load MathJax typesets the page it finds by itself.
    const script = document.createElement("script")
    script.id = "mathjax-script"
    script.src = mathjaxSource
    script.async = true
    document.head.appendChild(script)
  }
}

document$.subscribe(typesetMath)
