// Zoomable figures (mkdocs-glightbox), fetched only where there is one.
// diary/lightbox.py takes the library out of every page's <head>,
// where it held up the first paint; it is loaded here the first time a page,
// loaded directly or by instant navigation, has an image to zoom. Until it
// arrives, a click on a figure opens the image itself.
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

document$.subscribe(() => {
  if (lightbox) {
    lightbox.reload()
  } else if (document.querySelector("a.glightbox")) {
    const options = JSON.parse(document.getElementById("glightbox-options").textContent)
    loadGLightbox().then(() => {
      if (lightbox) lightbox.reload()
      else lightbox = GLightbox(options)
    })
  }
})
