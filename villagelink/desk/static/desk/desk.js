// The desk online or off. With a connection the forms post as usual. Without one, an entry is kept on the
// phone (IndexedDB, the "outbox"), shown as waiting, and sent to the desk's API when the connection returns,
// each with a key made here once, so that sending again after a lost answer never records it twice. An entry
// the server refuses (an approved month, say) stays, with the reason, to be corrected or discarded.
// Loaded with the desk's page, which htmx may swap in again (a boosted link or form): the listeners are set
// once, and each page load only refreshes what it shows.
(() => {
  if (window.villagelinkDesk) {
    window.villagelinkDesk();
    return;
  }
  const desk = () => document.getElementById("desk");
  const FORMS = {
    purchase: { path: "purchases/", fields: ["platform", "description", "category", "amount", "service_fee", "local_price"] },
    sale: { path: "sales/", fields: ["platform", "description", "category", "quantity", "amount"] },
    parcel: { path: "parcels/", fields: ["direction", "carrier", "tracking_number", "cost"] },
  };

  // ------------------------------------------------------------------ the phone's store
  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("villagelink-desk", 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("outbox", { keyPath: "key" });
        request.result.createObjectStore("households", { keyPath: "site" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function store(name, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(name, mode);
      const result = work(tx.objectStore(name));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  }
  const put = (name, value) => store(name, "readwrite", (s) => s.put(value));
  const remove = (name, key) => store(name, "readwrite", (s) => s.delete(key));
  const get = (name, key) => store(name, "readonly", (s) => s.get(key));
  const all = (name) => store(name, "readonly", (s) => s.getAll());

  let say = {};
  const mine = (entry) => entry.user === say.user && String(entry.site) === say.site;
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));

  // ------------------------------------------------------------------ what the page shows
  const outboxOf = () => document.getElementById("outbox");
  const pickerOf = () => document.getElementById("offline-picker");
  const selectOf = () => pickerOf() && pickerOf().querySelector("select");

  function describe(entry) {
    const f = entry.fields;
    const what = entry.kind === "parcel" ? `${f.carrier} ${f.tracking_number}` : `${f.description} · ¥${f.amount}`;
    return `${say[entry.kind]} · ${what}${entry.householdName ? " · " + entry.householdName : ""}`;
  }

  async function showOutbox() {
    const outbox = outboxOf();
    if (!outbox) return;
    const entries = (await all("outbox")).filter(mine).sort((a, b) => a.madeAt.localeCompare(b.madeAt));
    const list = outbox.querySelector("ul");
    list.replaceChildren();
    for (const entry of entries) {
      const item = document.createElement("li");
      item.dataset.key = entry.key;
      item.dataset.state = entry.state;
      const text = document.createElement("span");
      text.textContent = `${describe(entry)} — ${entry.state === "refused" ? say.refused : say.waiting}`;
      item.append(text);
      if (entry.state === "refused") {
        const reason = document.createElement("p");
        reason.className = "errorlist";
        reason.textContent = entry.reason;
        const correct = button(say.correct, () => correctEntry(entry));
        const discard = button(say.discard, async () => { await remove("outbox", entry.key); showOutbox(); });
        item.append(reason, correct, discard);
      }
      list.append(item);
    }
    outbox.hidden = entries.length === 0;
  }

  function button(label, action) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", action);
    return b;
  }

  function showConnection() {
    if (!desk()) return;
    const offline = !navigator.onLine;
    document.getElementById("offline-note").hidden = !offline;
    if (pickerOf()) pickerOf().hidden = !offline;
    if (offline) fillPicker();
  }

  async function fillPicker() {
    const select = selectOf();
    if (!select || select.options.length > 1) return;
    const kept = await get("households", say.site);
    for (const h of (kept && kept.households) || []) {
      const option = document.createElement("option");
      option.value = h.id;
      option.textContent = `${h.name} · ${h.id_masked}${h.poor ? " · " + say.poor : ""}`;
      select.append(option);
    }
  }

  // ------------------------------------------------------------------ keeping and sending
  async function keep(form) {
    if (!form.checkValidity()) {
      form.reportValidity(); // a field left empty: say so now, not when the entry comes back refused
      return;
    }
    const kind = form.dataset.offline;
    const fields = {};
    for (const name of FORMS[kind].fields) {
      const input = form.elements[`${kind}-${name}`];
      const value = input instanceof RadioNodeList ? input.value : input && input.value;
      if (value) fields[name] = value.trim();
    }
    const picker = pickerOf();
    const select = selectOf();
    const chosen = picker && !picker.hidden && select.value;
    const household = chosen || (form.elements.household && form.elements.household.value) || "";
    const householdName = chosen ? select.selectedOptions[0].textContent.split(" · ")[0] : (say.householdName || "");
    form.reset(); // now, before waiting on the store: the next entry may be typed meanwhile
    await put("outbox", {
      key: newKey(), kind, fields, site: say.site, user: say.user, household, householdName,
      madeAt: new Date().toISOString(), state: "waiting", reason: "",
    });
    await showOutbox();
  }

  let sending = false;
  async function send() {
    if (sending || !navigator.onLine || !desk()) return;
    sending = true;
    let sent = 0;
    let again = false;
    try {
      for (const entry of (await all("outbox")).filter((e) => mine(e) && e.state === "waiting")) {
        const body = { ...entry.fields, key: entry.key, made_at: entry.madeAt };
        if (say.siteParam) body.site = Number(say.siteParam);
        if (entry.household) body.household = Number(entry.household);
        let response;
        try {
          response = await fetch(say.api + FORMS[entry.kind].path, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": say.csrf, Accept: "application/json" },
            body: JSON.stringify(body),
          });
        } catch (error) {
          again = true; // no answer (the connection dropped, or the answer was lost): the same key again soon
          continue;
        }
        if (response.ok) {
          await remove("outbox", entry.key);
          sent += 1;
        } else if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          await put("outbox", { ...entry, state: "refused", reason: await reasonOf(response) });
        } else {
          again = true; // the server is busy or failing: try again soon, with the same key
        }
      }
    } finally {
      sending = false;
    }
    await showOutbox();
    if (sent) {
      window.location.reload(); // the day's entries and totals now hold them (and the page sends what is left)
    } else if (again) {
      setTimeout(send, 3000);
    }
  }

  async function reasonOf(response) {
    try {
      const answer = await response.json();
      if (answer.detail) return String(answer.detail);
      return Object.entries(answer).map(([field, errors]) => `${field}: ${[].concat(errors).join(" ")}`).join("; ");
    } catch (error) {
      return `${response.status}`;
    }
  }

  function correctEntry(entry) {
    const form = document.querySelector(`form[data-offline="${entry.kind}"]`);
    for (const [name, value] of Object.entries(entry.fields)) {
      const input = form.elements[`${entry.kind}-${name}`];
      if (input) input.value = value;
    }
    form.closest("details").open = true;
    remove("outbox", entry.key).then(showOutbox);
    form.scrollIntoView();
  }

  async function keepHouseholds() {
    if (!navigator.onLine || !say.households) return;
    try {
      const response = await fetch(say.households, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const answer = await response.json();
        await put("households", { site: String(answer.site), households: answer.households });
      }
    } catch (error) {
      // offline after all: keep what the phone has
    }
  }

  // ------------------------------------------------------------------ wiring
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-offline]");
    if (!form || navigator.onLine) return;
    event.preventDefault();
    event.stopImmediatePropagation(); // not htmx's: there is no one to answer
    keep(form);
  }, true);
  document.body.addEventListener("htmx:sendError", (event) => {
    // The connection dropped without the phone noticing: keep the entry instead of losing it.
    const form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-offline]");
    if (form) keep(form);
  });
  window.addEventListener("online", () => { showConnection(); send(); keepHouseholds(); });
  window.addEventListener("offline", showConnection);
  document.addEventListener("click", (event) => {
    // Leaving the phone to someone else: what it keeps of the village goes with the session.
    if (event.target.closest("[data-logout]")) {
      store("households", "readwrite", (s) => s.clear());
      if (window.caches) caches.keys().then((names) => names.forEach((n) => caches.delete(n)));
    }
  });

  function load() {
    if (!desk()) return;
    say = { ...desk().dataset };
    if ("serviceWorker" in navigator && say.worker) {
      navigator.serviceWorker.register(say.worker, { scope: say.scope }).catch(() => {});
    }
    showConnection();
    showOutbox().then(send);
    keepHouseholds();
  }
  window.villagelinkDesk = load;
  load();
  setInterval(send, 30000);
})();
