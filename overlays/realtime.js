/*
 * sieulive realtime client — one small dependency-free file shared by the OBS overlays and the
 * producer and creator consoles. A classic script (no module, no build step) so any page can
 * load it with <script src="/overlays/realtime.js"> and call SieuRealtime.connect({...}).
 *
 * Protocol (server side: live/hub/hub.py):
 *   server → {"type":"state"|"change","channel","kind","epoch","seq","server_time","data"}
 *            {"type":"heartbeat","epoch","server_time"}   every 20 s
 *            {"type":"pong","client_time","server_time"}
 *   client → {"type":"hello","kind","name","version","revision",
 *             "instance","retry_max_ms","reconnects"}                on every open
 *            {"type":"shown","revision"}                         after each applied state
 *            {"type":"ping","client_time"}                       every 10 s
 *            {"type":"resync"}                                   after a gap or a new epoch
 *
 * Rules it keeps (docs: overlays/README.md and ARCHITECTURE.md "Run the show"):
 *   - the first frame of every connection is the whole state; nothing else is trusted first;
 *   - a change from another epoch, or past a gap in seq, asks for the state again and ignores
 *     changes until it arrives; a seq at or below the last one is a duplicate (or already in
 *     the state we hold) and is ignored;
 *   - hearing nothing for two heartbeat ceilings (2 × 25 s) means a dead link: drop and redial;
 *   - redial forever, never throw into the page: exponential backoff from 250 ms with full
 *     jitter, capped at 1 s whatever the outage's length, so a page is back within about
 *     1 s of the server's return (docs/realtime.md "Coming back after a restart" says why
 *     the cap is low: a try at a server that is down costs it nothing);
 *   - a token refused or revoked (4401, 4410, also 4403/4404) retries slowly and forgets the
 *     state, so an overlay on a revoked URL can never put an old card back on air.
 *
 * Must run in Chromium 127 (the CEF inside OBS 31/32): plain ES2017, no newer-only APIs.
 */
(function (root) {
  "use strict";

  var VERSION = "1.0.0";

  var DEFAULTS = {
    pingMs: 10000, // often enough for a fresh clock offset, rare enough to cost nothing
    silenceMs: 50000, // 2 × the 25 s heartbeat ceiling: silence this long is a dead link
    resyncTimeoutMs: 10000, // a resync the server never answered: redial instead
    backoffBaseMs: 250,
    backoffMaxMs: 1000, // the cap: back within 1 s of the server's return, however long away
    deniedRetryMs: 30000, // refused tokens: retry slowly, a producer may fix the URL's token
    stableMs: 10000, // a connection that lived this long resets the backoff
    offsetSamples: 6, // clock offset: best (shortest round trip) of the last few pongs
    checkMs: 1000, // how often the watchdog looks at the clock
  };

  // Close codes from live/hub/hub.py that a plain retry will not fix.
  var DENIED = { 4401: "unauthorized", 4403: "forbidden", 4404: "not_found", 4410: "revoked" };
  var TOO_SLOW = 4408; // the server dropped us for lagging: redial and resync, nothing more

  function newInstance() {
    // This page's id in the producer's list of clients, the same across its reconnections.
    var id = "";
    for (var i = 0; i < 16; i++) id += "abcdefghijklmnopqrstuvwxyz0123456789".charAt(Math.floor(Math.random() * 36));
    return id;
  }

  function connect(opts) {
    opts = opts || {};
    var instance = newInstance();
    var cfg = {};
    Object.keys(DEFAULTS).forEach(function (k) {
      cfg[k] = typeof opts[k] === "number" ? opts[k] : DEFAULTS[k];
    });

    var ws = null;
    var retryTimer = null;
    var pingTimer = null;
    var stopped = false;
    var attempts = 0;
    var openedAt = 0;
    var lastHeard = 0;
    var resyncAt = 0;
    var awaiting = true; // true until this connection's state frame has arrived
    var state = null;
    var epoch = null;
    var seq = 0;
    var samples = [];
    var offset = 0;
    var haveOffset = false;
    var counters = { connects: 0, states: 0, changes: 0, duplicates: 0, resyncs: 0, drops: 0 };
    var status = {
      state: "connecting", // connecting | live | reconnecting | unauthorized | forbidden |
      //                     not_found | revoked | stopped
      connected: false,
      since: Date.now(),
      code: null,
      reason: "",
      retryInMs: null,
      attempts: 0,
    };

    function call(fn, args) {
      // A page callback that throws must never break the connection loop.
      if (typeof fn !== "function") return undefined;
      try {
        return fn.apply(null, args);
      } catch (err) {
        if (root.console) root.console.error("sieulive realtime: callback failed", err);
        return undefined;
      }
    }

    function snapshot() {
      var copy = {};
      Object.keys(status).forEach(function (k) {
        copy[k] = status[k];
      });
      copy.epoch = epoch;
      copy.seq = seq;
      copy.revision = revisionOf(state);
      copy.offsetMs = Math.round(offset);
      copy.rttMs = samples.length ? best().rtt : null;
      copy.lastHeardMs = lastHeard ? Date.now() - lastHeard : null;
      copy.counters = JSON.parse(JSON.stringify(counters));
      return copy;
    }

    function setStatus(name, extra) {
      var changed = status.state !== name;
      if (changed) status.since = Date.now();
      status.state = name;
      status.connected = name === "live";
      status.attempts = attempts;
      extra = extra || {};
      status.code = "code" in extra ? extra.code : status.code;
      status.reason = "reason" in extra ? extra.reason : status.reason;
      status.retryInMs = "retryInMs" in extra ? extra.retryInMs : null;
      call(opts.onStatus, [snapshot()]);
    }

    function revisionOf(s) {
      return s && s.show && typeof s.show.revision === "number" ? s.show.revision : null;
    }

    function send(message) {
      if (!ws || ws.readyState !== 1) return false;
      try {
        ws.send(JSON.stringify(message));
        return true;
      } catch (err) {
        return false;
      }
    }

    function best() {
      var pick = samples[0];
      for (var i = 1; i < samples.length; i++) if (samples[i].rtt < pick.rtt) pick = samples[i];
      return pick;
    }

    function serverNow() {
      return Date.now() + offset;
    }

    function ping() {
      send({ type: "ping", client_time: Date.now() });
    }

    function onPong(msg) {
      var t1 = Date.now();
      var t0 = msg.client_time;
      if (typeof t0 !== "number" || typeof msg.server_time !== "number" || t0 > t1) return;
      var sample = { rtt: t1 - t0, offset: msg.server_time - (t0 + t1) / 2 };
      // The local clock jumped (NTP, sleep): older samples describe another clock; drop them.
      if (haveOffset && Math.abs(sample.offset - offset) > Math.max(1000, sample.rtt)) samples = [];
      samples.push(sample);
      if (samples.length > cfg.offsetSamples) samples.shift();
      offset = best().offset;
      haveOffset = true;
    }

    function meta(msg) {
      return {
        type: msg.type,
        kind: msg.kind,
        channel: msg.channel,
        epoch: msg.epoch,
        seq: msg.seq,
        serverTime: msg.server_time,
        receivedAt: Date.now(),
      };
    }

    function deliver(msg) {
      counters.states += 1;
      if (status.state !== "live") setStatus("live", { code: null, reason: "" });
      call(opts.onState, [state, meta(msg)]);
      var revision = revisionOf(state);
      if (revision !== null) send({ type: "shown", revision: revision });
    }

    function applyState(msg) {
      if (!haveOffset && typeof msg.server_time === "number") {
        // A first guess (one-way, so off by the latency) until the first pong answers.
        offset = msg.server_time - Date.now();
      }
      epoch = msg.epoch;
      seq = typeof msg.seq === "number" ? msg.seq : 0;
      awaiting = false;
      resyncAt = 0;
      state = msg.data;
      deliver(msg);
    }

    function resync(reason) {
      counters.resyncs += 1;
      awaiting = true;
      resyncAt = Date.now();
      if (!send({ type: "resync", reason: reason })) drop("resync could not be sent");
    }

    function applyChange(msg) {
      if (awaiting) return; // a whole state is on its way and includes this change
      if (msg.epoch !== epoch) return resync("epoch");
      if (typeof msg.seq !== "number") return;
      if (msg.seq <= seq) {
        counters.duplicates += 1; // already applied, or already inside the state we hold
        return;
      }
      if (msg.seq > seq + 1) return resync("gap");
      seq = msg.seq;
      counters.changes += 1;
      if (msg.kind === "reload") {
        reload();
        return;
      }
      if (msg.kind === "show") {
        state = msg.data;
        deliver(msg);
      }
      call(opts.onChange, [msg.kind, msg.data, meta(msg)]);
    }

    function reload() {
      stop();
      if (typeof opts.onReload === "function") call(opts.onReload, []);
      else root.location.reload();
    }

    function onMessage(event) {
      lastHeard = Date.now();
      var msg;
      try {
        msg = JSON.parse(event.data);
      } catch (err) {
        return;
      }
      if (!msg || typeof msg !== "object") return;
      if (msg.type === "state") applyState(msg);
      else if (msg.type === "change") applyChange(msg);
      else if (msg.type === "pong") onPong(msg);
      // heartbeats only prove the link is alive: lastHeard is already updated
    }

    function detach() {
      var sock = ws;
      ws = null;
      if (pingTimer) clearInterval(pingTimer);
      pingTimer = null;
      if (!sock) return null;
      sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null;
      return sock;
    }

    function backoff() {
      // Full jitter: anywhere between 0 and the doubled ceiling, so a room full of overlays
      // that lost the same server does not come back in one wave; the ceiling stops at
      // backoffMaxMs however long the outage lasts.
      var ceiling = Math.min(cfg.backoffMaxMs, cfg.backoffBaseMs * Math.pow(2, attempts));
      attempts += 1;
      return Math.max(50, Math.round(Math.random() * ceiling));
    }

    function scheduleRetry(code, reason) {
      if (stopped) return;
      if (retryTimer) clearTimeout(retryTimer);
      var lived = openedAt ? Date.now() - openedAt : 0;
      if (lived >= cfg.stableMs) attempts = 0;
      openedAt = 0;
      var denied = DENIED[code];
      var delay;
      if (denied) {
        // Forget the state: nothing from a refused or revoked token may go back on air.
        state = null;
        epoch = null;
        seq = 0;
        delay = Math.round(cfg.deniedRetryMs * (0.5 + Math.random() * 0.5));
      } else {
        // Dropped for lagging, or told the server is going away (a deploy, 1001/1012): the
        // server (or its successor) is there or nearly so; come back soon, spread out.
        var soon = code === TOO_SLOW || code === 1001 || code === 1012;
        delay = soon ? Math.round(Math.random() * cfg.backoffBaseMs) : backoff();
      }
      retryTimer = setTimeout(open, delay);
      setStatus(denied || "reconnecting", {
        code: code === undefined ? null : code,
        reason: reason || "",
        retryInMs: delay,
      });
    }

    function drop(reason) {
      // Our own decision to give up on this socket: don't wait for a close handshake that a
      // dead link would never finish.
      var sock = detach();
      counters.drops += 1;
      if (sock) {
        try {
          sock.close(4000, reason.slice(0, 100));
        } catch (err) {
          /* already closing */
        }
      }
      scheduleRetry(null, reason);
    }

    function open() {
      retryTimer = null;
      if (stopped) return;
      detach();
      var url = typeof opts.url === "function" ? call(opts.url, []) : opts.url;
      var sock;
      try {
        sock = new root.WebSocket(url);
      } catch (err) {
        scheduleRetry(null, "bad url");
        return;
      }
      ws = sock;
      awaiting = true;
      resyncAt = 0;
      lastHeard = Date.now(); // the watchdog also bounds a handshake that hangs
      counters.connects += 1;
      if (status.state === "reconnecting" || status.state === "stopped") setStatus("connecting");
      sock.onopen = function () {
        if (sock !== ws) return;
        openedAt = lastHeard = Date.now();
        samples = []; // another connection may take another path: measure afresh
        send({
          type: "hello",
          kind: opts.kind || "overlay",
          name: opts.name || "",
          version: opts.version || VERSION,
          revision: revisionOf(state),
          instance: instance,
          retry_max_ms: cfg.backoffMaxMs,
          reconnects: Math.max(0, counters.connects - 1),
        });
        ping();
        pingTimer = setInterval(ping, cfg.pingMs);
      };
      sock.onmessage = function (event) {
        if (sock === ws) onMessage(event);
      };
      sock.onclose = function (event) {
        if (sock !== ws) return;
        detach();
        scheduleRetry(event.code, event.reason);
      };
      sock.onerror = function () {
        /* a close event always follows */
      };
    }

    function watchdog() {
      if (!ws || stopped) return;
      var now = Date.now();
      if (now - lastHeard > cfg.silenceMs) drop("silence");
      else if (awaiting && resyncAt && now - resyncAt > cfg.resyncTimeoutMs) drop("no state");
    }

    function stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      clearInterval(watchTimer);
      var sock = detach();
      if (sock) {
        try {
          sock.close(1000, "page closing");
        } catch (err) {
          /* already closing */
        }
      }
      setStatus("stopped");
    }

    function redialNow() {
      // The network came back: don't sit out the rest of a long backoff.
      if (stopped || ws || !retryTimer || DENIED[status.code]) return;
      clearTimeout(retryTimer);
      open();
    }

    var watchTimer = setInterval(watchdog, cfg.checkMs);
    if (root.addEventListener) root.addEventListener("online", redialNow);
    open();

    return {
      status: snapshot,
      serverNow: serverNow,
      offsetMs: function () {
        return offset;
      },
      state: function () {
        return state;
      },
      send: send,
      resync: function () {
        resync("asked");
      },
      reconnect: function () {
        if (!stopped) drop("asked");
      },
      close: stop,
    };
  }

  root.SieuRealtime = { connect: connect, VERSION: VERSION, DEFAULTS: DEFAULTS };
})(typeof window !== "undefined" ? window : this);
