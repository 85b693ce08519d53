/*
 * The producer console: renders the show state and sends commands; it owns nothing.
 *
 * - States come whole (from the page, the websocket, a command's answer or a 409) and replace
 *   what is on screen; an older revision never replaces a newer one.
 * - Every command carries the revision on screen and a fresh command id. A 409 stale answer
 *   carries the current state: it goes on screen and the producer is told, gently, to check.
 *   A command lost on the network is sent again with the same id: the server applies it once.
 * - Clocks (elapsed, over/under-run, projected end, flash countdown) are recomputed four times
 *   a second from the state's timestamps and the server clock, never counted down.
 *
 * Plain ES2017 (Chromium 127, as inside OBS).
 */
(function (root) {
  "use strict";

  var VERSION = "producer-console/1.0.0";
  var CLIENTS_EVERY_MS = 3000;
  var SEND_TIMEOUT_MS = 8000;
  var SEND_ATTEMPTS = 3;

  var C = root.SieuConsole;
  var $ = C.$;
  var page = C.page();
  var data = page.data;
  var W = page.words;
  var products = page.products;
  var sessionId = data.session_id;
  var api = "/api/sessions/" + sessionId + "/show";
  var clock = C.timeFormatter(data.timezone, true);
  var shortClock = C.timeFormatter(data.timezone, false);

  var state = data.state;
  var live = null;
  var busy = false;
  var queued = null; // [command, args] pressed while busy
  var jumpBuffer = "";
  var noticeTimer = null;
  var confirmAction = null;

  function all(selector) {
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }

  function now() {
    return live ? live.serverNow() : Date.now() + page.offsetGuessMs;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function show() {
    return (state && state.show) || {};
  }

  function productName(id) {
    var p = products[id];
    if (p) return p.name;
    if (state && state.featured && state.featured.id === id) return state.featured.name;
    return id ? "#" + id : "";
  }

  // ---------------------------------------------------------------- rendering

  function accept(next, force) {
    if (!(force ? C.newer(null, next) : C.newer(state, next))) return false;
    state = next;
    render();
    return true;
  }

  function render() {
    var rehearsal = C.renderHeader(state, W, {
      phaseClass: "phase",
      code: data.code,
      title: W.console_producer_title,
    });
    $("[data-rehearsal-banner]").hidden = !rehearsal;
    $("[data-rehearsal-hint]").hidden = !rehearsal;

    renderOnAir();
    renderButtons();
    renderTable();
    renderFeature();
    renderFlash();
    renderSales();
    tick();
  }

  function renderOnAir() {
    var s = show();
    var box = $("[data-onair]");
    var seg = C.current(state);
    box.classList.toggle("is-live", s.phase === "live");
    box.classList.toggle("is-held", s.phase === "held");
    var total = (state.segments || []).length;
    C.setText($("[data-onair-position]"), seg ? "· " + C.fill(W.console_segment_of, { n: seg.position, total: total }) : "");
    if (seg) {
      C.setText($("[data-onair-title]"), seg.title || W["segment_" + seg.kind] || seg.kind);
    } else {
      C.setText($("[data-onair-title]"), s.phase === "ended" ? W.console_show_ended : W.console_not_started);
    }
    var line = $("[data-onair-product]");
    line.textContent = "";
    var featured = state.featured;
    if (featured) {
      line.appendChild(document.createTextNode(featured.name + " · "));
      // The flash price only for the product on flash sale, with the normal price struck.
      var now = root.SieuFormat.priceNow(featured, state.flash_sale);
      line.appendChild(el("span", "money", C.money(now.price)));
      if (now.struck !== null) {
        line.appendChild(document.createTextNode(" "));
        line.appendChild(el("s", "money", C.money(now.struck)));
      }
      if (now.flash) line.appendChild(document.createTextNode(" ⚡ " + W.console_flash_sale));
      if (typeof featured.stock_left === "number") {
        // The campaign stock less every unit sold: the figure the overlay and creator show.
        var left = featured.stock_left;
        line.appendChild(
          document.createTextNode(" · " + (left <= 0 ? W.console_sold_out : C.fill(W.console_stock_left, { n: C.count(left) })))
        );
      }
    }
    C.setText($("[data-planned]"), seg ? C.duration(seg.planned_seconds) : "—");
    var held = $("[data-held]");
    held.hidden = s.phase !== "held";
    if (s.phase === "held") {
      C.setText(held, C.fill(W.console_held_since, { time: clock(C.parseTime(s.held_at)) }));
    }
  }

  function renderButtons() {
    var s = show();
    var phase = s.phase || "standby";
    var onAir = phase === "live" || phase === "held";
    var segments = state.segments || [];
    var last = segments.length ? segments[segments.length - 1].position : 0;
    var first = segments.length ? segments[0].position : 0;
    var enable = {
      go_live: phase === "standby",
      rehearse: phase === "standby",
      next: onAir && s.current_position < last,
      previous: onAir && s.current_position > first,
      hold: onAir,
      flash: onAir,
      end: onAir,
    };
    all("[data-command]").forEach(function (button) {
      button.disabled = !enable[button.getAttribute("data-command")];
    });
    C.setText($("[data-hold-label]"), phase === "held" ? W.console_resume : W.console_hold);
    $("[data-jump-button]").disabled = !onAir;
    $("[data-jump-input]").max = String(Math.max(1, last));
    $("[data-auto-advance]").checked = !!s.auto_advance;
    all("[data-flash-form] button, [data-feature-form] button").forEach(function (b) {
      b.disabled = !onAir;
    });
  }

  function deltaCell(cell, seconds) {
    cell.textContent = "";
    cell.className = "num";
    if (seconds === null || seconds === undefined) {
      cell.appendChild(el("span", "muted", "—"));
      return;
    }
    var n = Math.round(seconds);
    var tone = n > 0 ? "is-over" : n < 0 ? "is-under" : "";
    var word = n > 0 ? W.console_over : n < 0 ? W.console_under : null;
    var span = el("span", "delta " + tone);
    if (word) {
      // The number and the word, so the colour is never the only way to tell.
      var text = C.fill(word, { d: C.signed(n) });
      span.textContent = text;
    } else {
      span.textContent = C.signed(0) + " ";
      span.appendChild(el("small", null, W.console_on_time));
    }
    cell.appendChild(span);
  }

  // The segment on air isn't early yet: until its time is up it shows what is left.
  function currentDelta(cell, over, left) {
    if (over > 0) {
      deltaCell(cell, Math.floor(over));
      return;
    }
    cell.textContent = "";
    cell.className = "num";
    cell.appendChild(el("span", "muted", W.console_time_left.toLowerCase() + " " + C.duration(left + 0.999)));
  }

  function timeCell(value) {
    var td = el("td", "num");
    var ms = C.parseTime(value);
    if (ms === null) td.appendChild(el("span", "muted", "—"));
    else td.textContent = clock(ms);
    return td;
  }

  function renderTable() {
    var body = $("[data-ros-body]");
    var s = show();
    var onAir = s.phase === "live" || s.phase === "held";
    var fragment = document.createDocumentFragment();
    (state.segments || []).forEach(function (seg) {
      var isCurrent = onAir && seg.position === s.current_position;
      var tr = el("tr");
      tr.setAttribute("data-position", String(seg.position));
      if (isCurrent) tr.className = "is-current" + (s.phase === "held" ? " is-held" : "");
      else if (seg.actual_end) tr.className = "is-done";

      tr.appendChild(el("td", "num", seg.position));
      var kind = el("td");
      kind.appendChild(el("span", "kind kind-" + seg.kind, W["segment_" + seg.kind] || seg.kind));
      tr.appendChild(kind);

      // Title, then the product (named again only when the title doesn't already say it) and
      // its price, then the producer's notes.
      var title = el("td", "wide");
      var name = seg.title || W["segment_" + seg.kind] || "";
      title.appendChild(el("span", "seg-title", name));
      if (isCurrent) title.appendChild(el("span", "now-marker", W.console_now_marker));
      if (seg.product_id) {
        var p = products[seg.product_id];
        var product = productName(seg.product_id);
        var line = [];
        if (product && product !== name) line.push(product);
        if (seg.kind === "flash_sale" && seg.flash_price) {
          line.push(
            C.fill(W.console_flash_line, {
              price: C.money(seg.flash_price),
              quantity: seg.flash_quantity || 0,
            })
          );
        } else if (p) {
          line.push(C.money(p.live_price));
        }
        var small = el("small", "seg-product", line.join(" · "));
        small.setAttribute("data-product-id", String(seg.product_id));
        title.appendChild(small);
      }
      if (seg.notes) title.appendChild(el("small", "seg-notes", seg.notes));
      tr.appendChild(title);

      tr.appendChild(el("td", "num", C.duration(seg.planned_seconds)));
      tr.appendChild(timeCell(seg.planned_start));
      tr.appendChild(timeCell(seg.actual_start));
      tr.appendChild(timeCell(isCurrent ? null : seg.actual_end));
      var delta = el("td", "num");
      if (isCurrent) delta.setAttribute("data-current-delta", "");
      if (isCurrent) currentDelta(delta, 0, seg.planned_seconds);
      else deltaCell(delta, seg.over_under_seconds);
      tr.appendChild(delta);

      var action = el("td");
      if (!isCurrent) {
        var jump = el("button", "row-jump", W.console_jump_go);
        jump.type = "button";
        jump.disabled = !onAir;
        jump.setAttribute("data-jump-to", String(seg.position));
        action.appendChild(jump);
      }
      tr.appendChild(action);
      fragment.appendChild(tr);
    });
    body.textContent = "";
    body.appendChild(fragment);
  }

  function renderFeature() {
    var select = $("[data-feature-select]");
    if (document.activeElement === select) return; // don't pull the choice from under a hand
    var id = state.featured ? String(state.featured.id) : "";
    var known = all("[data-feature-select] option").some(function (o) {
      return o.value === id;
    });
    select.value = known ? id : "";
  }

  function renderFlash() {
    var f = state.flash_sale;
    var box = $("[data-flash-running]");
    box.hidden = !f;
    if (!f) return;
    var product = f.product || {};
    C.setText($("[data-flash-name]"), product.name || productName(f.product_id));
    C.setText($("[data-flash-price]"), C.money(f.price));
    var quantity = Number(f.quantity) || 0;
    var remaining = Math.max(0, Number(f.remaining) || 0);
    var left = $("[data-flash-left]");
    C.setText(left, f.sold_out ? W.console_sold_out : C.fill(W.console_flash_left, { left: C.count(remaining), total: C.count(quantity) }));
    left.classList.toggle("is-sold-out", !!f.sold_out);
    $("[data-flash-bar]").style.width = (quantity ? Math.min(100, (100 * remaining) / quantity) : 0).toFixed(1) + "%";
  }

  function renderSales() {
    var sales = state.sales || {};
    C.setText($('[data-sales="revenue"]'), C.money(sales.revenue || 0));
    C.setText($('[data-sales="orders"]'), C.count(sales.orders || 0));
    C.setText($('[data-sales="units"]'), C.count(sales.units || 0));
  }

  // Everything that moves with time, recomputed from timestamps.
  function tick() {
    if (!state) return;
    var t = now();
    var s = show();
    var seg = C.current(state);
    var elapsed = seg ? C.elapsed(state, t) : 0;
    C.setText($("[data-elapsed]"), C.duration(elapsed));
    var leftNode = $("[data-left]");
    var bar = $("[data-progress]");
    if (seg) {
      var over = elapsed - seg.planned_seconds;
      leftNode.className = "clock-left " + (over > 0 ? "is-over" : "is-under");
      C.setText(
        leftNode,
        over > 0 ? W.console_overrun + " " + C.signed(over) : W.console_time_left + " " + C.duration(seg.planned_seconds - elapsed + 0.999)
      );
      var pct = seg.planned_seconds > 0 ? Math.min(100, (100 * elapsed) / seg.planned_seconds) : 100;
      bar.style.width = pct.toFixed(2) + "%";
      bar.classList.toggle("is-over", over > 0);
      var cell = $("[data-current-delta]");
      if (cell) currentDelta(cell, over, seg.planned_seconds - elapsed);
    } else {
      leftNode.className = "clock-left";
      C.setText(leftNode, "");
      bar.style.width = s.phase === "ended" ? "100%" : "0";
      bar.classList.remove("is-over");
    }
    var end = C.projectedEnd(state, t);
    C.setText($("[data-projected]"), end === null ? "—" : clock(end));
    var slot = $("[data-slot]");
    var slotEnd = C.parseTime(state.session && state.session.scheduled_end);
    if (end !== null && slotEnd !== null) {
      var diff = Math.round((end - slotEnd) / 1000);
      var words = C.fill(W.console_slot_end, { time: shortClock(slotEnd) });
      // A slot days away (a show run long after its planned day) compares to nothing.
      var comparable = Math.abs(diff) >= 1 && Math.abs(diff) < 12 * 3600;
      if (comparable) {
        words += " · " + C.fill(diff > 0 ? W.console_vs_slot_over : W.console_vs_slot_under, {
          d: C.duration(Math.abs(diff)),
        });
      }
      C.setText(slot, words);
      slot.className = "slot" + (comparable ? (diff > 0 ? " is-over" : " is-under") : "");
    }
    var f = state.flash_sale;
    if (f) {
      var ends = C.parseTime(f.ends_at);
      var leftMs = ends === null ? 0 : ends - t;
      C.setText($("[data-flash-clock]"), C.duration(Math.max(0, leftMs) / 1000 + 0.999));
      $("[data-flash-running]").classList.toggle("is-urgent", leftMs > 0 && leftMs <= 10000);
    }
  }

  // ---------------------------------------------------------------- notices

  function notice(text, tone) {
    var node = $("[data-notice]");
    clearTimeout(noticeTimer);
    node.hidden = false;
    node.className = "notice" + (tone ? " is-" + tone : "");
    C.setText(node, text);
    // Confirmations go away by themselves; what needs reading stays a while longer.
    noticeTimer = setTimeout(function () {
      node.hidden = true;
    }, tone ? 15000 : 4000);
  }

  // ---------------------------------------------------------------- commands

  var LABELS = {
    go_live: "console_go_live",
    next: "console_next",
    previous: "console_previous",
    jump: "console_jump_go",
    hold: "console_hold",
    resume: "console_resume",
    end: "console_end",
    feature: "console_feature_go",
    "flash_sale.start": "console_flash_start",
    "flash_sale.end": "console_flash_end",
    auto_advance: "console_auto_advance",
  };

  function call(method, path, body) {
    // The page holds no API token: the call rides the HttpOnly cookie, and writes carry the
    // page's CSRF token (live/api/cookies.py).
    var headers = { "X-CSRF-Token": data.csrf_token || "" };
    if (body) headers["Content-Type"] = "application/json";
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () {
      controller.abort();
    }, SEND_TIMEOUT_MS) : null;
    return fetch(path, {
      method: method,
      headers: headers,
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    }).then(
      function (response) {
        clearTimeout(timer);
        return response.json().then(
          function (json) {
            return { status: response.status, json: json };
          },
          function () {
            return { status: response.status, json: {} };
          }
        );
      },
      function (err) {
        clearTimeout(timer);
        throw err;
      }
    );
  }

  function send(command, args) {
    if (busy) {
      // A key pressed while the last command's answer is still on its way is sent right after
      // it (the latest one), with the revision that answer brings: a quick second Space is a
      // second "next", never silently lost.
      queued = [command, args];
      return;
    }
    var body = { command: command, revision: show().revision, command_id: C.commandId() };
    Object.keys(args || {}).forEach(function (k) {
      body[k] = args[k];
    });
    busy = true;
    document.body.classList.add("is-sending");
    var slow = setTimeout(function () {
      notice(W.console_sending);
    }, 400);
    attempt(body, 1, slow);
  }

  function attempt(body, n, slow) {
    call("POST", api + "/commands", body).then(
      function (r) {
        clearTimeout(slow);
        done();
        answered(body, r);
        sendQueued();
      },
      function () {
        // Lost on the way there or back: the same command id again is applied at most once.
        if (n < SEND_ATTEMPTS) {
          setTimeout(function () {
            attempt(body, n + 1, slow);
          }, 400 * n);
          return;
        }
        clearTimeout(slow);
        done();
        queued = null; // the network is down: the producer sees why and presses again
        notice(W.console_network, "error");
      }
    );
  }

  function sendQueued() {
    if (!queued) return;
    var next = queued;
    queued = null;
    send(next[0], next[1]);
  }

  function done() {
    busy = false;
    document.body.classList.remove("is-sending");
  }

  function answered(body, r) {
    var error = (r.json && r.json.error) || null;
    if (r.status === 200) {
      accept(r.json.state);
      var label = W[LABELS[body.command]] || body.command;
      notice(r.json.applied ? C.fill(W.console_done, { command: label }) : W.console_repeated);
      return;
    }
    if (r.status === 409 && error && error.code === "stale_revision") {
      accept(error.details && error.details.state, true);
      notice(W.console_stale, "stale");
      return;
    }
    var message = (error && error.message) || "HTTP " + r.status;
    var fields = error && error.details && error.details.fields;
    if (fields && fields.length) message = fields[0].message;
    notice(C.fill(W.console_refused, { message: message }), "error");
  }

  function holdOrResume() {
    var phase = show().phase;
    if (phase === "held") send("resume");
    else if (phase === "live") send("hold");
  }

  function jumpTo(position) {
    var n = parseInt(position, 10);
    if (!(n >= 1)) return;
    send("jump", { position: n });
  }

  // ---------------------------------------------------------------- confirm dialog

  function confirmThen(title, text, action) {
    var dialog = $("[data-confirm]");
    C.setText($("[data-confirm-title]"), title);
    C.setText($("[data-confirm-text]"), text);
    confirmAction = action;
    dialog.returnValue = "";
    dialog.showModal();
    $("[data-confirm-ok]").focus();
  }

  $("[data-confirm]").addEventListener("close", function () {
    // The browser fires `close` from a queued task. Esc, then E again at once: the first
    // closing's event can arrive with the dialog already open for the second question — it
    // must not take (and drop) that question's action, or the Enter that follows does nothing.
    if (this.open) return;
    var action = confirmAction;
    confirmAction = null;
    if (this.returnValue === "ok" && action) action();
  });

  function askEnd() {
    if (!C.onAir(state)) return;
    var rehearsal = !!show().rehearsal;
    confirmThen(
      W.console_confirm_end_title,
      rehearsal ? W.console_confirm_end_rehearsal : W.console_confirm_end_text,
      function () {
        send("end");
      }
    );
  }

  // ---------------------------------------------------------------- buttons and forms

  function runCommand(name) {
    if (name === "go_live") send("go_live");
    else if (name === "rehearse") send("go_live", { rehearsal: true });
    else if (name === "next") send("next");
    else if (name === "previous") send("previous");
    else if (name === "hold") holdOrResume();
    else if (name === "flash") focusFlash();
    else if (name === "end") askEnd();
  }

  all("[data-command]").forEach(function (button) {
    button.addEventListener("click", function () {
      runCommand(button.getAttribute("data-command"));
    });
  });

  $("[data-ros-body]").addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-jump-to]") : null;
    if (target) jumpTo(target.getAttribute("data-jump-to"));
  });

  $("[data-jump-form]").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("[data-jump-input]");
    jumpTo(input.value);
    input.value = "";
    input.blur();
  });

  $("[data-auto-advance]").addEventListener("change", function () {
    var wanted = this.checked;
    this.checked = !!show().auto_advance; // the state says what it is, once the server agrees
    send("auto_advance", { enabled: wanted });
  });

  $("[data-feature-form]").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("[data-feature-select]").value;
    send("feature", value ? { product_id: parseInt(value, 10) } : {});
    $("[data-feature-select]").blur();
  });

  function digits(text) {
    var only = String(text || "").replace(/[^0-9]/g, "");
    return only ? parseInt(only, 10) : 0;
  }

  function focusFlash() {
    var input = $("[data-flash-price-input]");
    var panel = $("[data-flash-panel]");
    if (panel.scrollIntoView) panel.scrollIntoView({ block: "nearest" });
    input.focus();
    input.select();
  }

  var priceInput = $("[data-flash-price-input]");
  var durationInput = $("#flash-duration");
  function previews() {
    var price = digits(priceInput.value);
    C.setText($("[data-flash-price-preview]"), price ? C.money(price) : "");
    var secs = parseInt(durationInput.value, 10);
    C.setText($("[data-flash-duration-preview]"), secs > 0 ? C.duration(secs) : "");
  }
  priceInput.addEventListener("input", previews);
  durationInput.addEventListener("input", previews);
  previews();

  $("[data-flash-form]").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var price = digits(priceInput.value);
    var quantity = parseInt(form.elements.quantity.value, 10);
    var seconds = parseInt(durationInput.value, 10);
    if (!(price > 0 && quantity > 0 && seconds >= 10)) {
      notice(W.console_flash_bad_input, "error");
      return;
    }
    var args = { price: price, quantity: quantity, duration_seconds: seconds };
    var product = $("[data-flash-product]").value;
    if (product) args.product_id = parseInt(product, 10);
    send("flash_sale.start", args);
    if (document.activeElement) document.activeElement.blur();
  });

  $("[data-flash-end]").addEventListener("click", function () {
    send("flash_sale.end");
  });

  // ---------------------------------------------------------------- overlay URL

  // The URL is shown once, when made (only its hash is kept): it stays in the field until the
  // page is left. The preview frame follows the session with the page's cookie, not this URL.
  function setOverlayUrl(url) {
    $("[data-overlay-url]").value = url;
    $("[data-copy]").disabled = false;
    C.setText($("[data-overlay-url-hint]"), W.console_overlay_url_now);
    var button = $("[data-new-overlay-url]");
    button.setAttribute("data-issued", "");
    C.setText(button, W.console_new_overlay_url);
  }

  $("[data-copy]").addEventListener("click", function () {
    var input = $("[data-overlay-url]");
    function copied() {
      notice(W.console_copied);
    }
    // The async clipboard exists only on secure pages; a studio laptop may be on plain http.
    if (navigator.clipboard && root.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(copied, fallback);
    } else {
      fallback();
    }
    function fallback() {
      input.focus();
      input.select();
      try {
        if (document.execCommand("copy")) copied();
      } catch (err) {
        /* the URL stays selected for Ctrl+C */
      }
    }
  });

  $("[data-reload-overlays]").addEventListener("click", function () {
    call("POST", api + "/reload-overlays").then(
      function (r) {
        if (r.status === 202) notice(W.console_reloading);
        else answered({ command: "reload" }, r);
      },
      function () {
        notice(W.console_network, "error");
      }
    );
  });

  $("[data-new-overlay-url]").addEventListener("click", function () {
    // The first URL revokes nothing: no need to ask.
    var ask = this.hasAttribute("data-issued") ? confirmThen : function (a, b, action) {
      action();
    };
    ask(W.console_confirm_new_url_title, W.console_confirm_new_url_text, function () {
      call("POST", api + "/overlay-token").then(
        function (r) {
          if (r.status === 200 && r.json.overlay_url) {
            setOverlayUrl(r.json.overlay_url);
            notice(W.console_new_url_done);
          } else {
            answered({ command: "overlay-token" }, r);
          }
        },
        function () {
          notice(W.console_network, "error");
        }
      );
    });
  });

  // ---------------------------------------------------------------- connected clients

  function seenAgo(seconds) {
    if (seconds < 120) return C.fill(W.console_client_seen, { s: Math.round(seconds) });
    if (seconds < 3600) return C.fill(W.console_client_seen_minutes, { m: Math.floor(seconds / 60) });
    return W.console_client_seen_long;
  }

  var CLIENT_STATUSES = ["connected", "behind", "reconnecting", "gone"];

  function clientMeta(c) {
    // What the producer needs of each page's connection: since when it is in this state,
    // when a reconnecting page tries next, which revision it shows, when it was last heard.
    var meta = [];
    if (typeof c.since === "number" && c.status !== "connected") {
      meta.push(C.fill(W.console_client_since, { t: clock(c.since * 1000) }));
    }
    if (c.status === "reconnecting" && typeof c.next_try_within_s === "number") {
      meta.push(C.fill(W.console_client_next_try, { s: Math.max(0, c.next_try_within_s).toFixed(1) }));
    }
    if (typeof c.revision === "number") meta.push(C.fill(W.console_client_revision, { n: c.revision }));
    if (c.status === "connected" && c.reconnects > 0) {
      meta.push(C.fill(W.console_client_reconnects, { n: c.reconnects }));
    }
    if (typeof c.last_seen_s === "number") meta.push(seenAgo(c.last_seen_s));
    if (c.version) meta.push(c.version);
    return meta.join(" · ");
  }

  function renderClients(items) {
    var list = $("[data-clients]");
    var fragment = document.createDocumentFragment();
    if (!items.length) fragment.appendChild(el("li", "client-empty", W.console_clients_none));
    items.forEach(function (c) {
      var status = CLIENT_STATUSES.indexOf(c.status) >= 0 ? c.status : "gone";
      var li = el("li", "client is-" + status);
      li.setAttribute("data-client-kind", c.kind || "");
      li.setAttribute("data-client-status", status);
      li.appendChild(el("span", "client-kind", W["console_kind_" + c.kind] || c.kind || "?"));
      li.appendChild(el("span", "client-name", c.name || c.version || c.id));
      li.lastChild.title = (c.name || "") + (c.user_agent ? " · " + c.user_agent : "");
      li.appendChild(el("span", "client-status", W["console_client_" + status]));
      li.appendChild(el("span", "client-meta", clientMeta(c)));
      fragment.appendChild(li);
    });
    list.textContent = "";
    list.appendChild(fragment);
  }

  function pollClients() {
    call("GET", api + "/clients").then(
      function (r) {
        if (r.status === 200 && r.json && r.json.items) renderClients(r.json.items);
        else renderClientsError();
        setTimeout(pollClients, CLIENTS_EVERY_MS);
      },
      function () {
        renderClientsError();
        setTimeout(pollClients, CLIENTS_EVERY_MS);
      }
    );
  }

  function renderClientsError() {
    var list = $("[data-clients]");
    list.textContent = "";
    list.appendChild(el("li", "client is-gone", W.console_clients_error));
  }

  // ---------------------------------------------------------------- keyboard

  function typingIn(node) {
    if (!node || !node.tagName) return false;
    var tag = node.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || node.isContentEditable) return true;
    if (tag !== "INPUT") return false;
    var type = (node.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset", "range", "color"].indexOf(type) < 0;
  }

  function showJumpPending() {
    var node = $("[data-jump-pending]");
    node.hidden = !jumpBuffer;
    C.setText(node, jumpBuffer ? C.fill(W.console_jump_pending, { n: jumpBuffer }) : "");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if ($("[data-confirm]").open) return; // the dialog takes Enter and Esc itself
    var target = event.target;
    if (typingIn(target)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    var key = event.key;
    var handled = true;
    if (/^[0-9]$/.test(key)) {
      jumpBuffer = (jumpBuffer + key).replace(/^0+/, "").slice(0, 4);
      showJumpPending();
    } else if (key === "Enter" && jumpBuffer) {
      var position = jumpBuffer;
      jumpBuffer = "";
      showJumpPending();
      jumpTo(position);
    } else if (key === "Escape" || (key === "Backspace" && jumpBuffer)) {
      jumpBuffer = key === "Escape" ? "" : jumpBuffer.slice(0, -1);
      showJumpPending();
    } else if (key === " " || key === "Spacebar" || key === "ArrowRight") {
      // Space always means "next", even on a focused button: a mouse click leaves the focus
      // on the button it pressed, and "next" must not become "hold" again by accident.
      runCommand("next");
    } else if (key === "ArrowLeft") {
      runCommand("previous");
    } else {
      var letter = key.length === 1 ? key.toLowerCase() : "";
      if (letter === "h") runCommand("hold");
      else if (letter === "f") runCommand("flash");
      else if (letter === "e") runCommand("end");
      else if (letter === "g") runCommand("go_live");
      else if (letter === "r") runCommand("rehearse");
      else if (letter === "j") $("[data-jump-input]").focus();
      else handled = false;
    }
    if (handled) event.preventDefault();
  });

  // A focused button fires its click on the Space key's keyup: Space is "next" here.
  document.addEventListener("keyup", function (event) {
    if ((event.key === " " || event.key === "Spacebar") && !typingIn(event.target)) {
      event.preventDefault();
    }
  });

  // ---------------------------------------------------------------- start

  render();
  live = C.connect(sessionId, {
    kind: "producer",
    name: W.console_producer_title,
    version: VERSION,
    offsetGuessMs: page.offsetGuessMs,
    onState: function (next) {
      accept(next);
    },
    onStatus: function (status) {
      C.renderConnection(W, status, "conn");
    },
  });
  setInterval(tick, 250);
  pollClients();

  // For tests and for a curious producer's devtools: read-only handles.
  root.sieuProducer = {
    state: function () {
      return state;
    },
    connection: function () {
      return live.status();
    },
    connections: function () {
      return live.starts(); // 1, plus one per "reload every overlay"
    },
  };
})(window);
