"use strict";
const cfg = JSON.parse(document.getElementById("config").textContent);
const q = s => document.querySelector(s);
const withToken = p => p + (p.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(cfg.token);
let current = null;
q("#back").href = withToken("/");
for (const l of cfg.labels) q("#add-label").appendChild(new Option(l, l));
function say(text, error) { const m = q("#message"); m.textContent = text; m.className = error ? "error" : ""; }
function el(tag, text, cls) { const e = document.createElement(tag); e.textContent = text; if (cls) e.className = cls; return e; }
q("#form").addEventListener("submit", async ev => {
  ev.preventDefault();
  const file = q("#file").files[0];
  if (!file) { say("choose a photo first", true); return; }
  document.body.dataset.state = "busy"; say("predicting…");
  try {
    const r = await fetch(withToken("/api/predict"), {method: "POST", body: file,
                                                      headers: {"content-type": "application/octet-stream"}});
    const text = await r.text();
    if (!r.ok) throw new Error(r.status + ": " + text);
    show(JSON.parse(text));
    document.body.dataset.state = "done";
  } catch (e) {
    current = null; q("#drawn").hidden = true; q("#table").hidden = true; q("#add").hidden = true;
    say(String(e.message || e), true); document.body.dataset.state = "error";
  }
});
function show(p) {
  current = p;
  q("#drawn").src = p.drawn; q("#drawn").hidden = false;
  const t = q("#table"); t.replaceChildren();
  document.body.dataset.faces = String(p.faces.length);
  if (!p.faces.length) { t.hidden = true; say(`no face found (${p.width}×${p.height})`); }
  else {
    const head = document.createElement("tr");
    for (const h of ["face", "detection", ...cfg.labels, "predicted", "quality gate"]) head.appendChild(el("th", h));
    t.appendChild(head);
    p.faces.forEach((f, i) => {
      const row = document.createElement("tr"); row.className = "face";
      row.appendChild(el("td", String(i + 1))); row.appendChild(el("td", f.probability.toFixed(3)));
      for (const l of cfg.labels) row.appendChild(el("td", f.probs[l] === undefined ? "–" : f.probs[l].toFixed(3), l === f.predicted ? "best" : ""));
      const pred = el("td", f.predicted); pred.dataset.predicted = f.predicted; row.appendChild(pred);
      row.appendChild(el("td", f.rejected ? "left out: " + f.rejected : "kept"));
      t.appendChild(row);
    });
    t.hidden = false;
    say(`${p.faces.length} face${p.faces.length === 1 ? "" : "s"} found (${p.width}×${p.height})`);
  }
  q("#add").hidden = false;
}
q("#add").addEventListener("submit", async ev => {
  ev.preventDefault();
  if (!current) return;
  try {
    const r = await fetch(withToken("/api/add"), {method: "POST", headers: {"content-type": "application/json"},
                                                  body: JSON.stringify({id: current.id, label: q("#add-label").value})});
    const text = await r.text();
    if (!r.ok) throw new Error(r.status + ": " + text);
    const a = JSON.parse(text);
    say(a.fetched ? `added as ${a.label}` : `already in the dataset (added the label ${a.label})`);
    document.body.dataset.added = a.label;
  } catch (e) { say(String(e.message || e), true); }
});
