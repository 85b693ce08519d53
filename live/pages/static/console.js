/*
 * What the producer and creator consoles share: the page's data, words, times and durations,
 * the show's clocks computed from its timestamps, and the websocket connection.
 *
 * Every clock is recomputed from the state's timestamps and the server clock (serverNow(), the
 * local clock corrected by the offset measured with ping/pong): nothing counts down by itself,
 * so a reconnect, a sleeping laptop or a slow tab can never make a console drift.
 *
 * Plain ES2017 like overlays/realtime.js: it must run in the Chromium 127 inside OBS.
 */
(function (root) {
  "use strict";

  var F = root.SieuFormat;

  function readData() {
    var node = document.getElementById("console-data");
    return JSON.parse(node.textContent);
  }

  function $(selector) {
    return document.querySelector(selector);
  }

  // What a console starts from: the page's data and words, the session's products by id, and
  // how far the server's clock seemed from this one when the page came (until the socket
  // measures it, off by the page's load time: a fraction of a second).
  function page() {
    var data = readData();
    var products = {};
    data.products.forEach(function (p) {
      products[p.id] = p;
    });
    return {
      data: data,
      words: data.words,
      products: products,
      offsetGuessMs: data.server_time - Date.now(),
    };
  }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return values && Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // m:ss (h:mm:ss past an hour) of a number of seconds, rounded down.
  function duration(seconds) {
    var total = Math.max(0, Math.floor(Number(seconds) || 0));
    var h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    return h > 0 ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
  }

  // "+1:05" for an over-run, "−0:30" (a real minus sign) for an under-run.
  function signed(seconds) {
    var n = Math.round(Number(seconds) || 0);
    if (n === 0) return "0:00";
    return (n > 0 ? "+" : "\u2212") + duration(Math.abs(n));
  }

  // Wall-clock times in the campaign's time zone (Asia/Ho_Chi_Minh), whatever the laptop says.
  function timeFormatter(zone, withSeconds) {
    try {
      var fmt = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone || "Asia/Ho_Chi_Minh",
        hour: "2-digit",
        minute: "2-digit",
        second: withSeconds ? "2-digit" : undefined,
        hourCycle: "h23",
      });
      return function (ms) {
        return fmt.format(new Date(ms));
      };
    } catch (err) {
      // No time-zone data: Vietnam is UTC+7 all year round.
      return function (ms) {
        var d = new Date(ms + 7 * 3600 * 1000);
        var text = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
        return withSeconds ? text + ":" + pad(d.getUTCSeconds()) : text;
      };
    }
  }

  function segmentAt(state, position) {
    var segments = (state && state.segments) || [];
    for (var i = 0; i < segments.length; i++) if (segments[i].position === position) return segments[i];
    return null;
  }

  function onAir(state) {
    var phase = state && state.show && state.show.phase;
    return phase === "live" || phase === "held";
  }

  function current(state) {
    if (!onAir(state)) return null;
    return segmentAt(state, state.show.current_position);
  }

  // The segment after the current one; before the show, the first.
  function next(state) {
    var segments = (state && state.segments) || [];
    var show = (state && state.show) || {};
    if (show.phase === "ended") return null;
    if (!onAir(state)) return segments.length ? segments[0] : null;
    for (var i = 0; i < segments.length; i++) {
      if (segments[i].position > show.current_position) return segments[i];
    }
    return null;
  }

  // Seconds the current segment has been on air, holds not counted (as live/shows/state.py).
  function elapsed(state, nowMs) {
    var show = (state && state.show) || {};
    var started = F.parseTime(show.segment_started_at);
    if (started === null) return 0;
    var held = F.parseTime(show.held_at);
    var until = held !== null ? held : nowMs;
    return Math.max(0, (until - started) / 1000 - (Number(show.held_seconds) || 0));
  }

  // When the show ends if what is left runs as planned (live/shows/state.py, _projected_end).
  function projectedEnd(state, nowMs) {
    var show = (state && state.show) || {};
    var segments = (state && state.segments) || [];
    var total = 0;
    var later = 0;
    var i;
    if (show.phase === "ended") return F.parseTime(show.ended_at);
    for (i = 0; i < segments.length; i++) total += segments[i].planned_seconds;
    var seg = current(state);
    if (!seg) {
      var scheduled = F.parseTime(state && state.session && state.session.scheduled_start);
      return Math.max(nowMs, scheduled || nowMs) + total * 1000;
    }
    for (i = 0; i < segments.length; i++) {
      if (segments[i].position > seg.position) later += segments[i].planned_seconds;
    }
    var left = Math.max(0, seg.planned_seconds - elapsed(state, nowMs));
    return nowMs + (left + later) * 1000;
  }

  // A command id the server has never seen. crypto.randomUUID exists only on secure pages
  // (https, localhost), and a studio laptop may well reach the server over plain http.
  function commandId() {
    var c = root.crypto;
    if (c && typeof c.randomUUID === "function") {
      try {
        return c.randomUUID();
      } catch (err) {
        /* not a secure context: fall through */
      }
    }
    var bytes = [];
    if (c && typeof c.getRandomValues === "function") {
      var buf = new Uint8Array(16);
      c.getRandomValues(buf);
      for (var i = 0; i < buf.length; i++) bytes.push(buf[i]);
    } else {
      for (var j = 0; j < 16; j++) bytes.push(Math.floor(Math.random() * 256));
    }
    var hex = bytes
      .map(function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
    return "c-" + Date.now().toString(36) + "-" + hex;
  }

  // The console's live link: the whole state first, then every change. The console's cookie
  // (set when the page was opened with ?token=) authenticates the socket.
  function connect(sessionId, opts) {
    var scheme = root.location.protocol === "https:" ? "wss:" : "ws:";
    var url = scheme + "//" + root.location.host + "/ws/sessions/" + sessionId;
    var client = null;
    var starts = 0;
    // Until the first frame measures it, the server clock is guessed from the time the page
    // was rendered at (off by the page's load time, a fraction of a second).
    var guess = typeof opts.offsetGuessMs === "number" ? opts.offsetGuessMs : 0;
    var handle = {
      serverNow: function () {
        return client && client.state() ? client.serverNow() : Date.now() + guess;
      },
      status: function () {
        return client ? client.status() : null;
      },
      starts: function () {
        return starts;
      },
    };
    function start() {
      starts += 1;
      client = root.SieuRealtime.connect({
        url: url,
        kind: opts.kind,
        name: opts.name,
        version: opts.version,
        onState: opts.onState,
        onStatus: opts.onStatus,
        // "Reload every overlay" reaches consoles too: a console needs no new page, only a
        // fresh connection (which starts with the whole state again).
        onReload: start,
      });
    }
    start();
    return handle;
  }

  // The connection status in words, and whether it is good, waiting or bad.
  function connection(words, status) {
    var s = (status && status.state) || "connecting";
    if (s === "live") return { text: words.console_conn_live, tone: "live" };
    if (s === "connecting") return { text: words.console_conn_connecting, tone: "wait" };
    if (s === "reconnecting") {
      var secs = Math.max(1, Math.ceil((status.retryInMs || 0) / 1000));
      return { text: fill(words.console_conn_reconnecting, { s: secs }), tone: "bad" };
    }
    if (s === "stopped") return { text: words.console_conn_stopped, tone: "bad" };
    return { text: words.console_conn_denied, tone: "bad" };
  }

  // The header both consoles draw: the phase, and the tab's title, which starts with
  // "rehearsal" while one is on air. A finished rehearsal leaves the flag set on a show back in
  // standby: only a rehearsal on air is one. Returns whether one is.
  function renderHeader(state, words, opts) {
    var s = (state && state.show) || {};
    var phase = s.phase || "standby";
    var node = $("[data-phase]");
    setText(node, words["console_phase_" + phase] || phase);
    node.className = opts.phaseClass + " is-" + phase;
    var rehearsal = !!s.rehearsal && onAir(state);
    document.title = (rehearsal ? words.console_rehearsal + " · " : "") + opts.code + " · " +
      opts.title;
    return rehearsal;
  }

  // The socket's status in the header, in words and a tone.
  function renderConnection(words, status, baseClass) {
    var c = connection(words, status);
    $("[data-conn]").className = baseClass + " is-" + c.tone;
    setText($("[data-conn-text]"), c.text);
  }

  // Whether a state (from the socket, a command's answer or a 409) may replace the one on
  // screen: a whole state, never of an older revision.
  function newer(shown, next) {
    if (!next || typeof next !== "object" || !next.show) return false;
    var revision = shown && shown.show && shown.show.revision;
    return !(typeof revision === "number" && next.show.revision < revision);
  }

  function setText(node, text) {
    var value = text === null || text === undefined ? "" : String(text);
    if (node && node.textContent !== value) node.textContent = value;
  }

  root.SieuConsole = {
    readData: readData,
    $: $,
    page: page,
    renderHeader: renderHeader,
    renderConnection: renderConnection,
    newer: newer,
    fill: fill,
    duration: duration,
    signed: signed,
    timeFormatter: timeFormatter,
    segmentAt: segmentAt,
    onAir: onAir,
    current: current,
    next: next,
    elapsed: elapsed,
    projectedEnd: projectedEnd,
    commandId: commandId,
    connect: connect,
    connection: connection,
    setText: setText,
    money: F.money,
    count: F.count,
    parseTime: F.parseTime,
  };
})(window);
