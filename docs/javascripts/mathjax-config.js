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

// Material's instant navigation swaps the page without reloading scripts: typeset the new page.
document$.subscribe(() => {
  if (!window.MathJax.startup || !window.MathJax.startup.promise) {
    return; // first load: MathJax typesets the page itself once it has started
  }
  MathJax.startup.promise = MathJax.startup.promise.then(() => {
    const output = MathJax.startup.output;
    if (output.clearFontCache) {
      output.clearFontCache(); // SVG output; the CHTML output calls this clearCache
    }
    MathJax.typesetClear();
    MathJax.texReset();
    return MathJax.typesetPromise();
  });
});
