/*
 * The producer console's studio panel: the session's studio, its bridge and its OBS, live.
 *
 * The studio's whole state comes from GET /api/sessions/<id>/studio, then from the hub channel
 * studio:<id> (/ws/studios/<id>): the whole state first, then each new one whole (kind
 * "studio"). Everything is drawn from the state alone, so a reconnect or a duplicate frame is
 * harmless. Plain ES2017, no build step, like the other console scripts.
 */
(function (root) {
  "use strict";

  var panel = document.querySelector("[data-studio-panel]");
  var dataNode = document.getElementById("console-data");
  if (!panel || !dataNode) return;
  var page = JSON.parse(dataNode.textContent);
  var W = page.words || {};
  var current = null;

  function $(name) {
    return panel.querySelector('[data-studio="' + name + '"]');
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function show(name, text, tone) {
    var node = $(name);
    node.textContent = text;
    node.className = tone ? "is-" + tone : "";
  }

  function duration(ms) {
    var s = Math.max(0, Math.floor((ms || 0) / 1000));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
  }

  function percent(part, whole) {
    if (!whole) return "0";
    return ((100 * part) / whole).toFixed(1);
  }

  function clock(iso) {
    try {
      return new Date(iso).toLocaleTimeString(page.lang === "en" ? "en-GB" : "vi-VN", {
        timeZone: page.timezone || "Asia/Ho_Chi_Minh",
        hour12: false,
      });
    } catch (e) {
      return "";
    }
  }

  function actionText(a) {
    var what = W["console_studio_action_" + a.action] || a.action;
    var text = fill(what, { s: a.scene || "" });
    var status = W["console_studio_status_" + a.status] || a.status;
    if (a.status === "done" && typeof a.took_ms === "number") status += " (" + a.took_ms + " ms)";
    if (a.comment) status += ": " + a.comment;
    if (a.detail && a.detail.pressed && a.detail.pressed.length) {
      status += " · " + a.detail.pressed.join(", ");
    }
    return { text: text, status: status };
  }

  function render(state) {
    if (!state || !state.studio) return;
    current = state;
    panel.querySelector("[data-studio-name]").textContent = state.studio.name;
    var bridge = state.bridge || {};
    var obs = state.obs;
    panel.setAttribute("data-bridge", bridge.connected ? "connected" : "offline");
    show(
      "bridge",
      bridge.connected ? W.console_studio_connected : W.console_studio_offline,
      bridge.connected ? "good" : "bad"
    );
    var obsUp = !!(obs && obs.obs_connected);
    show(
      "obs",
      obsUp
        ? W.console_studio_connected + (obs.obs_version ? " · v" + obs.obs_version : "")
        : W.console_studio_offline,
      obsUp ? "good" : "bad"
    );
    show("scene", obsUp && obs.program_scene ? obs.program_scene : "–");
    show(
      "stream",
      obsUp
        ? obs.streaming
          ? fill(W.console_studio_on, { d: duration(obs.stream_duration_ms) })
          : W.console_studio_off
        : "–",
      obsUp ? (obs.streaming ? "good" : "bad") : ""
    );
    show(
      "record",
      obsUp
        ? obs.recording
          ? fill(W.console_studio_recording, { d: duration(obs.record_duration_ms) })
          : W.console_studio_off
        : "–"
    );
    show(
      "dropped",
      obsUp
        ? (obs.stream_skipped_frames || 0) +
            " (" + percent(obs.stream_skipped_frames, obs.stream_total_frames) + "%) · " +
            (obs.render_skipped_frames || 0) + " render"
        : "–"
    );
    show("cpu", obsUp && typeof obs.cpu_usage === "number" ? obs.cpu_usage.toFixed(1) + " %" : "–");

    var error = $("error");
    var message = "";
    if (!bridge.connected) message = state.studio.bridge_token_issued ? "" : W.console_studio_no_bridge;
    else if (obs && obs.last_error) {
      var said = obs.last_error_kind === "password" ? W.console_studio_error_password + " " : "";
      message = said + fill(W.console_studio_last_error, { e: obs.last_error });
    }
    error.textContent = message;
    error.hidden = !message;

    panel.querySelector("[data-studio-warning]").hidden = state.warning !== "live_not_streaming";

    var list = panel.querySelector("[data-studio-actions]");
    list.textContent = "";
    var actions = (state.actions || []).slice(0, 6);
    if (!actions.length) {
      var none = document.createElement("li");
      none.textContent = W.console_studio_actions_none;
      list.appendChild(none);
    }
    actions.forEach(function (a) {
      var item = document.createElement("li");
      item.setAttribute("data-action-status", a.status);
      var when = document.createElement("time");
      when.textContent = clock(a.sent_at);
      var label = actionText(a);
      var what = document.createElement("span");
      what.textContent = label.text + " — ";
      var outcome = document.createElement("span");
      outcome.className = "is-" + a.status;
      outcome.textContent = label.status;
      item.appendChild(when);
      item.appendChild(what);
      item.appendChild(outcome);
      list.appendChild(item);
    });
  }

  function follow(studioId) {
    var scheme = root.location.protocol === "https:" ? "wss:" : "ws:";
    root.SieuRealtime.connect({
      url: scheme + "//" + root.location.host + "/ws/studios/" + studioId,
      kind: "studio-panel",
      name: W.console_studio,
      version: "1",
      onState: render,
      onChange: function (kind, data) {
        if (kind === "studio") render(data);
      },
    });
  }

  fetch("/api/sessions/" + page.session_id + "/studio", {
    // The page's HttpOnly cookie is the credential (a read: no CSRF token needed).
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  })
    .then(function (r) {
      return r.ok ? r.json() : null;
    })
    .then(function (state) {
      if (!state) return;
      render(state);
      follow(state.studio.id);
    })
    .catch(function () {});

  root.sieuStudio = {
    state: function () {
      return current;
    },
  };
})(window);
