(function () {
  "use strict";
  var d = document;
  // Date selector: swap the pre-rendered control map (no kernel, no network).
  var ctl = d.getElementById("map-controls"), sel = d.getElementById("map-date"),
      img = d.getElementById("map-img"), cap = d.getElementById("map-caption");
  if (ctl && sel && img) {
    var show = function () {
      var o = sel.options[sel.selectedIndex];
      if (!o) { return; }
      img.src = o.getAttribute("data-src");
      img.alt = o.getAttribute("data-alt") || "";
      if (cap) { cap.textContent = o.getAttribute("data-caption") || ""; }
    };
    var step = function (k) {
      var i = sel.selectedIndex + k;
      if (i >= 0 && i < sel.options.length) { sel.selectedIndex = i; show(); }
    };
    sel.addEventListener("change", show);
    var prev = d.getElementById("map-prev"), next = d.getElementById("map-next");
    if (prev) { prev.addEventListener("click", function () { step(-1); }); }
    if (next) { next.addEventListener("click", function () { step(1); }); }
    ctl.hidden = false;
  }
  // Footnotes: a click shows the evidence in a popover; without JS the link jumps to the list.
  var pop = d.getElementById("popover"), body = d.getElementById("popover-body"), last = null;
  if (!pop || !body) { return; }
  var close = function () {
    pop.hidden = true;
    if (last) { last.setAttribute("aria-expanded", "false"); last.focus(); last = null; }
  };
  d.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.fnref") : null;
    if (a) {
      var note = d.getElementById(a.getAttribute("href").slice(1));
      if (!note) { return; }
      ev.preventDefault();
      while (body.firstChild) { body.removeChild(body.firstChild); }
      var num = d.createElement("strong");
      num.textContent = "[" + a.getAttribute("data-fn") + "] ";
      body.appendChild(num);
      for (var i = 0; i < note.childNodes.length; i++) { body.appendChild(note.childNodes[i].cloneNode(true)); }
      var r = a.getBoundingClientRect();
      pop.hidden = false;
      var w = pop.offsetWidth, left = Math.max(8, Math.min(r.left + window.scrollX - 20,
          d.documentElement.clientWidth + window.scrollX - w - 8));
      pop.style.left = left + "px";
      pop.style.top = (r.bottom + window.scrollY + 6) + "px";
      if (last) { last.setAttribute("aria-expanded", "false"); }
      last = a;
      a.setAttribute("aria-expanded", "true");
      return;
    }
    if (!pop.hidden && !pop.contains(ev.target)) { close(); }
  });
  d.getElementById("popover-close").addEventListener("click", close);
  d.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && !pop.hidden) { close(); } });
})();
