// The book's interactive figures ("widgets"), in plain JavaScript with no library.
//
// build_hooks.py turns <!-- widget: <chapter>/<name> "..." --> into an empty, hidden
// <div class="book-widget" data-src="...json">, after a static figure of the same data. This script
// fetches the JSON (computed at build by attention_book.widgets), builds the widget its "kind" names and
// shows it; without JavaScript the static figure stands alone. Material's document$ announces every page,
// the first and each one swapped in by instant navigation, so widgets are set up on each of them.
//
// * playground: score sliders, the 1/sqrt(d_k) scale and a temperature -> the softmax weights as bars;
// * masks: causal, padding and sliding-window masks over fixed scores -> the mask and the weights;
// * explorer: a model's weights, every layer and head, as a head view (queries, lines, keys) and a matrix.
//
// The softmax and the masks computed here are checked against the library by tests/browser/test_widgets.py,
// which reads the numbers from the data-* attributes written below.
(() => {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  // One colour per head: mid-luminance, readable on the light and the dark page (attention_book.viz's).
  const HEAD_COLORS = ["#4c9be8", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#edc948", "#76b7b2", "#ff9da7"];
  let counter = 0;
  const uid = (name) => `bw${++counter}-${name}`;

  // --- DOM helpers -------------------------------------------------------------------------------------

  function h(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    setAttributes(node, attributes);
    node.append(...children.flat().filter((child) => child !== null && child !== undefined));
    return node;
  }

  function s(tag, attributes = {}) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttributes(node, attributes);
    return node;
  }

  function setAttributes(node, attributes) {
    for (const [name, value] of Object.entries(attributes)) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "text") node.textContent = value;
      else if (name === "html") node.innerHTML = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
  }

  function slider(label, { min, max, step, value }, format) {
    const id = uid("range");
    const input = h("input", { type: "range", id, min, max, step, value });
    const output = h("output", { for: id, class: "bw-num", "aria-hidden": "true" });
    const show = () => {
      output.textContent = format(Number(input.value));
      input.setAttribute("aria-valuetext", output.textContent);
    };
    input.addEventListener("input", show);
    show();
    const labelNode = h("label", { for: id });
    labelNode.append(...(Array.isArray(label) ? label : [label]));
    return { input, output, label: labelNode, show };
  }

  function checkbox(label, checked) {
    const input = h("input", { type: "checkbox", checked });
    return { input, label: h("label", { class: "bw-check" }, input, " ", label) };
  }

  function radios(legend, names, checked, onChange, colors) {
    const group = uid("radio");
    const inputs = names.map((name, index) => {
      const id = `${group}-${index}`;
      const input = h("input", { type: "radio", id, name: group, value: index, checked: index === checked });
      input.addEventListener("change", () => onChange(index));
      const swatch = colors && colors[index] ? h("span", { class: "bw-swatch", style: `background:${colors[index]}` }) : null;
      return [input, h("label", { for: id, class: "bw-chip" }, swatch, name)];
    });
    const fieldset = h("fieldset", { class: "bw-radios" }, h("legend", { text: legend }), inputs.flat());
    return { fieldset, inputs: inputs.map(([input]) => input) };
  }

  const fixed = (x, digits) => (Object.is(x, -0) ? 0 : x).toFixed(digits);

  // --- The arithmetic the tests check against attention_book -------------------------------------------

  // Softmax over the kept entries (keep[i] true), stable (the maximum is subtracted first); a row with no
  // kept entry gets zero weights, as attention_book.core.masked_softmax gives.
  function maskedSoftmax(scores, keep) {
    const kept = scores.map((_, i) => !keep || keep[i]);
    let max = -Infinity;
    scores.forEach((x, i) => { if (kept[i] && x > max) max = x; });
    if (max === -Infinity) return scores.map(() => 0);
    const exps = scores.map((x, i) => (kept[i] ? Math.exp(x - max) : 0));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  }

  function entropyBits(weights) {
    return weights.reduce((sum, w) => (w > 0 ? sum - w * Math.log2(w) : sum), 0) + 0;
  }

  // The keep-mask of attention_book.widgets.mask_builder_mask: causal AND padding AND sliding window.
  function builderMask(length, causal, padding, window) {
    const real = length - padding;
    return Array.from({ length }, (_, i) =>
      Array.from({ length }, (_, j) => {
        if (causal && j > i) return false;
        if (padding && j >= real) return false;
        if (window) return causal ? i - j >= 0 && i - j < window : Math.abs(i - j) < window;
        return true;
      }),
    );
  }

  // --- Softmax and scale playground --------------------------------------------------------------------

  function playground(root, data) {
    const [low, high] = data.score_range;
    const [tLow, tHigh] = data.temperature_range;
    const rows = data.scores.map((score, i) => {
      const control = slider(`${data.labels[i]} score`, { min: low, max: high, step: 0.1, value: score }, (x) => fixed(x, 1));
      const fill = h("span", { class: "bw-bar__fill" });
      const weight = h("span", { class: "bw-num bw-weight" });
      const row = h("div", { class: "bw-play__row" }, control.label, control.input, control.output,
        h("span", { class: "bw-bar", "aria-hidden": "true" }, fill), weight);
      return { control, fill, weight, row };
    });
    const scale = checkbox(h("span", { html: "divide by &radic;<var>d</var><sub>k</sub>" }), data.scaled);
    const dkId = uid("dk");
    const dk = h("select", { id: dkId }, data.d_k_choices.map((d) => h("option", { value: d, selected: d === data.d_k, text: d })));
    const temperature = slider(["temperature ", h("var", { text: "T" })], { min: tLow, max: tHigh, step: 0.1, value: data.temperature }, (x) => fixed(x, 1));
    const reset = h("button", { type: "button", class: "bw-button", text: "Reset" });
    const formula = h("p", { class: "bw-formula" });
    const readout = h("p", { class: "bw-readout", "aria-live": "polite" });

    function update() {
      const scores = rows.map(({ control }) => Number(control.input.value));
      const d = Number(dk.value);
      const T = Number(temperature.input.value);
      const factor = scale.input.checked ? 1 / Math.sqrt(d) : 1;
      const weights = maskedSoftmax(scores.map((x) => (x * factor) / T));
      dk.disabled = !scale.input.checked;
      let best = 0;
      weights.forEach((w, i) => {
        rows[i].fill.style.width = `${100 * w}%`;
        rows[i].weight.textContent = fixed(w, 3);
        rows[i].weight.dataset.weight = String(w);
        if (w > weights[best]) best = i;
      });
      const entropy = entropyBits(weights);
      const scaleText = scale.input.checked ? `1/\u221a${d}` : "1";
      formula.textContent = `weights = softmax(score \u00d7 ${scaleText} \u00f7 ${fixed(T, 1)}) = softmax(score \u00d7 ${Number((factor / T).toPrecision(4))})`;
      readout.dataset.largest = String(weights[best]);
      readout.dataset.entropy = String(entropy);
      readout.textContent = `Largest weight ${fixed(weights[best], 3)} (${data.labels[best]}); entropy ${fixed(entropy, 2)} bits, of at most ${fixed(Math.log2(weights.length), 2)}.`;
    }

    reset.addEventListener("click", () => {
      rows.forEach(({ control }, i) => { control.input.value = data.scores[i]; control.show(); });
      scale.input.checked = data.scaled;
      dk.value = String(data.d_k);
      temperature.input.value = data.temperature;
      temperature.show();
      update();
    });
    root.addEventListener("input", update);
    root.addEventListener("change", update);
    root.append(
      h("p", { class: "bw-title", text: "Try it: move the scores, the scale and the temperature" }),
      h("div", { class: "bw-play" }, rows.map(({ row }) => row)),
      h("div", { class: "bw-controls" }, scale.label,
        h("span", { class: "bw-field" }, h("label", { for: dkId, html: "<var>d</var><sub>k</sub>" }), dk),
        h("span", { class: "bw-field" }, temperature.label, temperature.input, temperature.output), reset),
      formula,
      readout,
    );
    update();
  }

  // --- Mask builder ------------------------------------------------------------------------------------

  function matrixTable(className, caption, length, cell) {
    const head = h("tr", {}, h("td", { class: "bw-corner", text: "q\\k" }),
      Array.from({ length }, (_, j) => h("th", { scope: "col", text: j })));
    const body = Array.from({ length }, (_, i) =>
      h("tr", {}, h("th", { scope: "row", text: i }), Array.from({ length }, (_, j) => cell(i, j))));
    return h("table", { class: `bw-matrix ${className}` }, h("caption", { text: caption }), h("thead", {}, head), h("tbody", {}, body));
  }

  function maskBuilder(root, data) {
    const length = slider(["length ", h("var", { text: "L" })], { min: 2, max: data.max_length, step: 1, value: data.length }, String);
    const causal = checkbox("causal", data.causal);
    const padding = slider("padding tokens", { min: 0, max: data.length, step: 1, value: data.padding }, String);
    const windowSize = slider("window", { min: 0, max: data.length, step: 1, value: data.window }, (x) => (x ? String(x) : "off"));
    const tables = h("div", { class: "bw-tables" });
    const readout = h("p", { class: "bw-readout", "aria-live": "polite" });

    function update() {
      const L = Number(length.input.value);
      for (const control of [padding, windowSize]) {  // both count tokens of the sequence: at most L
        control.input.max = L;
        if (Number(control.input.value) > L) control.input.value = L;
        control.show();
      }
      const pad = Number(padding.input.value);
      const win = Number(windowSize.input.value);
      const mask = builderMask(L, causal.input.checked, pad, win);
      const weights = mask.map((keep, i) => maskedSoftmax(data.scores[i].slice(0, L), keep));
      const maskTable = matrixTable("bw-matrix--mask", "Mask: 1 = may attend", L, (i, j) =>
        h("td", { "data-keep": mask[i][j] ? 1 : 0, class: mask[i][j] ? "bw-keep" : "bw-blocked", text: mask[i][j] ? "1" : "0" }));
      const weightTable = matrixTable("bw-matrix--weights", "Weights (rows sum to 1, or 0)", L, (i, j) => {
        const w = weights[i][j];
        return h("td", { "data-weight": String(w), style: `--w:${w}`, class: mask[i][j] ? null : "bw-blocked", text: mask[i][j] ? fixed(w, 2) : "\u00b7" });
      });
      for (let j = L - pad; j < L; j++) {  // padding keys: their column headers say so
        for (const table of [maskTable, weightTable]) table.tHead.rows[0].cells[j + 1].classList.add("bw-pad");
      }
      tables.replaceChildren(maskTable, weightTable);
      const kept = mask.flat().filter(Boolean).length;
      const empty = mask.filter((row) => !row.some(Boolean)).length;
      readout.dataset.kept = String(kept);
      readout.textContent = `${kept} of ${L * L} query-key pairs may attend` + (pad ? `; keys ${L - pad} to ${L - 1} are padding` : "") +
        (empty ? `; ${empty} ${empty === 1 ? "query sees" : "queries see"} no key at all and ${empty === 1 ? "gets" : "get"} zero weights.` : ".");
    }

    root.addEventListener("input", update);
    root.addEventListener("change", update);
    root.append(
      h("p", { class: "bw-title", text: "Try it: build a mask and watch the weights" }),
      h("div", { class: "bw-controls" },
        h("span", { class: "bw-field" }, length.label, length.input, length.output), causal.label,
        h("span", { class: "bw-field" }, padding.label, padding.input, padding.output),
        h("span", { class: "bw-field" }, windowSize.label, windowSize.input, windowSize.output)),
      tables,
      readout,
    );
    update();
  }

  // --- Attention explorer ------------------------------------------------------------------------------

  function explorer(root, data) {
    const T = data.queries.length;
    const S = data.keys.length;
    const state = { model: 0, layer: data.layer, head: data.head, query: data.query };
    const ALL = data.heads;  // the "all heads" choice of the head radios
    const row = (head, query) => {
      const stored = data.models[state.model].weights[state.layer][head][query];
      return Array.from({ length: S }, (_, j) => (j < stored.length ? stored[j] / data.scale : 0));
    };
    const shownHeads = () => (state.head === ALL ? [...Array(data.heads).keys()] : [state.head]);
    const colors = Array.from({ length: data.heads }, (_, i) => HEAD_COLORS[i % HEAD_COLORS.length]);

    const controls = h("div", { class: "bw-controls" });
    if (data.models.length > 1) {
      controls.append(radios("Model", data.models.map((m) => m.name), 0, (i) => { state.model = i; update(); }).fieldset);
    }
    controls.append(
      radios("Layer", Array.from({ length: data.layers }, (_, i) => `${i}`), state.layer, (i) => { state.layer = i; update(); }).fieldset,
      radios("Head", [...Array.from({ length: data.heads }, (_, i) => `${i}`), "all"], state.head, (i) => { state.head = i; update(); }, colors).fieldset,
    );

    const options = data.queries.map((token, i) =>
      h("div", { role: "option", id: uid("q"), class: "bw-token", tabindex: -1, "data-query": i, "aria-label": `query ${i}: ${token}`, text: token }));
    const queries = h("div", { class: "bw-tokens bw-tokens--queries", role: "listbox", "aria-label": "Queries: pick one to see its weights" }, options);
    const lines = s("svg", { class: "bw-lines", viewBox: `0 0 100 ${10 * Math.max(T, S)}`, preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" });
    const keyItems = data.keys.map((token, j) => h("li", { class: "bw-key", "data-key": j }, h("span", { class: "bw-token", text: token }), h("span", { class: "bw-keybars" })));
    const keys = h("ol", { class: "bw-tokens bw-tokens--keys", start: 0, "aria-label": "Keys" }, keyItems);
    const headView = h("div", { class: "bw-headview", style: `--rows:${Math.max(T, S)}` },
      h("span", { class: "bw-axis", "aria-hidden": "true", text: "query" }), h("span"), h("span", { class: "bw-axis", "aria-hidden": "true", text: "key" }),
      queries, lines, keys);
    const matrices = h("div", { class: "bw-matrices" });
    const readout = h("p", { class: "bw-readout", "aria-live": "polite" });

    function select(query, focus) {
      state.query = query;
      options.forEach((option, i) => {
        option.setAttribute("aria-selected", String(i === query));
        option.tabIndex = i === query ? 0 : -1;
      });
      if (focus) options[query].focus();
      drawQuery();
    }

    function drawQuery() {
      const q = state.query;
      const heads = shownHeads();
      lines.replaceChildren();
      keyItems.forEach((item) => item.lastChild.replaceChildren());
      const parts = [];
      for (const head of heads) {
        const weights = row(head, q);
        weights.forEach((w, j) => {
          lines.append(s("line", {
            x1: 0, y1: 10 * q + 5, x2: 100, y2: 10 * j + 5, stroke: colors[head], "stroke-opacity": w > 0 ? Math.min(1, 0.15 + w) : 0,
            "stroke-width": 0.5 + 4 * w, "vector-effect": "non-scaling-stroke", "data-head": head, "data-key": j, "data-weight": w,
          }));
          keyItems[j].lastChild.append(h("span", { class: "bw-keybar", style: `--w:${w};background:${colors[head]}`, "data-head": head, "data-weight": w }));
        });
        const best = weights.indexOf(Math.max(...weights));
        parts.push(`${heads.length > 1 ? `head ${head}: ` : ""}key ${best} \u2018${data.keys[best]}\u2019 (${fixed(weights[best], 2)})`);
      }
      for (const svg of matrices.querySelectorAll("svg.bw-matrix-view")) {
        const marker = svg.querySelector(".bw-row-marker");
        marker.setAttribute("y", q);
        svg.setAttribute("aria-label", `${svg.dataset.title}: ${T} queries (rows) by ${S} keys (columns); row ${q} is marked`);
      }
      const where = `${data.models.length > 1 ? `${data.models[state.model].name}, ` : ""}layer ${state.layer}, ${heads.length > 1 ? "all heads" : `head ${state.head}`}`;
      readout.textContent = `${where}. Query ${q} \u2018${data.queries[q]}\u2019 looks most at ${parts.join("; ")}.`;
    }

    function drawMatrices() {
      matrices.replaceChildren(...shownHeads().map((head) => {
        const title = `Layer ${state.layer}, head ${head}`;
        const svg = s("svg", { class: "bw-matrix-view", viewBox: `-0.5 -0.5 ${S + 1} ${T + 1}`, role: "img", "data-head": head, "data-title": title });
        svg.append(s("rect", { class: "bw-frame", x: 0, y: 0, width: S, height: T }));
        const cells = data.models[state.model].weights[state.layer][head];
        cells.forEach((stored, i) => stored.forEach((value, j) => {
          svg.append(s("rect", { x: j, y: i, width: 1, height: 1, fill: colors[head], "fill-opacity": value / data.scale, "data-query": i, "data-key": j, "data-weight": value / data.scale }));
        }));
        svg.append(s("rect", { class: "bw-row-marker", x: -0.25, y: state.query, width: S + 0.5, height: 1 }));
        svg.addEventListener("click", (event) => {
          const cell = event.target.closest("rect[data-query]");
          if (cell) select(Number(cell.dataset.query), false);
        });
        const caption = shownHeads().length > 1 ? title : `${title}: a row per query, a column per key`;
        return h("figure", { class: "bw-matrix-figure" }, svg, h("figcaption", { "aria-hidden": "true", text: caption }));
      }));
    }

    function update() {
      drawMatrices();
      drawQuery();
    }

    queries.addEventListener("mouseover", (event) => {
      const option = event.target.closest("[data-query]");
      if (option) select(Number(option.dataset.query), false);
    });
    queries.addEventListener("click", (event) => {
      const option = event.target.closest("[data-query]");
      if (option) select(Number(option.dataset.query), true);
    });
    queries.addEventListener("focusin", (event) => {
      const option = event.target.closest("[data-query]");
      if (option && Number(option.dataset.query) !== state.query) select(Number(option.dataset.query), false);
    });
    queries.addEventListener("keydown", (event) => {
      const moves = { ArrowUp: -1, ArrowLeft: -1, ArrowDown: 1, ArrowRight: 1, PageUp: -5, PageDown: 5 };
      let target = null;
      if (event.key in moves) target = Math.min(T - 1, Math.max(0, state.query + moves[event.key]));
      else if (event.key === "Home") target = 0;
      else if (event.key === "End") target = T - 1;
      if (target === null) return;
      event.preventDefault();
      select(target, true);
    });

    root.append(
      h("p", { class: "bw-title", text: "Try it: point at a query token, or focus the list and use the arrow keys" }),
      controls,
      h("div", { class: "bw-explorer" }, headView, matrices),
      readout,
    );
    drawMatrices();
    select(state.query, false);
  }

  // --- Set-up on every page ----------------------------------------------------------------------------

  const KINDS = { playground, masks: maskBuilder, explorer };

  async function setUp(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "loading";
    try {
      const response = await fetch(new URL(root.dataset.src, window.location.href));
      if (!response.ok) throw new Error(`${root.dataset.src}: HTTP ${response.status}`);
      const data = await response.json();
      if (!(data.kind in KINDS)) throw new Error(`${root.dataset.src}: unknown widget kind ${data.kind}`);
      KINDS[data.kind](root, data);
      root.classList.add(`book-widget--${data.kind}`);
      root.hidden = false;
      root.dataset.ready = "true";
    } catch (error) {
      root.replaceChildren();
      root.dataset.ready = "failed";  // stays hidden: the static figure before it shows the same data
      console.warn("The attention book: a widget could not start.", error);
    }
  }

  const setUpAll = () => document.querySelectorAll(".book-widget[data-src]").forEach(setUp);
  if (typeof document$ !== "undefined") document$.subscribe(setUpAll);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
  else setUpAll();
})();
