// Typesets the book's formulas at build time, so that no math script runs in the reader's browser.
// Called by build_hooks.py: reads a JSON list of [tex, display] pairs on stdin and writes, in the same
// order, a JSON list of {html, glyphs}: the <mjx-container> of the formula (SVG that draws each glyph with
// <use href="#MJX-TEX-...">, no font to load) and the glyph paths it uses, {id: path data}. The build puts
// the glyphs of a whole page in one hidden <defs>, so a glyph used by fifty formulas is sent once.
// A formula MathJax cannot parse comes back as {error: message}, and the build fails on it.
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { SVG } = require("mathjax-full/js/output/svg.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { AllPackages } = require("mathjax-full/js/input/tex/AllPackages.js");

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
// Without "noundefined" and "noerrors", and with errors thrown, a typo fails instead of showing red text.
const packages = AllPackages.filter((name) => !["bussproofs", "noundefined", "noerrors"].includes(name));
const tex = new TeX({
  packages,
  formatError: (jax, error) => {
    throw error;
  },
});
const document = mathjax.document("", { InputJax: tex, OutputJax: new SVG({ fontCache: "global" }) });

function typeset([source, display]) {
  try {
    const fontCache = document.outputJax.fontCache;
    fontCache.clearCache(); // collect the glyphs of this formula only
    const node = document.convert(source, { display, em: 16, ex: 8, containerWidth: 1280 });
    return { html: adaptor.outerHTML(node), glyphs: Object.fromEntries(fontCache.cache) };
  } catch (error) {
    return { error: String(error.message || error) };
  }
}

const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(input.map(typeset)));
