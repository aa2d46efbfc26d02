// MathJax 3 configuration. The renderer itself is vendored into the build from the
// django-static-mathjax package (see build_hooks.py): no request leaves the site.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  svg: { fontCache: "global" },
  options: {
    // Typeset only what pymdownx.arithmatex marked (build_hooks.py marks notebook math the same way).
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

// Material's instant navigation swaps the page without reloading scripts: typeset again.
document$.subscribe(() => {
  if (!window.MathJax.startup || !window.MathJax.typesetPromise) {
    return; // first load: MathJax typesets the page itself once it has started
  }
  MathJax.startup.output.clearCache();
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
