"use strict";
const cfg = JSON.parse(document.getElementById("config").textContent);
const q = s => document.querySelector(s);
const state = {items: [], cur: 0, total: 0, done: false, busy: false};
const withToken = p => p + (p.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(cfg.token);

function setStatus(text, error) {
  const s = q("#status"); s.textContent = text; s.style.color = error ? "#c62828" : "#0a5";
}
async function call(method, path, body) {
  const r = await fetch(withToken(path), {method, headers: body ? {"content-type": "application/json"} : {},
                                           body: body ? JSON.stringify(body) : undefined});
  if (!r.ok) throw new Error(r.status + " " + (await r.text()));
  return r.json();
}
function filterParams() {
  return new URLSearchParams({label: q("#f-label").value, split: q("#f-split").value,
                              all: q("#f-all").checked ? "1" : "0", rank_by: q("#f-rank").value});
}
async function load(reset) {
  if (reset) { state.items = []; state.cur = 0; state.done = false; q("#cards").replaceChildren(); }
  if (state.done) return;
  const p = filterParams(); p.set("limit", "50");
  if (state.items.length) p.set("after", state.items[state.items.length - 1].face_id);
  const page = await call("GET", "/api/queue?" + p.toString());
  if (page.total !== null && page.total !== undefined) state.total = page.total;
  for (const item of page.items) { state.items.push(item); q("#cards").appendChild(card(item, state.items.length - 1)); }
  state.done = page.items.length < 50;
  q("#more").disabled = state.done;
  showCounts(); select(state.cur);
  document.body.dataset.ready = "1";
}
function showCounts() {
  const reviewed = state.items.filter(i => i.review).length;
  q("#counts").textContent = `${state.total} in queue · ${state.items.length} loaded · ${reviewed} reviewed here`;
}
function el(tag, cls, text) {
  const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e;
}
function card(item, index) {
  const c = el("section", "card"); c.dataset.faceId = item.face_id; c.dataset.index = index;
  c.addEventListener("click", () => select(Number(c.dataset.index)));
  fill(c, item); return c;
}
function fill(c, item) {
  c.replaceChildren();
  c.classList.toggle("flagged", item.flagged); c.classList.toggle("done", !!item.review);
  c.dataset.label = item.label || ""; c.dataset.review = item.review ? item.review.action : "";
  const crop = el("img", "crop"); crop.alt = "face " + item.face_id; crop.loading = "lazy";
  crop.src = withToken("/crop/" + item.face_id); c.appendChild(crop);
  const photo = el("div", "photo"); const img = el("img"); img.alt = "source photo"; img.loading = "lazy";
  img.src = withToken("/photo/" + item.face_id); photo.appendChild(img);
  const [x1, y1, x2, y2] = item.box, W = item.image_width, H = item.image_height, box = el("div", "box");
  Object.assign(box.style, {left: 100 * Math.max(0, x1) / W + "%", top: 100 * Math.max(0, y1) / H + "%",
                            width: 100 * (Math.min(W, x2) - Math.max(0, x1)) / W + "%",
                            height: 100 * (Math.min(H, y2) - Math.max(0, y1)) / H + "%"});
  photo.appendChild(box); c.appendChild(photo);
  const info = el("div", "info");
  const conflict = item.candidates && !item.review;
  c.classList.toggle("conflict", !!conflict);
  const head = el("div");
  head.appendChild(el("strong", "given", conflict ? "label conflict: " + item.candidates.join(" / ") + " (pick one)"
                                                  : "given: " + (item.label || "none")));
  head.appendChild(el("span", "badge", "predicted " + item.predicted));
  if (item.flagged) head.appendChild(el("span", "badge", "flagged"));
  if (item.split) head.appendChild(el("span", "badge", item.split));
  if (item.review) head.appendChild(el("span", "badge review " + item.review.action,
      item.review.action + (item.review.label && item.review.action !== "accept" ? " → " + item.review.label : "") + " by " + item.review.reviewer));
  info.appendChild(head);
  const bars = el("div", "bars");
  for (const name of cfg.labels) {
    const p = item.probs[name]; if (p === undefined) continue;
    bars.appendChild(el("span", "", name));
    const bar = el("div", "bar" + (name === item.label ? " given" : "")); const fillBar = el("span");
    fillBar.style.width = (100 * p).toFixed(1) + "%"; bar.appendChild(fillBar); bars.appendChild(bar);
    bars.appendChild(el("span", "", p.toFixed(3)));
  }
  info.appendChild(bars);
  const meta = el("div", "url"); meta.textContent = `face ${item.face_id} · self-confidence ${item.self_confidence.toFixed(3)} · margin ${item.margin.toFixed(3)} · ${item.url || ""}`;
  info.appendChild(meta);
  const actions = el("div", "actions");
  cfg.labels.forEach((name, i) => {
    const b = el("button", "", (i < 9 ? (i + 1) + " " : "") + name); b.dataset.action = "relabel"; b.dataset.label = name;
    b.addEventListener("click", ev => { ev.stopPropagation(); select(Number(c.dataset.index)); decide("relabel", name); });
    actions.appendChild(b);
  });
  for (const [action, key] of [["accept", "a"], ["reject", "x"]]) {
    const b = el("button", "", `${action} (${key})`); b.dataset.action = action;
    b.addEventListener("click", ev => { ev.stopPropagation(); select(Number(c.dataset.index)); decide(action); });
    actions.appendChild(b);
  }
  info.appendChild(actions); c.appendChild(info);
}
function select(i) {
  if (!state.items.length) { document.body.dataset.current = ""; return; }
  state.cur = Math.max(0, Math.min(i, state.items.length - 1));
  document.querySelectorAll(".card.current").forEach(e => e.classList.remove("current"));
  const c = q(`.card[data-index="${state.cur}"]`); c.classList.add("current");
  c.scrollIntoView({block: "nearest"}); document.body.dataset.current = state.items[state.cur].face_id;
}
async function move(d) {
  if (d > 0 && state.cur === state.items.length - 1 && !state.done) await load(false);
  select(state.cur + d);
}
function replace(item) {
  const i = state.items.findIndex(x => x.face_id === item.face_id); if (i < 0) return -1;
  state.items[i] = item; fill(q(`.card[data-index="${i}"]`), item); return i;
}
async function run(task) {
  if (state.busy) return; state.busy = true; document.body.dataset.busy = "1";
  try { await task(); } catch (e) { setStatus(String(e.message || e), true); }
  finally { state.busy = false; document.body.dataset.busy = ""; showCounts(); }
}
function decide(action, label) {
  return run(async () => {
    const item = state.items[state.cur]; if (!item) return;
    const out = await call("POST", "/api/decide", {face_id: item.face_id, action, label});
    if (out.item) replace(out.item);
    setStatus(`face ${item.face_id}: ${action}${label ? " → " + label : ""}`);
    document.body.dataset.decisions = String(Number(document.body.dataset.decisions || 0) + 1);
    await move(1);
  });
}
function undo() {
  return run(async () => {
    const out = await call("POST", "/api/undo");
    if (!out.entry) { setStatus("nothing to undo"); return; }
    const i = out.item ? replace(out.item) : -1;
    if (i >= 0) select(i);
    setStatus(`undid face ${out.entry.face_id}`);
    document.body.dataset.undos = String(Number(document.body.dataset.undos || 0) + 1);
  });
}
document.addEventListener("keydown", ev => {
  if (ev.target.closest && ev.target.closest("select, input")) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const k = ev.key;
  if (/^[1-9]$/.test(k)) { const l = cfg.labels[Number(k) - 1]; if (l) decide("relabel", l); }
  else if (k === "a" || k === "Enter") decide("accept");
  else if (k === "x") decide("reject");
  else if (k === "z") undo();
  else if (k === "j" || k === "ArrowDown" || k === "ArrowRight") move(1);
  else if (k === "k" || k === "ArrowUp" || k === "ArrowLeft") move(-1);
  else return;
  ev.preventDefault();
});
for (const l of cfg.labels) q("#f-label").appendChild(new Option(l, l));
for (const s of cfg.splits) q("#f-split").appendChild(new Option(s, s));
q("#f-label").value = cfg.filter.label; q("#f-split").value = cfg.filter.split;
q("#f-all").checked = cfg.filter.all; q("#f-rank").value = cfg.filter.rank_by;
for (const id of ["#f-label", "#f-split", "#f-all", "#f-rank"]) q(id).addEventListener("change", () => run(() => load(true)));
q("#undo").addEventListener("click", undo);
q("#more").addEventListener("click", () => run(() => load(false)));
q("#try-link").href = withToken("/try"); q("#try-link").hidden = !cfg.try;
q("#keys").textContent = "keys: " + cfg.labels.slice(0, 9).map((l, i) => `${i + 1} ${l}`).join(" · ") +
  " · a/Enter accept · x reject · z undo · j/k or arrows move";
run(() => load(true));
