// kpu-docs serve: the little the pages need beyond HTML. No build step, no framework.
// Every figure, total and finding comes from the server (the same code as the CLI);
// this file only sends what was typed and shows what comes back.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  let data;
  try { data = await response.json(); } catch (e) { data = { ok: false, message: "Jawaban server tidak terbaca (" + response.status + ")." }; }
  return data;
}

// ---- general ------------------------------------------------------------------------------

document.addEventListener("click", (event) => {
  const back = event.target.closest("[data-back]");
  if (back) { event.preventDefault(); history.back(); }
});
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// ---- the editor -----------------------------------------------------------------------------

const editor = document.getElementById("editor");
if (editor) setUpEditor(editor);

function setUpEditor(root) {
  let base = root.dataset.base;
  let timer = null;
  let inFlight = null;
  let sequence = 0;
  const saveButton = document.getElementById("save");

  // sections as tabs; the hash keeps the open one across a reload
  const tabs = root.querySelectorAll(".section-tabs [data-section]");
  function openSection(id) {
    root.querySelectorAll("section.section").forEach((s) => { s.hidden = s.dataset.section !== id; });
    tabs.forEach((t) => t.classList.toggle("active", t.dataset.section === id));
    history.replaceState(null, "", "#" + id);
  }
  tabs.forEach((t) => t.addEventListener("click", () => openSection(t.dataset.section)));
  function fromHash() {
    const wanted = location.hash.slice(1);
    openSection([...tabs].some((t) => t.dataset.section === wanted) ? wanted : tabs[0].dataset.section);
  }
  if (tabs.length) { fromHash(); window.addEventListener("hashchange", fromHash); }

  // what changed: every field whose value differs from the one the page was loaded with
  function changed() {
    const fields = {};
    root.querySelectorAll(".fld").forEach((el) => {
      const removed = el.closest(".text-item.removed");
      const value = removed ? "" : el.value;
      const original = el.dataset.added ? "" : (el.tagName === "SELECT" ? el.dataset.original : el.defaultValue);
      if (value !== original && !(el.dataset.added && value.trim() === "")) fields[el.name] = value;
    });
    return fields;
  }
  root.querySelectorAll("select.fld").forEach((el) => { el.dataset.original = el.value; });

  function schedule() {
    const count = Object.keys(changed()).length;
    document.getElementById("dirty").textContent = count ? count + " perubahan belum disimpan." : "Tidak ada perubahan.";
    saveButton.disabled = count === 0;
    clearTimeout(timer);
    timer = setTimeout(check, 40);
  }
  root.addEventListener("input", (event) => { if (event.target.classList.contains("fld")) schedule(); });
  root.addEventListener("change", (event) => { if (event.target.classList.contains("fld")) schedule(); });

  async function check() {
    const mine = ++sequence;
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    document.getElementById("check-state").textContent = "Memeriksa…";
    let data;
    try {
      const response = await fetch(root.dataset.check, {
        method: "POST", signal: inFlight.signal, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ base: base, fields: changed() }),
      });
      data = await response.json();
    } catch (e) {
      if (e.name === "AbortError") return;
      document.getElementById("check-state").textContent = "Server tidak menjawab: apakah kpu-docs serve masih berjalan?";
      return;
    }
    if (mine !== sequence) return;
    show(data);
  }

  function show(data) {
    const state = document.getElementById("check-state");
    if (!data.ok) { state.textContent = data.message || "Pemeriksaan gagal."; return; }
    state.textContent = data.stale ? "Perhatian: berkas diubah di tempat lain sejak halaman dibuka; muat ulang sebelum menyimpan."
      : (data.loads ? "Diperiksa." : "Dengan perubahan ini berkas tidak dapat dibaca.");
    showErrors(data.errors || {});
    if (data.figures) showFigures(data.figures);
    showFindings(data.findings || [], data.counts || {});
  }

  function showErrors(errors) {
    root.querySelectorAll(".field-error").forEach((p) => { p.hidden = true; p.textContent = ""; });
    root.querySelectorAll(".fld.invalid").forEach((el) => el.classList.remove("invalid"));
    for (const [name, message] of Object.entries(errors)) {
      const el = document.getElementById("f-" + name);
      const slot = el && el.closest(".field, .text-item, td");
      const p = slot && slot.querySelector(".field-error");
      if (el) el.classList.add("invalid");
      if (p) { p.textContent = message; p.hidden = false; }
      else document.getElementById("check-state").textContent = message;
    }
  }

  function showFigures(figures) {
    for (const [rowId, figs] of Object.entries(figures)) {
      const row = root.querySelector('tr[data-row="' + CSS.escape(rowId) + '"]');
      if (!row) continue;
      for (const [key, text] of Object.entries(figs)) {
        const span = row.querySelector('[data-fig="' + key + '"]');
        if (span && span.textContent !== text) { span.textContent = text; flash(span); }
      }
      row.querySelectorAll(".stated").forEach((stated) => {
        const input = stated.querySelector("input");
        const sum = row.querySelector('.sum[data-fig="' + stated.querySelector(".match").dataset.key + '"]');
        const differs = input.value.trim() !== "" && digits(input.value) !== digits(sum.textContent);
        stated.querySelector(".match").hidden = !differs;
      });
    }
  }
  const digits = (text) => text.replace(/\D/g, "");
  function flash(el) { el.classList.remove("updated"); void el.offsetWidth; el.classList.add("updated"); }

  function showFindings(findings, counts) {
    const list = document.getElementById("findings");
    list.replaceChildren();
    for (const f of findings) {
      const li = document.createElement("li");
      li.className = "finding " + f.severity;
      const a = document.createElement("a");
      a.href = "#";
      a.dataset.target = f.target;
      const badge = document.createElement("span");
      badge.className = "badge " + f.severity;
      badge.textContent = f.severity;
      const subject = document.createElement("b");
      subject.textContent = f.subject;
      a.append(badge, " ", subject, " " + f.message);
      li.append(a);
      list.append(li);
    }
    if (!findings.length) {
      const li = document.createElement("li");
      li.className = "finding none";
      li.textContent = "Tidak ada temuan.";
      list.append(li);
    }
    root.querySelectorAll(".has-finding").forEach((el) => el.classList.remove("has-finding"));
    for (const f of findings) if (f.severity === "galat") { const el = target(f.target); if (el) el.classList.add("has-finding"); }
    document.getElementById("counts").textContent = ["galat", "peringatan", "info"]
      .map((k) => (counts[k] || 0) + " " + k).join(" · ");
  }

  // a finding opens the field it concerns (or the closest thing above it)
  function target(path) {
    let p = path;
    while (p) {
      const el = document.getElementById("f-" + p) || root.querySelector('[data-path="' + CSS.escape(p) + '"]');
      if (el) return el;
      const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
      p = cut > 0 ? p.slice(0, cut) : "";
    }
    return null;
  }
  document.getElementById("findings").addEventListener("click", (event) => {
    const link = event.target.closest("a[data-target]");
    if (!link) return;
    event.preventDefault();
    const el = target(link.dataset.target);
    if (!el) return;
    const section = el.closest("section.section");
    if (section) openSection(section.dataset.section);
    for (let d = el.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
    const story = el.closest("tr[data-narrative-of]");
    if (story) story.hidden = false;
    const row = el.closest("tr[data-row]") || (story && root.querySelector('tr[data-row="' + CSS.escape(story.dataset.narrativeOf) + '"]'));
    if (row) showRow(row);
    el.scrollIntoView({ block: "center" });
    const focusable = el.matches("input, textarea, select") ? el : el.querySelector("input.fld, textarea.fld, select.fld");
    if (focusable) focusable.focus();
    el.classList.add("pointed");
    setTimeout(() => el.classList.remove("pointed"), 1500);
  });

  // the budget tree: expand and collapse
  function rowsUnder(id) { return root.querySelectorAll('tr[data-parent="' + CSS.escape(id) + '"]'); }
  function setOpen(row, open) {
    const button = row.querySelector(".toggle");
    if (button) { button.setAttribute("aria-expanded", open); button.textContent = open ? "▾" : "▸"; }
    const hideAll = (id, hidden) => rowsUnder(id).forEach((r) => {
      r.hidden = hidden;
      const story = root.querySelector('tr[data-narrative-of="' + CSS.escape(r.dataset.row) + '"]');
      if (story && hidden) story.hidden = true;
      const b = r.querySelector(".toggle");
      if (b && (hidden || b.getAttribute("aria-expanded") === "true")) hideAll(r.dataset.row, hidden);
    });
    hideAll(row.dataset.row, !open);
  }
  function showRow(row) {
    const chain = [];
    for (let r = row; r && r.dataset.parent; r = root.querySelector('tr[data-row="' + CSS.escape(r.dataset.parent) + '"]')) {
      chain.unshift(root.querySelector('tr[data-row="' + CSS.escape(r.dataset.parent) + '"]'));
    }
    chain.forEach((r) => setOpen(r, true));
  }
  root.addEventListener("click", (event) => {
    const toggle = event.target.closest(".toggle");
    if (toggle) { const row = toggle.closest("tr"); setOpen(row, toggle.getAttribute("aria-expanded") !== "true"); }
    const tool = event.target.closest("[data-tree]");
    if (tool) root.querySelectorAll("tr.parent").forEach((r) => setOpen(r, tool.dataset.tree === "open" || r.classList.contains("depth-0")));
    const story = event.target.closest(".narrative-toggle");
    if (story) {
      const row = document.getElementById(story.getAttribute("aria-controls"));
      row.hidden = !row.hidden;
      story.setAttribute("aria-expanded", !row.hidden);
    }
    const match = event.target.closest(".match");
    if (match) {
      const row = match.closest("tr");
      const input = match.parentElement.querySelector("input");
      input.value = row.querySelector('.sum[data-fig="' + match.dataset.key + '"]').textContent;
      schedule();
    }
    const remove = event.target.closest(".remove-item");
    if (remove) {
      const item = remove.closest(".text-item");
      item.classList.toggle("removed");
      remove.textContent = item.classList.contains("removed") ? "Batal hapus" : "Hapus";
      schedule();
    }
    const action = event.target.closest(".list-action");
    if (action) listAction(action);
    const add = event.target.closest(".add-item");
    if (add) addItem(add.closest("[data-list]"), add.dataset.kind);
  });

  // a whole subbagian or staff group is added or removed at once, as a saved change of its own
  function listAction(button) {
    if (Object.keys(changed()).length) {
      window.alert("Simpan dulu perubahan Anda, lalu ulangi.");
      return;
    }
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    const form = document.getElementById("list-form");
    form.elements.path.value = button.dataset.path;
    form.elements.aksi.value = button.dataset.aksi;
    form.elements.bagian.value = button.closest("section.section").dataset.section;
    form.submit();
  }

  function addItem(list, kind) {
    const index = Number(list.dataset.count);
    list.dataset.count = index + 1;
    const name = list.dataset.list + "[" + index + "]";
    const item = document.createElement("div");
    item.className = "text-item";
    const el = document.createElement(kind === "paragraph" ? "textarea" : "input");
    el.className = "fld";
    el.id = "f-" + name;
    el.name = name;
    el.dataset.path = name;
    el.dataset.kind = kind;
    el.dataset.added = "1";
    if (kind === "paragraph") el.rows = 4;
    el.setAttribute("aria-label", (kind === "paragraph" ? "Paragraf " : "Nama ") + (index + 1));
    const error = document.createElement("p");
    error.className = "field-error";
    error.hidden = true;
    item.append(el, error);
    list.querySelector(".add-item").before(item);
    el.focus();
  }

  // money: show what was typed the Indonesian way once the field is left (1279853000 → 1.279.853.000)
  root.addEventListener("focusout", (event) => {
    const el = event.target;
    if (!el.classList || !el.classList.contains("money")) return;
    const raw = el.value.trim();
    if (/^\d+$/.test(raw)) el.value = raw.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  });

  // saving
  saveButton.addEventListener("click", async () => {
    saveButton.disabled = true;
    const message = document.getElementById("save-message");
    message.textContent = "Menyimpan…";
    const data = await post(root.dataset.save, { base: base, fields: changed() });
    if (data.ok) {
      const url = new URL(location.href);
      url.searchParams.set("pesan", data.message + (data.changes && data.changes.length ? " " + data.changes.join("; ") : ""));
      saveButton.dataset.leaving = "1";
      location.replace(url.toString());
      return;
    }
    message.textContent = data.message || "Gagal menyimpan.";
    if (data.errors) showErrors(data.errors);
    if (data.findings) showFindings(data.findings, {});
    saveButton.disabled = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (Object.keys(changed()).length && !saveButton.dataset.leaving) { event.preventDefault(); }
  });
  showFigures({});
  check();
}

// ---- building -------------------------------------------------------------------------------

const builder = document.getElementById("builder");
if (builder) setUpBuilder(builder);

function setUpBuilder(root) {
  const button = document.getElementById("build");
  const progress = document.getElementById("progress");
  const text = document.getElementById("progress-text");
  async function follow(jobId) {
    button.disabled = true;
    progress.hidden = false;
    const url = root.dataset.jobUrl.replace("JOB", jobId);
    for (;;) {
      let job;
      try { job = await (await fetch(url, { credentials: "same-origin" })).json(); }
      catch (e) { text.textContent = "Server tidak menjawab."; button.disabled = false; return; }
      if (job.state === "berjalan") {
        text.textContent = job.step + " (" + job.seconds + " detik)";
        await new Promise((r) => setTimeout(r, 300));
        continue;
      }
      progress.classList.toggle("failed", job.state !== "selesai");
      text.textContent = job.message;
      const list = document.getElementById("build-findings");
      list.replaceChildren(...(job.findings || []).map((f) => { const li = document.createElement("li"); li.textContent = f; return li; }));
      button.disabled = false;
      if (job.state === "selesai") {
        const url2 = new URL(location.href);
        url2.searchParams.set("pesan", job.message);
        location.replace(url2.toString());
      }
      return;
    }
  }
  button.addEventListener("click", async () => {
    const data = await post(root.dataset.build, { pdf: document.getElementById("want-pdf").checked });
    if (!data.ok) { progress.hidden = false; text.textContent = data.message; return; }
    follow(data.id);
  });
  if (root.dataset.running) follow(root.dataset.running);
}
