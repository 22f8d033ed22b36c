// Zoomable figures (mkdocs-glightbox), fetched only when a reader reaches for one.
// diary/lightbox.py takes the library out of every page's <head>, where it
// held up the first paint. Starting it as a page loads cost a long task too:
// its stylesheet makes the browser restyle the whole page, which on a long
// notebook blocks the main thread for a few hundred milliseconds on a phone.
// So the library is fetched when the pointer or keyboard focus first comes to
// a figure (or on the first click or tap), and the click that needed it opens
// the figure once it has arrived. Pages loaded by instant navigation reuse it.
const glightboxAssets = new URL("../assets/", document.currentScript.src)
let lightbox = null
let glightboxLoading = null

function loadGLightbox() {
  if (!glightboxLoading) {
    glightboxLoading = new Promise((resolve, reject) => {
      // In <body>: instant navigation drops <head> elements that the next
      // page's own <head> does not have.
      const style = document.createElement("link")
      style.rel = "stylesheet"
      style.href = new URL("stylesheets/glightbox.min.css", glightboxAssets).href
      document.body.appendChild(style)
      const script = document.createElement("script")
      script.src = new URL("javascripts/glightbox.min.js", glightboxAssets).href
      script.onload = resolve
      script.onerror = reject
      document.body.appendChild(script)
    })
  }
  return glightboxLoading
}

function startLightbox() {
  if (lightbox) return
  const options = document.getElementById("glightbox-options")
  if (options) lightbox = GLightbox(JSON.parse(options.textContent))
}

function figureOf(event) {
  return event.target instanceof Element ? event.target.closest("a.glightbox") : null
}

for (const intent of ["pointerover", "focusin", "touchstart"]) {
  document.addEventListener(intent, event => {
    if (figureOf(event)) loadGLightbox()
  }, { passive: true })
}

// Captured before GLightbox's own handler: until the lightbox has started,
// the click waits for the library instead of opening the bare image.
document.addEventListener("click", event => {
  const figure = figureOf(event)
  if (!figure || lightbox || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return
  event.preventDefault()
  loadGLightbox().then(() => {
    startLightbox()
    figure.click()
  }, () => { window.location.href = figure.href })
}, true)

document$.subscribe(() => {
  if (lightbox) lightbox.reload()
})
