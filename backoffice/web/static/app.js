// Conveniences only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // "select all" checkbox of the exception queue
  for (const all of document.querySelectorAll("input[data-select-all]")) {
    all.addEventListener("change", () => {
      for (const box of document.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`)) {
        box.checked = all.checked;
      }
    });
  }
  // the bulk bar counts the selected items
  for (const out of document.querySelectorAll("output[data-count-of]")) {
    const boxes = () => document.querySelectorAll(`input[type=checkbox][name="${out.dataset.countOf}"]`);
    const count = () => {
      const n = [...boxes()].filter((b) => b.checked).length;
      out.textContent = `(${n} selected)`;
    };
    document.addEventListener("change", count);
    count();
  }
  // the item page renews its reviewer's hold while it is open
  const held = document.querySelector("[data-hold]");
  const token = document.querySelector("input[name=csrf]");
  if (held && token) {
    const renew = () => fetch(held.dataset.hold, {
      method: "POST", headers: { accept: "application/json" }, body: new URLSearchParams({ csrf: token.value }),
    });
    window.setInterval(renew, Number(held.dataset.renew) * 1000);
  }
  // cancel and reject: the server wants the "yes" box ticked; the dialog ticks it
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      const yes = form.querySelector("input[name=confirm]");
      if (yes && !yes.checked) {
        if (window.confirm(form.dataset.confirm)) {
          yes.checked = true;
        } else {
          event.preventDefault();
        }
      }
    });
  }
  // keyboard on the item page: j/k next/previous, a approve, r retry, e correct, ? help
  const help = document.getElementById("keys-help");
  if (help) {
    document.body.dataset.keys = "on"; // the shortcuts are listening
    document.addEventListener("keydown", (event) => {
      const target = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey || target.closest("input, textarea, select, [contenteditable]")) {
        return;
      }
      const go = (selector) => {
        const el = document.querySelector(selector);
        if (el) {
          event.preventDefault();
          el.click();
        }
      };
      if (event.key === "j") go("a[rel=next]");
      else if (event.key === "k") go("a[rel=prev]");
      else if (event.key === "a") go("button[data-action=approve]");
      else if (event.key === "r") go("button[data-action=retry]");
      else if (event.key === "e") {
        const first = document.querySelector("form.correct tr.failing input, form.correct input[name^='set.']");
        if (first) {
          event.preventDefault();
          first.focus();
        }
      } else if (event.key === "?") {
        event.preventDefault();
        help.hidden = !help.hidden;
      }
    });
  }
  // a suggested value fills its field
  for (const button of document.querySelectorAll("button.fill[data-fill]")) {
    button.addEventListener("click", () => {
      const input = document.getElementById(button.dataset.fill);
      input.value = button.dataset.value;
      input.focus();
    });
  }
  // a field's row and its box on the page image light up together; a click picks it for correction
  const mark = (name, on) => {
    for (const el of document.querySelectorAll(`[data-field="${CSS.escape(name)}"]`)) {
      el.classList.toggle("hover", on);
    }
  };
  for (const el of document.querySelectorAll("[data-field]")) {
    const name = el.dataset.field;
    el.addEventListener("mouseenter", () => mark(name, true));
    el.addEventListener("mouseleave", () => mark(name, false));
    el.addEventListener("click", (event) => {
      const input = document.getElementById(`set-${name}`);
      if (input && !event.target.closest("input, button, textarea")) {
        input.focus();
      }
    });
  }
  // the review form: Ctrl+Enter confirms (and opens the next item) from anywhere on the page;
  // Esc in a field undoes what was typed, and a second Esc leaves the field
  const review = document.getElementById("review");
  let lastField = null;
  if (review) {
    document.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        review.requestSubmit(review.querySelector("button[data-action=review]"));
      }
    });
    for (const input of review.querySelectorAll("input[name^='set.']")) {
      input.addEventListener("focus", () => {
        lastField = input;
      });
      input.addEventListener("keydown", (event) => {
        if (event.key !== "Escape") return;
        event.preventDefault();
        if (input.value) input.value = "";
        else input.blur();
      });
    }
  }
  // a click on a word of the page puts it into the field last focused (shift-click adds it);
  // dragging a box over the page puts in every word inside it, in reading order
  let dragged = false;
  for (const svg of document.querySelectorAll("svg.boxes")) {
    let start = null;
    let band = null;
    const at = (event) => {
      const point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      return point.matrixTransform(svg.getScreenCTM().inverse());
    };
    svg.addEventListener("pointerdown", (event) => {
      if (!lastField || event.button !== 0) return;
      start = at(event);
      dragged = false;
      event.preventDefault(); // no text selection, and the field keeps its place
    });
    svg.addEventListener("pointermove", (event) => {
      if (!start) return;
      const now = at(event);
      const [x, y, w, h] = [Math.min(start.x, now.x), Math.min(start.y, now.y), Math.abs(now.x - start.x), Math.abs(now.y - start.y)];
      if (!band && w + h < 6) return;
      if (!band) {
        band = document.createElementNS("http://www.w3.org/2000/svg", "rect");
        band.setAttribute("class", "band");
        svg.append(band);
      }
      Object.entries({ x, y, width: w, height: h }).forEach(([k, v]) => band.setAttribute(k, v));
    });
    svg.addEventListener("pointerup", () => {
      if (band) {
        const [x0, y0] = [Number(band.getAttribute("x")), Number(band.getAttribute("y"))];
        const [x1, y1] = [x0 + Number(band.getAttribute("width")), y0 + Number(band.getAttribute("height"))];
        const inside = [...svg.querySelectorAll("rect.word")].filter((r) => {
          const cx = Number(r.getAttribute("x")) + Number(r.getAttribute("width")) / 2;
          const cy = Number(r.getAttribute("y")) + Number(r.getAttribute("height")) / 2;
          return cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1;
        });
        inside.sort((a, b) => Math.round(a.getAttribute("y") / 4) - Math.round(b.getAttribute("y") / 4) || a.getAttribute("x") - b.getAttribute("x"));
        if (inside.length) {
          lastField.value = inside.map((r) => r.dataset.word).join(" ");
          lastField.focus();
        }
        band.remove();
        dragged = true;
      }
      start = null;
      band = null;
    });
  }
  document.addEventListener("click", (event) => {
    const word = event.target.closest && event.target.closest("rect.word");
    if (!word) return;
    if (!lastField || dragged) {
      dragged = false;
      return;
    }
    const text = word.dataset.word;
    lastField.value = event.shiftKey && lastField.value ? `${lastField.value} ${text}` : text;
    lastField.focus();
  });
  // a scan's words come from OCR, read when the page asks for them (the first time takes seconds)
  for (const figure of document.querySelectorAll("figure[data-words]")) {
    fetch(figure.dataset.words, { headers: { accept: "application/json" }, credentials: "same-origin" })
      .then((answer) => (answer.ok ? answer.json() : []))
      .then((words) => {
        const svg = figure.querySelector("svg.boxes");
        for (const [text, x0, top, x1, bottom] of words) {
          const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
          Object.entries({ class: "word", x: x0, y: top, width: x1 - x0, height: bottom - top }).forEach(([k, v]) => rect.setAttribute(k, v));
          rect.dataset.word = text;
          svg.append(rect);
        }
        figure.dataset.wordsLoaded = String(words.length);
      });
  }
  // the document viewer: zoom, rotate, find a word
  const viewer = document.querySelector("[data-viewer]");
  if (viewer) {
    for (const hidden of viewer.querySelectorAll("[data-needs-js]")) hidden.hidden = false;
    let zoom = 1;
    let turn = 0;
    const level = viewer.querySelector(".zoom-level");
    const apply = () => {
      viewer.style.setProperty("--zoom", zoom);
      viewer.style.setProperty("--turn", `${turn}deg`);
      viewer.classList.toggle("zoomed", zoom !== 1);
      viewer.classList.toggle("turned", turn % 180 !== 0);
      if (level) level.textContent = `${Math.round(zoom * 100)}%`;
    };
    for (const button of viewer.querySelectorAll("button[data-zoom]")) {
      button.addEventListener("click", () => {
        zoom = Math.min(4, Math.max(0.5, zoom + Number(button.dataset.zoom) * 0.25));
        apply();
      });
    }
    const rotate = viewer.querySelector("button[data-rotate]");
    if (rotate) {
      rotate.addEventListener("click", () => {
        turn = (turn + 90) % 360;
        apply();
      });
    }
    const find = document.getElementById("find-text");
    const count = document.getElementById("find-count");
    if (find) {
      find.addEventListener("input", () => {
        const wanted = find.value.trim().toLowerCase();
        let first = null;
        let n = 0;
        for (const word of viewer.querySelectorAll("rect.word")) {
          const hit = wanted !== "" && word.dataset.word.toLowerCase().includes(wanted);
          word.classList.toggle("found", hit);
          if (hit) {
            n += 1;
            first = first || word;
          }
        }
        count.textContent = wanted ? `${n} found` : "";
        if (first) first.closest("figure").scrollIntoView({ block: "nearest" });
      });
    }
  }
});
