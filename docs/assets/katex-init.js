// Render the formulas pymdownx.arithmatex leaves as \( \) and \[ \] with KaTeX (served from
// assets/katex, copied from npm at build time: no CDN), also after Material's instant
// navigation.
function depmapRenderMath() {
  document.querySelectorAll(".arithmatex").forEach(function (el) {
    renderMathInElement(el, {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true }
      ],
      throwOnError: false
    });
  });
}
if (typeof document$ !== "undefined") document$.subscribe(depmapRenderMath);
else document.addEventListener("DOMContentLoaded", depmapRenderMath);
