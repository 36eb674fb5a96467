/* KAM on a phone without signal.

   - Registers the service worker (/sw.js) and tells it the page's language, so that
     its offline page speaks the same one.
   - Keeps a visit's outcome on the phone when it cannot be sent: the outcome form
     (form[data-offline-draft]) is saved as a draft in localStorage under a key made
     here, then sent to the API with that key. The server records a key once, so a
     draft sent twice (the answer was lost, two tabs) is recorded once.
   - Sends waiting drafts when a page loads, when the connection returns, and every
     half minute while any wait. A draft the server refuses stays, marked with the
     server's message, until the rep corrects or discards it on its form.
   - Shows the drafts in the navigation (#kam-drafts).

   Every text comes from the page's translated data attributes: the
   Content-Security-Policy forbids inline scripts, and with them an inline catalogue. */
(function () {
  "use strict";

  var STORE = "kam.outcome-drafts";
  var LAST_USER = "kam.user";
  var RETRY_MS = 30000;
  var WAITING = "waiting";
  var REFUSED = "refused";

  // --- the service worker --------------------------------------------------------------

  var workerMeta = document.querySelector("meta[name=kam-service-worker]");
  if (workerMeta && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(workerMeta.content, { scope: "/" }).catch(function () {
      // No worker (a browser without it, or not a secure origin): KAM works as a website.
    });
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) {
        registration.active.postMessage({
          type: "language",
          language: document.documentElement.lang,
        });
      }
    });
  }

  // --- the drafts on this phone --------------------------------------------------------

  var badge = document.getElementById("kam-drafts");
  var form = document.querySelector("form[data-offline-draft]");

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function loadAll() {
    var store = storage();
    if (!store) {
      return {};
    }
    try {
      return JSON.parse(store.getItem(STORE) || "{}") || {};
    } catch (error) {
      return {};
    }
  }

  function saveAll(drafts) {
    var store = storage();
    if (store) {
      store.setItem(STORE, JSON.stringify(drafts));
    }
  }

  function currentUser() {
    var store = storage();
    var user = badge && badge.dataset.user;
    if (user && store) {
      store.setItem(LAST_USER, user);
    }
    return user || (store && store.getItem(LAST_USER)) || "";
  }

  var user = currentUser();

  // Only the signed-in person's drafts: a shared phone must not send someone else's.
  function myDrafts() {
    var all = loadAll();
    return Object.keys(all)
      .map(function (key) {
        return all[key];
      })
      .filter(function (draft) {
        return draft.user === user;
      })
      .sort(function (a, b) {
        return a.savedAt - b.savedAt;
      });
  }

  function putDraft(draft) {
    var all = loadAll();
    all[draft.key] = draft;
    saveAll(all);
  }

  function changeDraft(key, changes) {
    var all = loadAll();
    if (all[key]) {
      Object.assign(all[key], changes);
      saveAll(all);
    }
    return all[key];
  }

  function removeDraft(key) {
    var all = loadAll();
    delete all[key];
    saveAll(all);
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) {
      return field.value;
    }
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  // --- sending --------------------------------------------------------------------------

  function refusal(error) {
    var parts = [];
    var details = error.details || {};
    Object.keys(details).forEach(function (name) {
      if (name === "current") {
        return;
      }
      [].concat(details[name]).forEach(function (message) {
        if (typeof message === "string") {
          parts.push(message);
        }
      });
    });
    if (!parts.length && error.message) {
      parts.push(error.message);
    }
    return parts.join(" ");
  }

  var inFlight = {};

  /* Send one draft; resolves to "recorded", WAITING (no answer, or the server cannot
     judge it now: try again later) or REFUSED (the server said no, with its reason). */
  function send(draft) {
    if (inFlight[draft.key]) {
      return inFlight[draft.key];
    }
    var fields = draft.fields;
    var body = {
      idempotency_key: draft.key,
      version: fields.version === "" ? null : Number(fields.version),
      outcome: fields.outcome,
      note: fields.outcome_note,
      duration_minutes: fields.duration_minutes === "" ? null : fields.duration_minutes,
      expenses: fields.expenses === "" ? null : fields.expenses,
    };
    var sending = fetch(draft.sendUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        if (response.ok) {
          removeDraft(draft.key);
          return "recorded";
        }
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (answer) {
            var error = answer.error || {};
            if (response.status >= 500 || response.status === 429 || error.code === "not_authenticated") {
              return WAITING;
            }
            changeDraft(draft.key, { state: REFUSED, message: refusal(error) || String(response.status) });
            return REFUSED;
          });
      })
      .catch(function () {
        return WAITING;
      })
      .then(function (result) {
        delete inFlight[draft.key];
        showDrafts();
        return result;
      });
    inFlight[draft.key] = sending;
    return sending;
  }

  function sendWaiting() {
    var waiting = myDrafts().filter(function (draft) {
      return draft.state === WAITING;
    });
    return waiting.reduce(function (previous, draft) {
      return previous.then(function () {
        return send(draft).then(function (result) {
          if (form && form.dataset.activity === draft.activity) {
            afterSend(draft, result);
          }
        });
      });
    }, Promise.resolve());
  }

  // --- the badge in the navigation --------------------------------------------------------

  function showDrafts() {
    if (!badge) {
      return;
    }
    var drafts = myDrafts();
    badge.hidden = drafts.length === 0;
    var refused = drafts.some(function (draft) {
      return draft.state === REFUSED;
    });
    badge.querySelector("[data-drafts-count]").textContent = String(drafts.length);
    badge.querySelector("[data-drafts-label]").textContent = refused
      ? badge.dataset.labelRefused
      : badge.dataset.labelWaiting;
    var button = badge.querySelector("button");
    if (button) {
      button.classList.toggle("btn-warning", !refused);
      button.classList.toggle("btn-danger", refused);
    }
    var list = badge.querySelector("[data-drafts-list]");
    list.querySelectorAll("[data-draft-item]").forEach(function (item) {
      item.remove();
    });
    drafts.forEach(function (draft) {
      var item = document.createElement("li");
      item.dataset.draftItem = draft.key;
      var link = document.createElement("a");
      link.className = "dropdown-item kam-draft";
      link.href = draft.formUrl;
      var title = document.createElement("span");
      title.className = "kam-draft-title";
      title.textContent = draft.title;
      var state = document.createElement("small");
      state.className = draft.state === REFUSED ? "d-block text-danger" : "d-block text-body-secondary";
      state.textContent =
        draft.state === REFUSED
          ? badge.dataset.msgRefused + " " + draft.message
          : badge.dataset.msgWaiting;
      link.appendChild(title);
      link.appendChild(state);
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  // --- the outcome form -------------------------------------------------------------------

  var FIELDS = ["outcome", "outcome_note", "duration_minutes", "expenses"];

  function readFields() {
    var data = new FormData(form);
    var fields = { version: String(data.get("version") || "") };
    FIELDS.forEach(function (name) {
      fields[name] = String(data.get(name) || "");
    });
    return fields;
  }

  function fillFields(fields) {
    FIELDS.forEach(function (name) {
      var element = form.elements[name];
      if (!element) {
        return;
      }
      if (element instanceof RadioNodeList) {
        Array.prototype.forEach.call(element, function (radio) {
          radio.checked = radio.value === fields[name];
        });
      } else {
        element.value = fields[name] || "";
      }
    });
  }

  function showState(kind, draft) {
    var box = form.querySelector("[data-draft-state]");
    var message = box.querySelector("[data-draft-message]");
    var discard = box.querySelector("[data-draft-discard]");
    box.classList.remove("d-none", "alert-info", "alert-warning", "alert-danger");
    box.dataset.state = kind;
    if (kind === "sending") {
      box.classList.add("alert-info");
      message.textContent = form.dataset.msgSending;
    } else if (kind === WAITING) {
      box.classList.add("alert-warning");
      message.textContent = form.dataset.msgWaiting;
    } else {
      box.classList.add("alert-danger");
      message.textContent = form.dataset.msgRefused + " " + draft.message + " " + form.dataset.msgFix;
    }
    discard.hidden = kind === "sending";
  }

  function afterSend(draft, result) {
    if (result === "recorded") {
      window.location.assign(draft.doneUrl);
    } else {
      showState(result, changeDraft(draft.key, {}) || draft);
    }
  }

  function setUpForm() {
    var keyField = form.elements.idempotency_key;
    var draft = myDrafts().filter(function (kept) {
      return kept.activity === form.dataset.activity;
    })[0];
    if (draft) {
      fillFields(draft.fields);
      keyField.value = draft.key;
      showState(draft.state, draft);
    } else if (!keyField.value) {
      keyField.value = newKey();
    }

    form.querySelector("[data-draft-discard]").addEventListener("click", function () {
      removeDraft(keyField.value);
      window.location.reload();
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var kept = {
        key: keyField.value,
        user: user,
        activity: form.dataset.activity,
        title: form.dataset.title,
        sendUrl: form.dataset.sendUrl,
        doneUrl: form.dataset.doneUrl,
        formUrl: window.location.pathname,
        fields: readFields(),
        state: WAITING,
        message: "",
        savedAt: Date.now(),
      };
      putDraft(kept);
      showDrafts();
      showState("sending", kept);
      send(kept).then(function (result) {
        afterSend(kept, result);
      });
    });
  }

  if (form && user) {
    setUpForm();
  }
  showDrafts();
  // The offline page only lists the drafts: it has no session token to send them with.
  if (user && badge && csrfToken()) {
    sendWaiting();
    window.addEventListener("online", sendWaiting);
    window.setInterval(function () {
      if (navigator.onLine !== false) {
        sendWaiting();
      }
    }, RETRY_MS);
  }
})();
