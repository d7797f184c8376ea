// The live meeting page: notes over a WebSocket that reconnects by itself and loses nothing.
//
// Every note is sent with a client id and kept as "pending" until the server echoes it back
// with its sequence number; on reconnect the page asks for everything after the last sequence
// number it holds without a gap (resync) and resends whatever is still pending. The server
// stores one note per client id, so a resend never duplicates. All text goes in via
// textContent: notes are plain text.
//
// The meeting's state (`meeting.state`: status, agenda, current case, the decisions and actions
// recorded, who is here) comes over the same socket on every change: the chair's buttons, the
// record forms and the decisions shown follow it on every screen.
(function () {
  "use strict";
  const root = document.getElementById("meeting");
  if (!root) return;
  const conferenceId = root.dataset.conference;
  const isChair = root.dataset.chair === "true";
  const csrf = root.dataset.csrf;
  const me = root.dataset.user;
  const $ = (sel) => root.querySelector(sel);
  const namesEl = document.getElementById("agency-names");
  const agencyNames = namesEl ? JSON.parse(namesEl.textContent) : {};
  const agencyName = (slug) => agencyNames[slug] || slug;
  const STATUS = {
    scheduled: "Scheduled",
    in_session: "In session",
    closed: "Closed",
    minutes_signed: "Minutes signed",
    cancelled: "Cancelled",
  };
  const OUTCOME = { done: "done", not_possible: "not possible", not_done: "not done" };
  const notesEl = $("#notes");
  const pending = new Map(); // client_id -> message
  const bySeq = new Map(); // seq -> note
  let contiguous = 0; // every note up to this seq is on the page
  let state = null;
  let socket = null;
  let backoff = 500;
  let resyncAsked = false;

  const uuid = () =>
    (window.crypto && crypto.randomUUID)
      ? crypto.randomUUID()
      : "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) => {
          const r = (Math.random() * 16) | 0;
          return (c === "x" ? r : (r & 0x3) | 0x8).toString(16);
        });

  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value == null ? "" : String(value);
    if (cls) el.className = cls;
    return el;
  }

  function setConnection(label) {
    const chip = root.querySelector('[data-testid="connection"]');
    chip.textContent = label;
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/conferences/${conferenceId}/`);
    setConnection("connecting");
    socket.onopen = () => {
      backoff = 500;
      setConnection("live");
      send({ type: "resync", since: contiguous });
      for (const message of pending.values()) send(message);
    };
    socket.onmessage = (event) => receive(JSON.parse(event.data));
    socket.onclose = (event) => {
      if (event.code === 4403) {
        setConnection("no access");
        return;
      }
      if (event.code === 4401) {
        // The session no longer stands (idle, too old, signed out): reloading the page signs
        // in again through the login page if it has ended, or reconnects if it has not.
        setConnection("signed out");
        location.reload();
        return;
      }
      if (event.code === 4429) {
        setConnection("too many open windows");
        return;
      }
      setConnection("reconnecting");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }

  function receive(message) {
    switch (message.type) {
      case "note.added":
      case "note.edited":
        pending.delete(message.client_id);
        place(message.note);
        break;
      case "resync.done":
        // Everything up to last_seq has been sent, or is not for this agency.
        contiguous = Math.max(contiguous, message.last_seq);
        resyncAsked = false;
        break;
      case "meeting.state":
        state = message;
        renderState();
        if (message.last_seq > contiguous) askResync();
        break;
      case "error":
        if (message.client_id) {
          pending.delete(message.client_id);
          const li = notesEl.querySelector(`[data-client-id="${message.client_id}"]`);
          if (li) li.remove();
        }
        $("#note-error").textContent = message.message || "Something went wrong.";
        break;
    }
  }

  function askResync() {
    if (resyncAsked) return;
    resyncAsked = true;
    send({ type: "resync", since: contiguous });
  }

  function place(note) {
    bySeq.set(note.seq, note);
    while (bySeq.has(contiguous + 1)) contiguous += 1;
    if (note.seq > contiguous + 1) askResync(); // a broadcast went missing: fetch the gap
    let li = notesEl.querySelector(`[data-client-id="${note.client_id}"]`);
    if (!li) {
      li = document.createElement("li");
      const after = [...notesEl.children].find((el) => Number(el.dataset.seq || Infinity) > note.seq);
      notesEl.insertBefore(li, after || null);
    }
    li.className = "";
    li.dataset.seq = note.seq;
    li.dataset.clientId = note.client_id;
    li.replaceChildren(
      text("span", `#${note.seq} ${note.author_name || note.author} · ${note.agency_name || agencyName(note.agency)}` +
        (note.visible_to ? ` · only ${note.visible_to.map(agencyName).join(", ")}` : "") +
        (note.is_addendum ? " · addendum" : "") +
        (note.version > 1 ? " · edited" : ""), "concord-note__meta"),
      text("span", note.text, "concord-note__text"),
    );
    if (note.author === me && mayEdit()) li.appendChild(editButton(li, note));
    notesEl.scrollTop = notesEl.scrollHeight;
  }

  // One's own note may be corrected until the minutes are signed (then only by an addendum):
  // the edit names the version it changes, and a note changed meanwhile is refused.
  function mayEdit() {
    return !state || (state.status !== "minutes_signed" && state.status !== "cancelled");
  }

  function editButton(li, note) {
    const button = text("button", "Edit", "mdc-button concord-note__edit");
    button.type = "button";
    button.setAttribute("aria-label", `Edit note ${note.seq}`);
    button.dataset.testid = "edit-note";
    button.addEventListener("click", () => {
      const form = document.createElement("form");
      const id = `edit-note-${note.id}`;
      const label = text("label", `Your note ${note.seq}`);
      label.htmlFor = id;
      const area = document.createElement("textarea");
      area.id = id;
      area.rows = 3;
      area.value = note.text;
      area.dataset.testid = "edit-note-text";
      const save = text("button", "Save", "mdc-button mdc-button--raised");
      save.type = "submit";
      save.dataset.testid = "save-note";
      const cancel = text("button", "Cancel", "mdc-button");
      cancel.type = "button";
      cancel.addEventListener("click", () => place(note));
      form.append(label, area, save, cancel);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        $("#note-error").textContent = "";
        send({ type: "note.edit", note: note.id, version: note.version, text: area.value });
      });
      li.replaceChildren(li.firstChild, form);
      area.focus();
    });
    return button;
  }

  function showPending(message) {
    const li = document.createElement("li");
    li.className = "is-pending";
    li.dataset.clientId = message.client_id;
    li.replaceChildren(text("span", "sending…", "concord-note__meta"), text("span", message.text));
    notesEl.appendChild(li);
  }

  function renderState() {
    const agenda = $("#agenda");
    agenda.replaceChildren(
      ...state.agenda.map((item) => {
        const li = text("li", item.reference + (item.is_repeat ? " (repeat)" : "") +
          (item.status === "closed" ? " (heard)" : item.id === state.current_item ? " (being heard)" : ""));
        if (item.id === state.current_item) li.classList.add("is-current");
        if (item.status === "closed") li.classList.add("is-closed");
        return li;
      }),
    );
    if (!state.agenda.length) agenda.replaceChildren(text("li", "No cases on the agenda.", "concord-muted"));
    root.dataset.status = state.status;
    $('[data-testid="status"]').textContent = STATUS[state.status] || state.status;
    $("#presence").replaceChildren(...state.presence.map(([name, agency]) => text("li", `${name} (${agency})`)));
    renderRecorded();
    renderControls();
    renderCase();
  }

  // What the chair recorded at this meeting, case by case: every attendee's screen shows it as
  // it is recorded (it arrives with the meeting's state).
  function renderRecorded() {
    const box = $("#recorded");
    const parts = [];
    for (const item of state.agenda) {
      const decisions = item.decisions || [];
      const actions = item.actions || [];
      if (!decisions.length && !actions.length) continue;
      parts.push(text("h3", item.reference, "mdc-typography--subtitle2"));
      const ul = document.createElement("ul");
      ul.className = "concord-recorded";
      for (const d of decisions) ul.appendChild(text("li", `Decision: ${d.text} (reason: ${d.reason})`));
      for (const a of actions) ul.appendChild(text("li", `Action for ${a.agency_name}: ${a.description} (due ${a.due})`));
      parts.push(ul);
    }
    box.replaceChildren(...(parts.length ? parts : [text("p", "None recorded yet.", "concord-muted")]));
  }

  // Only what the chair may do now is shown: the meeting's status decides which buttons, and
  // the current case which of them are enabled.
  function renderControls() {
    const status = state.status;
    const current = state.agenda.find((i) => i.id === state.current_item);
    const ids = state.agenda.map((i) => i.id);
    const here = ids.indexOf(state.current_item);
    const inSession = status === "in_session";
    const hearing = inSession && current && current.status === "current";
    const noteForm = $("#note-form");
    if (noteForm) noteForm.hidden = status === "minutes_signed" || status === "cancelled";
    notesEl.querySelectorAll(".concord-note__edit").forEach((button) => { button.hidden = !mayEdit(); });
    $("#notes-locked").hidden = status !== "minutes_signed";
    if (!isChair) return;
    const show = {
      start: status === "scheduled",
      prev: inSession,
      next: inSession,
      "close-item": inSession,
      close: inSession,
      sign: status === "closed",
    };
    const enabled = {
      start: true,
      prev: inSession && here > 0,
      next: inSession && here < ids.length - 1,
      "close-item": Boolean(hearing),
      close: true,
      sign: true,
    };
    root.querySelectorAll("[data-chair]").forEach((button) => {
      const what = button.dataset.chair;
      button.hidden = !show[what];
      button.disabled = !enabled[what] || busy;
    });
    root.querySelectorAll("[data-chair-link]").forEach((link) => {
      link.hidden = link.dataset.chairLink === "edit"
        ? status !== "scheduled"
        : !(status === "scheduled" || inSession);
    });
    const record = $("#record");
    if (record) record.hidden = !hearing;
  }

  let shownCase = null;
  async function renderCase() {
    const item = state.agenda.find((i) => i.id === state.current_item);
    const box = $("#case");
    if (!item) {
      shownCase = null;
      box.replaceChildren(text("p", "No case is being heard.", "concord-muted"));
      return;
    }
    if (shownCase === item.id) return;
    shownCase = item.id;
    const response = await fetch(`/api/v1/referrals/${item.referral}/`, { credentials: "same-origin" });
    if (!response.ok) {
      box.replaceChildren(text("p", `Being heard: ${item.reference}. Your agency cannot see this case.`, "concord-muted"));
      return;
    }
    const c = await response.json();
    const risk = c.risk_level ? c.risk_level.charAt(0).toUpperCase() + c.risk_level.slice(1) : "";
    const parts = [
      text("h2", `Being heard: ${c.reference} · ${risk} risk${c.escalation.escalating ? " · escalating" : ""}`, "mdc-typography--subtitle1"),
    ];
    if (c.victim) parts.push(text("p", `Victim: ${c.victim.name}`));
    if (c.suspect) parts.push(text("p", `Suspect: ${c.suspect.name}`));
    parts.push(text("p", c.summary));
    if (c.escalation.reasons.length) {
      const ul = document.createElement("ul");
      ul.replaceChildren(...c.escalation.reasons.map((r) => text("li", r)));
      parts.push(ul);
    }
    box.replaceChildren(...parts);
  }

  $("#note-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const value = form.elements.text.value.trim();
    if (!value) return;
    const restricted = form.elements.visibility.value === "some";
    const chosen = [...form.querySelectorAll('input[name="agency"]:checked')].map((el) => el.value);
    const message = {
      type: "note.add",
      client_id: uuid(),
      agenda_item: state && state.current_item ? state.current_item : null,
      text: value,
      visible_to: restricted ? chosen : null,
    };
    pending.set(message.client_id, message);
    showPending(message);
    send(message);
    // Each note starts open to everyone: a restriction is chosen for one note, never carried on.
    form.reset();
    $("#note-error").textContent = "";
  });
  $("#note-form textarea").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("#note-form").requestSubmit();
    }
  });

  async function api(path, body) {
    const response = await fetch(`/api/v1/conferences/${conferenceId}/${path}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body ? JSON.stringify(body) : null,
    });
    const data = await response.json().catch(() => ({}));
    const out = $("#chair-message");
    if (out) out.textContent = response.ok ? "" : (data.error && data.error.message) || "Refused.";
    return response.ok;
  }

  // Closing the meeting and signing the minutes cannot be undone: each asks first, in a
  // dialog (focus moves into it; Escape or "Go back" leaves everything as it was).
  const CONFIRM = {
    close: {
      title: "Close the meeting?",
      text: "No more decisions or actions can be recorded. The minutes then wait for your signature.",
      yes: "Close the meeting",
    },
    sign: {
      title: "Sign the minutes?",
      text: "The minutes are then fixed as they are now and notes lock; corrections can only be added as addenda.",
      yes: "Sign the minutes",
    },
  };
  function confirmed(what) {
    const dialog = document.getElementById("confirm");
    const words = CONFIRM[what];
    if (!dialog || typeof dialog.showModal !== "function") return Promise.resolve(window.confirm(words.title));
    dialog.querySelector("#confirm-title").textContent = words.title;
    dialog.querySelector("#confirm-text").textContent = words.text;
    dialog.querySelector('[value="confirm"]').textContent = words.yes;
    dialog.returnValue = "";
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
      dialog.showModal();
      dialog.querySelector('[value="cancel"]').focus();
    });
  }

  let busy = false;
  async function chairDoes(what) {
    if (CONFIRM[what] && !(await confirmed(what))) return;
    busy = true;
    if (state) renderControls();
    try {
      if (what === "prev" || what === "next") await api("move/", { step: what === "next" ? 1 : -1 });
      else if (what === "close-item" && state && state.current_item) await api(`agenda/${state.current_item}/close/`);
      else if (["start", "close", "sign"].includes(what)) await api(`${what}/`);
    } finally {
      busy = false;
      if (state) renderControls();
    }
  }

  if (isChair) {
    root.querySelectorAll("[data-chair]").forEach((button) =>
      button.addEventListener("click", () => chairDoes(button.dataset.chair)),
    );
    const decisionForm = $("#decision-form");
    if (decisionForm) {
      recordOnSubmit(decisionForm, "decisions", (f) => ({ text: f.text.value, reason: f.reason.value }),
        (saved) => `Decision saved: ${saved.text}`);
      recordOnSubmit($("#action-form"), "actions",
        (f) => ({ agency: f.agency.value, description: f.description.value, due: f.due.value }),
        (saved) => `Action saved for ${agencyName(saved.agency)}: ${saved.description} (due ${saved.due})`);
    }
  }

  // A decision or an action for the current case. Each submission carries a client id, kept
  // until the server answers it: a retry after a lost answer sends the same one, and the server
  // answers with what it stored the first time instead of storing it again. The button stays
  // disabled while a request is out, so a second click cannot make a second submission.
  function recordOnSubmit(form, kind, body, said) {
    const button = form.querySelector('button[type="submit"]');
    const out = $("#record-message");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (button.disabled) return;
      if (!state || !state.current_item) {
        out.textContent = "No case is being heard.";
        return;
      }
      if (!form.dataset.clientId) form.dataset.clientId = uuid();
      button.disabled = true;
      out.textContent = "Saving…";
      try {
        const response = await fetch(`/api/v1/conferences/${conferenceId}/agenda/${state.current_item}/${kind}/`, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ ...body(form.elements), client_id: form.dataset.clientId }),
        });
        const data = await response.json().catch(() => ({}));
        if (response.ok) {
          delete form.dataset.clientId;
          form.reset();
          out.textContent = said(data);
        } else if (response.status < 500) {
          delete form.dataset.clientId; // refused: nothing was stored under it
          out.textContent = (data.error && data.error.message) || "Refused.";
        } else {
          out.textContent = "Not saved: the server failed. Try again.";
        }
      } catch (error) {
        out.textContent = "Not saved: the connection failed. Try again.";
      } finally {
        button.disabled = false;
      }
    });
  }

  async function showOutstanding() {
    const response = await fetch(`/api/v1/conferences/${conferenceId}/`, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    const list = $("#outstanding");
    const actions = data.outstanding_actions || [];
    list.replaceChildren(
      ...(actions.length
        ? actions.map((a) => text("li", `${a.reference} · ${a.agency_name || agencyName(a.agency)}: ${a.description} (due ${a.due})` +
            (a.outcome ? ` · ${OUTCOME[a.outcome] || a.outcome}` : " · open")))
        : [text("li", "None.", "concord-muted")]),
    );
  }

  showOutstanding();
  connect();
})();
